"""The duty apps' effective-dated configuration in the admin: a supervisor adds a row from a
date (audited, who and when), nobody edits an old one, the auditor only reads."""

import datetime

from parking import services as parking_services
from parking.models import ViolationFine
from revenue.models import AuditEvent
from tests.conftest import D
from tot.models import TotRate


def test_a_supervisor_adds_a_tot_rate_and_cannot_edit_it(client, supervisor, auditor, accounts, admin_user):
    from tot import demo

    demo.load_tot(acting_user=admin_user)
    client.force_login(supervisor)
    response = client.post("/admin/tot/totrate/add/", {"effective_from": "2027-07-01", "percent": "13.000"})
    assert response.status_code == 302, response.content.decode()[:1500]
    rate = TotRate.objects.get(effective_from=datetime.date(2027, 7, 1))
    assert rate.created_by == supervisor and rate.percent == D("13.000")
    assert AuditEvent.objects.filter(action="totrate.created", actor=supervisor).exists()
    changed = client.post(
        f"/admin/tot/totrate/{rate.pk}/change/", {"effective_from": "2027-07-01", "percent": "1"}
    )
    assert changed.status_code == 403
    auditor.is_staff = True  # as the demo's auditor: reads the configuration screens
    auditor.save()
    client.force_login(auditor)
    assert client.get("/admin/tot/totrate/").status_code == 200
    assert client.get("/admin/tot/totrate/add/").status_code == 403


def test_a_new_fine_applies_to_citations_issued_from_its_date(client, supervisor, accounts, fees, admin_user):
    from parking import demo

    demo.load_parking(acting_user=admin_user)
    violation = ViolationFine.objects.get(violation__code="22500(a)").violation
    client.force_login(supervisor)
    response = client.post(
        "/admin/parking/violationfine/add/",
        {"violation": violation.pk, "effective_from": "2027-01-01", "fine": "75.00", "late_penalty": "75.00"},
    )
    assert response.status_code == 302, response.content.decode()[:1500]
    assert parking_services.fine_on(violation, datetime.date(2026, 12, 31)).fine == D("65.00")
    assert parking_services.fine_on(violation, datetime.date(2027, 1, 1)).fine == D("75.00")
    bad = client.post(
        "/admin/parking/violationfine/add/",
        {"violation": violation.pk, "effective_from": "2027-02-01", "fine": "-5", "late_penalty": "0"},
    )
    assert bad.status_code == 200 and not ViolationFine.objects.filter(effective_from="2027-02-01").exists()
