"""Configuration in the admin: a supervisor adds a new fee rate; old rates are never edited."""

import datetime

import pytest

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


@pytest.mark.parametrize("path", ["/admin/revenue/feerate/", "/admin/revenue/account/1/delete/"])
def test_rates_and_accounts_cannot_be_edited_or_deleted(client, supervisor, fees, path):
    client.force_login(supervisor)
    assert client.get(path).status_code in (403, 404)


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
