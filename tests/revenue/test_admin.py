"""Configuration in the admin: a supervisor adds a new fee rate; old rates are never edited."""

import datetime

from revenue import services
from revenue.models import AuditEvent, FeeRate
from tests.conftest import D


def _inline(fee, extra):
    rates = list(fee.rates.order_by("-effective_from"))
    data = {
        "code": fee.code,
        "name": fee.name,
        "revenue_account": fee.revenue_account_id,
        "receivable_account": fee.receivable_account_id,
        "pass_through_account": "",
        "counter_fee": "on",
        "active": "on",
        "rates-TOTAL_FORMS": str(len(rates) + 1),
        "rates-INITIAL_FORMS": str(len(rates)),
        "rates-MIN_NUM_FORMS": "0",
        "rates-MAX_NUM_FORMS": "1000",
    }
    for i, r in enumerate(rates):
        data[f"rates-{i}-id"] = r.pk
        data[f"rates-{i}-fee_type"] = fee.pk
    n = len(rates)
    data.update({f"rates-{n}-{k}": v for k, v in extra.items()})
    data[f"rates-{n}-fee_type"] = fee.pk
    return data


def test_supervisor_adds_a_rate_in_the_admin_and_it_is_audited(client, supervisor, fees):
    fee = fees["NOTARY"]
    client.force_login(supervisor)
    response = client.post(
        f"/admin/revenue/feetype/{fee.pk}/change/",
        _inline(fee, {"effective_from": "2027-07-01", "amount": "20.00", "pass_through_amount": "0"}),
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    rate = FeeRate.objects.get(fee_type=fee, effective_from=datetime.date(2027, 7, 1))
    assert rate.amount == D("20.00") and rate.created_by == supervisor
    assert AuditEvent.objects.filter(action="fee_rate.created", actor=supervisor).exists()
    assert services.fee_rate_on(fee_type=fee, on=datetime.date(2027, 6, 30)).amount == D("15.00")
    assert services.fee_rate_on(fee_type=fee, on=datetime.date(2027, 7, 1)).amount == D("20.00")


def test_a_negative_rate_is_refused_in_the_admin(client, supervisor, fees):
    fee = fees["NOTARY"]
    client.force_login(supervisor)
    response = client.post(
        f"/admin/revenue/feetype/{fee.pk}/change/",
        _inline(fee, {"effective_from": "2027-07-01", "amount": "-1.00", "pass_through_amount": "0"}),
    )
    assert response.status_code == 200
    assert not FeeRate.objects.filter(effective_from=datetime.date(2027, 7, 1)).exists()


def test_an_account_cannot_be_deleted(client, supervisor, accounts):
    client.force_login(supervisor)
    account = accounts["100-4150"]
    assert client.get(f"/admin/revenue/account/{account.pk}/delete/").status_code == 403
    assert client.post(f"/admin/revenue/account/{account.pk}/delete/", {"post": "yes"}).status_code == 403


def test_a_rate_in_force_cannot_be_edited_or_deleted_through_its_fee(client, supervisor, fees):
    """Every existing rate is posted back as a browser would, the newest one altered and marked
    for deletion: the rates stay as they were."""
    fee = fees["NOTARY"]
    rates = list(fee.rates.order_by("-effective_from"))
    before = [(r.pk, r.effective_from, r.amount) for r in rates]
    client.force_login(supervisor)
    data = _inline(fee, {})
    data["rates-TOTAL_FORMS"] = str(len(rates))  # no new rate, only the existing ones
    for i, r in enumerate(rates):
        data[f"rates-{i}-effective_from"] = r.effective_from.isoformat()
        data[f"rates-{i}-amount"] = str(r.amount)
        data[f"rates-{i}-pass_through_amount"] = str(r.pass_through_amount)
    data.update({"rates-0-amount": "999.00", "rates-0-effective_from": "2000-01-01", "rates-0-DELETE": "on"})
    client.post(f"/admin/revenue/feetype/{fee.pk}/change/", data)
    after = [(r.pk, r.effective_from, r.amount) for r in fee.rates.order_by("-effective_from")]
    assert after == before


def test_changing_an_account_is_audited(client, supervisor, accounts):
    account = accounts["100-4150"]
    client.force_login(supervisor)
    response = client.post(
        f"/admin/revenue/account/{account.pk}/change/",
        {
            "fund": account.fund_id,
            "number": account.number,
            "name": "Misc. revenue",
            "type": account.type,
            "role": account.role,
            "active": "on",
        },
    )
    assert response.status_code == 302
    event = AuditEvent.objects.get(action="account.changed")
    assert event.before["name"] == "Miscellaneous revenue" and event.after["name"] == "Misc. revenue"


def test_the_auditor_reads_the_configuration_and_changes_none(client, role_groups, fees, accounts):
    from django.contrib.auth.models import User

    from revenue import roles

    auditor = User.objects.create_user("audit-staff", is_staff=True)
    auditor.groups.add(role_groups[roles.AUDITOR])
    client.force_login(auditor)
    fee = fees["NOTARY"]
    page = client.get(f"/admin/revenue/feetype/{fee.pk}/change/")
    assert page.status_code == 200 and "Save" not in page.content.decode()
    response = client.post(f"/admin/revenue/feetype/{fee.pk}/change/", {"code": fee.code, "name": "Changed"})
    assert response.status_code == 403
    fee.refresh_from_db()
    assert fee.name == "Notary (per signature)"
    assert client.get("/admin/revenue/account/add/").status_code == 403
