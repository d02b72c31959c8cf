"""Voids within the open session; close-out against the expected drawer; supervisor sign-off."""

import pytest

from cashiering import services as cs
from cashiering.models import CashierSession, Receipt
from revenue import selectors, services
from revenue.exceptions import NotAllowed
from revenue.models import ApprovalRequest, Charge
from tests.conftest import D, balance_of


@pytest.fixture
def paid(open_session, party, make_charge, clerk, fees):
    charge = make_charge(party, "60.00")
    receipt = cs.receipt_issue(
        session=open_session,
        payer=party,
        acting_user=clerk,
        items=[cs.Item(charge=charge, amount=D("60.00")), cs.Item(fee_type=fees["COPY"], quantity=4)],
        tenders=[cs.TenderIn("cash", D("100.00"))],
    )
    return charge, receipt


def test_a_clerk_requests_a_void_and_a_supervisor_approves_it(paid, clerk, supervisor, accounts):
    charge, receipt = paid
    req = cs.receipt_void_request(receipt=receipt, reason="Wrong account", acting_user=clerk)
    assert req.status == "pending"
    services.approval_decide(request=req, approve=True, acting_user=supervisor)
    receipt.refresh_from_db()
    charge.refresh_from_db()
    assert receipt.status == Receipt.Status.VOIDED and charge.balance == D("60.00")
    copies = receipt.lines.get(assessed_here=True).charge
    copies.refresh_from_db()
    assert copies.balance == D("0.00") and copies.amount_adjusted == D("1.00")  # the counter fee is cancelled
    assert balance_of(accounts["100-1050"]) == D("0.00")
    assert balance_of(accounts["100-4120"]) == D("0.00")
    assert selectors.trial_balance(as_of=services.city_today()).in_balance


def test_nobody_voids_their_own_receipt_on_their_own_authority_whatever_their_limit(
    senior_session, senior_clerk, supervisor, party, make_charge, role_groups, admin_user
):
    import datetime

    from revenue import roles
    from revenue.models import ExceptionLimit

    ExceptionLimit.objects.create(
        role=role_groups[roles.ASR_II],
        kind="void",
        max_amount=D("100.00"),
        effective_from=datetime.date(2024, 7, 1),
        created_by=admin_user,
    )
    receipt = cs.receipt_issue(
        session=senior_session,
        payer=party,
        acting_user=senior_clerk,
        items=[cs.Item(charge=make_charge(party, "60.00"), amount=D("60.00"))],
        tenders=[cs.TenderIn("cash", D("60.00"))],
    )
    req = cs.receipt_void_request(receipt=receipt, reason="Customer changed mind", acting_user=senior_clerk)
    receipt.refresh_from_db()
    assert req.status == ApprovalRequest.Status.PENDING and receipt.status == Receipt.Status.POSTED
    assert "You took this payment" in req.decision_note
    services.approval_decide(request=req, approve=True, acting_user=supervisor)
    receipt.refresh_from_db()
    assert receipt.status == Receipt.Status.VOIDED


def test_nobody_asks_to_void_another_clerks_receipt(paid, senior_clerk):
    _charge, receipt = paid
    with pytest.raises(NotAllowed, match="whose session took the payment"):
        cs.receipt_void_request(receipt=receipt, reason="not mine", acting_user=senior_clerk)
    assert not ApprovalRequest.objects.exists()


def test_the_supervisor_who_took_the_money_cannot_approve_its_void(
    counter, supervisor, other_supervisor, party, make_charge
):
    session = cs.session_open(drawer=counter["D3"], clerk=supervisor, opening_counts={})
    receipt = cs.receipt_issue(
        session=session,
        payer=party,
        acting_user=supervisor,
        items=[cs.Item(charge=make_charge(party, "10.00"), amount=D("10.00"))],
        tenders=[cs.TenderIn("cash", D("10.00"))],
    )
    req = cs.receipt_void_request(receipt=receipt, reason="Keyed twice", acting_user=other_supervisor)
    with pytest.raises(NotAllowed, match="took this payment"):
        services.approval_decide(request=req, approve=True, acting_user=supervisor)
    receipt.refresh_from_db()
    assert receipt.status == Receipt.Status.POSTED


def test_a_void_of_a_closed_sessions_receipt_is_refused(paid, clerk, open_session):
    _charge, receipt = paid
    cs.session_close(
        session=open_session,
        counted_counts={"b20": 8, "b5": 8, "b1": 11, "c25": 40},
        confirmed_check_ids=[],
        card_batch_total="0",
        explanation="",
        acting_user=clerk,
    )
    with pytest.raises(cs.SessionClosed):
        cs.receipt_void_request(receipt=receipt, reason="late", acting_user=clerk)


def test_close_out_expected_cash_is_float_plus_cash_taken_less_change(
    open_session, paid, clerk, party, make_charge
):
    # float 160.00; receipt 1: 61.00 due, 100.00 handed over, 39.00 change → 61.00 kept
    cs.receipt_issue(
        session=open_session,
        payer=party,
        acting_user=clerk,
        items=[cs.Item(charge=make_charge(party, "25.00"), amount=D("25.00"))],
        tenders=[cs.TenderIn("check", D("25.00"), "300", "R A")],
    )
    expected = cs.session_expected(open_session)
    assert expected == {"cash": D("221.00"), "checks": D("25.00"), "cards": D("0.00")}


def test_a_shortage_beyond_the_policy_needs_an_explanation(open_session, paid, clerk):
    counted = {"b100": 1, "b20": 5, "b10": 1, "b1": 4, "c25": 4}  # 215.00 of 221.00: 6.00 short, over 5.00
    with pytest.raises(
        services.RevenueError, match=r"The drawer is \$6\.00 short: more than the \$5\.00 allowed"
    ):
        cs.session_close(
            session=open_session,
            counted_counts=counted,
            confirmed_check_ids=[],
            card_batch_total="0",
            explanation="",
            acting_user=clerk,
        )
    open_session.refresh_from_db()
    assert open_session.is_open
    cs.session_close(
        session=open_session,
        counted_counts=counted,
        confirmed_check_ids=[],
        card_batch_total="0",
        explanation="Two customers at once; recounted twice",
        acting_user=clerk,
    )


def test_close_out_with_a_dollar_short_and_sign_off_posts_it(open_session, paid, clerk, supervisor, accounts):
    counted = {"b100": 1, "b20": 5, "b10": 1, "b5": 0, "b1": 9, "c25": 4}  # 220.00 of 221.00 expected
    session = cs.session_close(
        session=open_session,
        counted_counts=counted,
        confirmed_check_ids=[],
        card_batch_total="0",
        explanation="Gave a dollar too much change",
        acting_user=clerk,
    )
    assert session.status == CashierSession.Status.CLOSED
    assert session.over_short() == {"cash": D("-1.00"), "checks": D("0.00"), "cards": D("0.00")}

    with pytest.raises(NotAllowed):
        cs.session_sign_off(session=session, acting_user=clerk)
    cs.session_sign_off(session=session, acting_user=supervisor)
    session.refresh_from_db()
    assert session.status == CashierSession.Status.SIGNED_OFF and session.signed_off_by == supervisor
    assert balance_of(accounts["100-7990"]) == D("1.00")  # over/short expense
    assert balance_of(accounts["100-1050"]) == D("60.00")  # 61.00 taken less the 1.00 short
    assert selectors.trial_balance(as_of=services.city_today()).in_balance


def test_a_small_difference_needs_no_explanation(open_session, clerk):
    session = cs.session_close(
        session=open_session,
        counted_counts={"b20": 5, "b5": 8, "b1": 10, "c25": 39},
        confirmed_check_ids=[],
        card_batch_total="0",
        explanation="",
        acting_user=clerk,
    )
    assert session.over_short_total == D("-0.25")


def test_an_unconfirmed_check_counts_as_missing(open_session, clerk, party, make_charge):
    receipt = cs.receipt_issue(
        session=open_session,
        payer=party,
        acting_user=clerk,
        items=[cs.Item(charge=make_charge(party, "4.00"), amount=D("4.00"))],
        tenders=[cs.TenderIn("check", D("4.00"), "12", "R A")],
    )
    session = cs.session_close(
        session=open_session,
        counted_counts=open_session.opening_counts,
        confirmed_check_ids=[],
        card_batch_total="0",
        explanation="",
        acting_user=clerk,
    )
    assert session.over_short()["checks"] == D("-4.00")
    assert receipt.tenders.get().kind == "check"


def test_no_receipt_after_close(open_session, clerk, party, make_charge):
    cs.session_close(
        session=open_session,
        counted_counts=open_session.opening_counts,
        confirmed_check_ids=[],
        card_batch_total="0",
        explanation="",
        acting_user=clerk,
    )
    with pytest.raises(cs.SessionClosed):
        cs.receipt_issue(
            session=open_session,
            payer=party,
            acting_user=clerk,
            items=[cs.Item(charge=make_charge(party, "4.00"), amount=D("4.00"))],
            tenders=[cs.TenderIn("cash", D("4.00"))],
        )
    assert not Charge.objects.filter(amount_paid__gt=0).exists()
