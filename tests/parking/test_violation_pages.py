"""The fine schedule's pages: codes by their number everywhere they are listed, and a code's fines
with their tiers and range added on its own page by a supervisor only, audited, refused whole
when anything is wrong."""

import datetime
import uuid

import pytest
from django.urls import reverse

from parking import selectors
from parking import services as ps
from parking.models import PenaltyTier, Violation, ViolationFine
from revenue import services as core
from revenue.models import AuditEvent
from tests.conftest import D

DAY = datetime.timedelta(days=1)


def _fine_form(**over):
    data = {
        "token": str(uuid.uuid4()),
        "effective_from": (core.city_today() + DAY).isoformat(),
        "fine": "60.00",
        "late_penalty": "20.00",
        "fine_min": "",
        "fine_max": "",
        "tier_1_days": "60",
        "tier_1_amount": "30.00",
        "tier_2_days": "90",
        "tier_2_amount": "40.00",
    }
    return {**data, **over}


def test_codes_sort_by_their_number(client, clerk, violations):
    expected = ["3", "10.20.030", "10.20.050", "10.24.010", "10.24.040", "28", "5200"]
    assert [v.code for v in Violation.objects.all()][:7] == expected
    assert [v.code for v in Violation.objects.all()][7:] == ["22500(a)", "22502(a)", "22507.8"]
    client.force_login(clerk)
    page = client.get(reverse("parking:violation_list"))
    assert [v.code for v, _p in page.context["rows"]][:7] == expected
    assert 'id="violation-form"' not in page.content.decode()  # a clerk reads, does not add


def test_the_citation_report_lists_codes_by_their_number(cite, supervisor, client):
    for code in ("22500(a)", "28", "3", "5200"):
        cite(days=1, code=code)
    from parking import reports

    day = core.city_today()
    rows = reports.citation_figures(day - 5 * DAY, day)
    assert [r["violation__code"] for r in rows] == ["3", "28", "5200", "22500(a)"]


def test_a_supervisor_adds_a_fine_with_tiers_on_the_codes_page(client, supervisor, violations):
    v = violations["22500(a)"]
    client.force_login(supervisor)
    response = client.post(reverse("parking:violation_fine_add", args=[v.pk]), _fine_form())
    assert response.status_code == 302
    row = ViolationFine.objects.get(violation=v, effective_from=core.city_today() + DAY)
    assert (row.fine, row.late_penalty, row.created_by) == (D("60.00"), D("20.00"), supervisor)
    assert [(t.after_days, t.amount) for t in row.tiers.all()] == [(60, D("30.00")), (90, D("40.00"))]
    event = AuditEvent.objects.get(action="violationfine.created")
    assert event.actor == supervisor and event.after["tiers"] == [[60, "30.00"], [90, "40.00"]]
    # in force from its date: today still the old fine, tomorrow the new one with its tiers
    assert selectors.fine_on(v, core.city_today()).fine == D("65.00")
    tomorrow = selectors.fine_on(v, core.city_today() + DAY)
    assert (tomorrow.fine, tomorrow.tiers) == (D("60.00"), ((60, D("30.00")), (90, D("40.00"))))
    page = client.get(v.get_absolute_url())
    assert [s for _f, _t, s in page.context["fines"]] == ["to come", "in force"]
    assert len(page.context["history"]) == 1


def test_a_range_lets_the_officer_write_the_fine_from_its_date(client, supervisor, violations, cite):
    v = violations["22500(a)"]
    client.force_login(supervisor)
    form = _fine_form(
        effective_from=core.city_today().isoformat(), fine="65.00", fine_min="50.00", fine_max="90.00"
    )
    assert client.post(reverse("parking:violation_fine_add", args=[v.pk]), form).status_code == 302
    c = cite(days=0, code="22500(a)", fine="80.00")
    assert (c.fine, c.fine_written) == (D("80.00"), True)


@pytest.mark.parametrize(
    "change, message",
    [
        ({"effective_from": "2024-06-01"}, "from today or a later day"),
        ({"fine_min": "70.00"}, "Give both the lowest and the highest"),
        ({"fine_min": "70.00", "fine_max": "90.00"}, "must lie within 70.00 to 90.00"),
        ({"tier_1_days": "21"}, "A tier comes after the first late penalty"),
        ({"tier_2_days": "60"}, "Two tiers after 60 days"),
        ({"tier_2_amount": ""}, "Enter the amount added after 90 days"),
        ({"fine": "-5"}, "more than zero"),
        ({"tier_1_amount": "99999999999"}, "larger than the system accepts"),
    ],
)
def test_a_wrong_fine_is_refused_whole_with_a_message(client, supervisor, violations, change, message):
    v = violations["22500(a)"]
    client.force_login(supervisor)
    response = client.post(reverse("parking:violation_fine_add", args=[v.pk]), _fine_form(**change))
    assert response.status_code == 200 and message in response.content.decode()
    assert v.fines.count() == 1 and not PenaltyTier.objects.filter(fine__violation=v).exists()
    assert not AuditEvent.objects.filter(action="violationfine.created").exists()


def test_the_same_date_twice_and_a_double_submit_add_one_row(client, supervisor, violations):
    v = violations["28"]
    client.force_login(supervisor)
    form = _fine_form()
    url = reverse("parking:violation_fine_add", args=[v.pk])
    assert client.post(url, form).status_code == 302
    again = client.post(url, form, follow=True)
    assert "already" in again.content.decode()
    other = client.post(url, {**form, "token": str(uuid.uuid4())})
    assert "already has a fine from" in other.content.decode()
    assert v.fines.count() == 2


def test_only_a_supervisor_sets_fines_and_adds_codes(client, clerk, senior_clerk, auditor, violations):
    v = violations["28"]
    for user in (clerk, senior_clerk, auditor):
        client.force_login(user)
        assert (
            client.post(reverse("parking:violation_fine_add", args=[v.pk]), _fine_form()).status_code == 403
        )
        new = {"token": str(uuid.uuid4()), "code": "99", "description": "x"}
        assert client.post(reverse("parking:violation_new"), new).status_code == 403
    assert v.fines.count() == 1 and not Violation.objects.filter(code="99").exists()
    with pytest.raises(core.NotAllowed):
        ps.fine_add(
            violation=v, effective_from=core.city_today(), fine="5", late_penalty="0", acting_user=clerk
        )


def test_a_supervisor_adds_a_code_and_a_duplicate_is_refused(client, supervisor, violations):
    client.force_login(supervisor)
    url = reverse("parking:violation_new")
    response = client.post(url, {"token": str(uuid.uuid4()), "code": "41", "description": "Bicycle lane"})
    v = Violation.objects.get(code="41")
    assert response.status_code == 302 and response.url == v.get_absolute_url()
    again = client.post(url, {"token": str(uuid.uuid4()), "code": "22500(A)", "description": "x"})
    assert "already on the schedule" in again.content.decode()
    assert AuditEvent.objects.filter(action="violation.created", actor=supervisor).count() == 1
