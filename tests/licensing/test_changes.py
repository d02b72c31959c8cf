"""Later changes: suspension, revocation, closure, change of location, next year's schedule."""

import pytest
from django.urls import reverse

from licensing import selectors
from licensing import services as ls
from licensing.models import License, TaxRule
from revenue import services
from revenue.exceptions import NotAllowed, RevenueError
from tests.conftest import D
from tests.licensing.test_licenses import _pay_all


@pytest.fixture
def active(make_business, clerk, supervisor, admin_user):
    license = ls.application_submit(business=make_business(code="PRO", employees=4), acting_user=clerk)
    ls.signoff_add(license=license, item="Zoning", acting_user=supervisor)
    ls.application_approve(license=license, acting_user=supervisor)
    _pay_all(license, clerk, admin_user)
    license.refresh_from_db()
    assert license.status == License.Status.ACTIVE
    return license


def test_suspend_reinstate_revoke_with_reasons(active, supervisor, clerk):
    with pytest.raises(NotAllowed):
        ls.license_suspend(license=active, reason="x", acting_user=clerk)
    with pytest.raises(RevenueError, match="reason"):
        ls.license_suspend(license=active, reason=" ", acting_user=supervisor)
    ls.license_suspend(license=active, reason="Health permit lapsed", acting_user=supervisor)
    assert selectors.verify(active.number)["status"] == "Suspended"
    ls.license_reinstate(license=active, reason="Permit renewed", acting_user=supervisor)
    ls.license_revoke(license=active, reason="Fraud", acting_user=supervisor)
    assert selectors.verify(active.number)["status"] == "Revoked"
    with pytest.raises(RevenueError):
        ls.license_reinstate(license=active, reason="no", acting_user=supervisor)


def test_a_change_of_location_closes_the_old_license_when_the_new_one_is_issued(
    active, clerk, supervisor, admin_user
):
    new = ls.license_change(license=active, acting_user=clerk, location_address="77 Harbor Blvd")
    active.refresh_from_db()
    assert active.status == License.Status.ACTIVE and new.replaces == active  # still valid meanwhile
    ls.signoff_add(license=new, item="Zoning", acting_user=supervisor)
    ls.application_approve(license=new, acting_user=supervisor)
    from cashiering import services as cs
    from cashiering.models import CashierSession

    session = CashierSession.objects.get(clerk=clerk, status="open")
    charges = list(new.charges())
    cs.receipt_issue(
        session=session,
        payer=new.business.party,
        acting_user=clerk,
        items=[cs.Item(charge=c, amount=c.balance) for c in charges],
        tenders=[cs.TenderIn("cash", sum((c.balance for c in charges), D("0")))],
    )
    active.refresh_from_db()
    new.refresh_from_db()
    assert new.status == License.Status.ACTIVE and active.status == License.Status.CLOSED
    assert (
        new.business.location_address == "77 Harbor Blvd"
        and active.status_reason == f"Replaced by {new.number}"
    )


def test_next_years_schedule_by_a_percentage_rounded_to_the_dollar(classes, supervisor, clerk, tax_year):
    with pytest.raises(NotAllowed):
        ls.schedule_roll_forward(from_year=2026, percent="3.2", acting_user=clerk)
    with pytest.raises(RevenueError, match="±50%"):
        ls.schedule_roll_forward(from_year=2026, percent="75", acting_user=supervisor)
    assert ls.schedule_roll_forward(from_year=2026, percent="3.2", acting_user=supervisor) == 4
    pro = TaxRule.objects.get(classification=classes["PRO"], tax_year=2027)
    assert (pro.base_amount, pro.per_employee, pro.maximum_tax) == (D("103.00"), D("15.00"), D("1032.00"))
    ret = TaxRule.objects.get(classification=classes["RET"], tax_year=2027)
    assert [(b.floor, b.fixed) for b in ret.brackets.order_by("floor")] == [
        (D("0.00"), D("77.00")),
        (D("50000.00"), D("77.00")),
        (D("250000.00"), D("284.00")),
    ]
    assert ls.schedule_roll_forward(from_year=2026, percent="3.2", acting_user=supervisor) == 0  # once only


def test_status_changes_through_the_web(client, active, supervisor, auditor):
    client.force_login(auditor)
    assert (
        client.post(
            reverse("licensing:status_change", args=[active.number, "suspend"]), {"reason": "x"}
        ).status_code
        == 302
    )
    active.refresh_from_db()
    assert active.status == License.Status.ACTIVE  # refused: the auditor changes nothing
    client.force_login(supervisor)
    client.post(reverse("licensing:status_change", args=[active.number, "suspend"]), {"reason": "Complaint"})
    active.refresh_from_db()
    assert active.status == License.Status.SUSPENDED
    assert client.post(reverse("licensing:status_change", args=[active.number, "explode"])).status_code == 404


def test_a_closed_business_is_closed_by_the_counter(active, clerk):
    ls.license_close(license=active, reason="Owner retired", acting_user=clerk)
    shown = selectors.verify(active.number)
    assert shown["status"] == "Closed" and shown["valid_to"] == active.valid_to  # the period stays visible


def test_a_reversed_change_of_location_leaves_the_old_license_standing(
    make_business, clerk, supervisor, admin_user
):
    from cashiering import services as cs

    old = ls.application_submit(business=make_business(code="HOME"), acting_user=clerk)
    ls.signoff_add(license=old, item="Zoning", acting_user=supervisor)
    ls.application_approve(license=old, acting_user=supervisor)
    _receipt, session = _pay_all(old, clerk, admin_user)
    new = ls.license_change(license=old, acting_user=clerk, location_address="9 Pier Rd")
    ls.signoff_add(license=new, item="Zoning", acting_user=supervisor)
    ls.application_approve(license=new, acting_user=supervisor)
    charges = list(new.charges())
    receipt = cs.receipt_issue(
        session=session,
        payer=new.business.party,
        acting_user=clerk,
        items=[cs.Item(charge=c, amount=c.balance) for c in charges],
        tenders=[cs.TenderIn("cash", sum((c.balance for c in charges), D("0")))],
    )
    old.refresh_from_db()
    assert old.status == License.Status.CLOSED
    req = cs.receipt_void_request(receipt=receipt, reason="wrong", acting_user=clerk)
    services.approval_decide(request=req, approve=True, acting_user=supervisor)
    old.refresh_from_db()
    new.refresh_from_db()
    assert (old.status, new.status) == (License.Status.ACTIVE, License.Status.ASSESSED)
