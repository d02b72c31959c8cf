"""A check the bank returned: out of the bank, charges open again, fee, no checks for a while."""

import pytest
from django.dispatch import receiver
from django.urls import reverse

from cashiering import services as cs
from cashiering.models import CheckRestriction, ReturnedCheck
from revenue import roles, selectors, services
from revenue.exceptions import NotAllowed
from revenue.models import Charge
from revenue.signals import charge_reopened
from tests.conftest import D, balance_of
from tests.pdf import pdf_text


@pytest.fixture
def deposited(open_session, clerk, supervisor, other_supervisor, party, make_charge):
    """One receipt: 120.00 license tax and 35.50 notary paid by a 100.00 check and 55.50 cash; deposited."""
    tax, notary = make_charge(party, "120.00", "License tax"), make_charge(party, "35.50", "Notary")
    receipt = cs.receipt_issue(
        session=open_session,
        payer=party,
        acting_user=clerk,
        items=[cs.Item(charge=tax, amount=D("120.00")), cs.Item(charge=notary, amount=D("35.50"))],
        tenders=[cs.TenderIn("check", D("100.00"), "1042", "Rosa Alvarez"), cs.TenderIn("cash", D("55.50"))],
    )
    check = receipt.tenders.get(kind="check")
    counts = dict(open_session.opening_counts)
    counts["b50"], counts["b5"], counts["c50"] = 1, counts.get("b5", 0) + 1, 1
    session = cs.session_close(
        session=open_session,
        counted_counts=counts,
        confirmed_check_ids=[check.pk],
        card_batch_total="0",
        explanation="",
        acting_user=clerk,
    )
    cs.session_sign_off(session=session, acting_user=supervisor)
    deposit = cs.deposit_prepare(sessions=[session], acting_user=supervisor)
    cs.deposit_confirm(deposit=deposit, bank_reference="BK-1", acting_user=other_supervisor)
    return {"receipt": receipt, "check": check, "tax": tax, "notary": notary, "deposit": deposit}


@pytest.fixture
def heard():
    events = []

    @receiver(charge_reopened, sender=Charge, weak=False)
    def on_reopened(sender, charge, acting_user, **kw):
        events.append(charge.source_number)

    yield events
    charge_reopened.disconnect(on_reopened, sender=Charge)


def test_a_returned_check_reopens_what_it_paid_and_assesses_the_fee(
    deposited, supervisor, accounts, party, heard
):
    bank_before = balance_of(accounts["100-1010"])
    returned = cs.check_return(tender=deposited["check"], reason="Insufficient funds", acting_user=supervisor)
    tax, notary = deposited["tax"], deposited["notary"]
    tax.refresh_from_db()
    notary.refresh_from_db()
    # the cash (55.50) pays the lines again in order: the tax first, so 64.50 of it is open again
    assert (tax.balance, notary.balance) == (D("64.50"), D("35.50"))
    assert balance_of(accounts["100-1010"]) == bank_before - D("100.00")  # only the check left the bank
    assert balance_of(accounts["100-1050"]) == D("0.00") and balance_of(accounts["100-1051"]) == D("0.00")
    assert returned.fee_charge.amount == D("35.00") and returned.fee_charge.source_number == returned.number
    assert returned.deposit == deposited["deposit"]
    assert CheckRestriction.objects.get(party=party).until == services.city_today() + __import__(
        "datetime"
    ).timedelta(days=180)
    assert set(heard) >= {tax.source_number, notary.source_number}
    assert selectors.trial_balance(as_of=services.city_today()).in_balance


def test_the_counter_refuses_their_next_check(
    deposited, supervisor, counter, senior_clerk, party, make_charge
):
    cs.check_return(tender=deposited["check"], reason="Account closed", acting_user=supervisor)
    session = cs.session_open(drawer=counter["D2"], clerk=senior_clerk, opening_counts={})
    with pytest.raises(cs.ChecksRefused):
        cs.receipt_issue(
            session=session,
            payer=party,
            acting_user=senior_clerk,
            items=[cs.Item(charge=make_charge(party, "5.00"), amount=D("5.00"))],
            tenders=[cs.TenderIn("check", D("5.00"), "1043", "Rosa Alvarez")],
        )


def test_a_check_is_returned_once_and_only_after_deposit(
    deposited, supervisor, open_session, party, make_charge, clerk
):
    cs.check_return(tender=deposited["check"], reason="NSF", acting_user=supervisor)
    with pytest.raises(services.RevenueError, match="already recorded"):
        cs.check_return(tender=deposited["check"], reason="NSF", acting_user=supervisor)


def test_an_undeposited_check_cannot_come_back(open_session, clerk, supervisor, party, make_charge):
    receipt = cs.receipt_issue(
        session=open_session,
        payer=party,
        acting_user=clerk,
        items=[cs.Item(charge=make_charge(party, "5.00"), amount=D("5.00"))],
        tenders=[cs.TenderIn("check", D("5.00"), "7", "R A")],
    )
    with pytest.raises(services.RevenueError, match="not been deposited"):
        cs.check_return(tender=receipt.tenders.get(), reason="NSF", acting_user=supervisor)
    assert ReturnedCheck.objects.count() == 0


def test_a_first_level_clerk_cannot_record_a_returned_check(deposited, clerk):
    with pytest.raises(NotAllowed):
        cs.check_return(tender=deposited["check"], reason="NSF", acting_user=clerk)


def test_returned_check_through_the_web_with_its_notice(client, deposited, senior_clerk, party, office):
    client.force_login(senior_clerk)
    page = client.get(deposited["receipt"].get_absolute_url())
    assert page.context["returnable"] == [deposited["check"]]
    response = client.post(
        reverse("cashiering:check_return", args=[deposited["check"].pk]),
        {"reason": "Insufficient funds", "returned_on": services.city_today().isoformat()},
        follow=True,
    )
    returned = ReturnedCheck.objects.get()
    assert f"{returned} recorded" in response.content.decode()
    text = pdf_text(client.get(reverse("cashiering:returned_check_notice", args=[returned.number])).content)
    assert "1042" in text and "Insufficient funds" in text and "$135.00" in text  # 64.50 + 35.50 + 35.00 fee
    assert party.name in text
    assert office.phone in text and "Si necesita ayuda en español" in " ".join(text.split())


def _close_sign_deposit(session, clerk, supervisor, confirmed, counts=None):
    session = cs.session_close(
        session=session,
        counted_counts=counts or session.opening_counts,
        confirmed_check_ids=confirmed,
        card_batch_total="0",
        explanation="counted",
        acting_user=clerk,
    )
    cs.session_sign_off(session=session, acting_user=supervisor)
    deposit = cs.deposit_prepare(sessions=[session], acting_user=supervisor)
    cs.deposit_confirm(deposit=deposit, bank_reference="BK", acting_user=_another_supervisor(supervisor))
    return deposit


def _another_supervisor(supervisor):
    """Who prepares a deposit does not also confirm it."""
    from django.contrib.auth.models import User

    return User.objects.filter(groups__name=roles.SUPERVISOR).exclude(pk=supervisor.pk).first()


def test_a_check_never_deposited_cannot_be_returned(
    other_supervisor, open_session, clerk, supervisor, party, make_charge, accounts
):
    r1 = cs.receipt_issue(
        session=open_session,
        payer=party,
        acting_user=clerk,
        items=[cs.Item(charge=make_charge(party, "100.00"), amount=D("100.00"))],
        tenders=[cs.TenderIn("check", D("100.00"), "1", "R A")],
    )
    r2 = cs.receipt_issue(
        session=open_session,
        payer=party,
        acting_user=clerk,
        items=[cs.Item(charge=make_charge(party, "50.00"), amount=D("50.00"))],
        tenders=[cs.TenderIn("check", D("50.00"), "2", "R A")],
    )
    _close_sign_deposit(open_session, clerk, supervisor, [r2.tenders.get().pk])
    with pytest.raises(services.RevenueError, match="never went to the bank"):
        cs.check_return(tender=r1.tenders.get(), reason="NSF", acting_user=supervisor)
    assert balance_of(accounts["100-1010"]) == D("50.00")


def test_a_returned_check_leaves_the_card_part_with_the_card_processor(
    open_session, clerk, supervisor, other_supervisor, party, make_charge, accounts
):
    charge = make_charge(party, "100.00")
    receipt = cs.receipt_issue(
        session=open_session,
        payer=party,
        acting_user=clerk,
        items=[cs.Item(charge=charge, amount=D("100.00"))],
        tenders=[
            cs.TenderIn("check", D("60.00"), "3", "R A"),
            cs.TenderIn("card", D("40.00"), "AUTH", card_last4="4242"),
        ],
    )
    session = cs.session_close(
        session=open_session,
        counted_counts=open_session.opening_counts,
        confirmed_check_ids=[receipt.tenders.get(kind="check").pk],
        card_batch_total="40.00",
        explanation="",
        acting_user=clerk,
    )
    cs.session_sign_off(session=session, acting_user=supervisor)
    deposit = cs.deposit_prepare(sessions=[session], acting_user=supervisor)
    cs.deposit_confirm(deposit=deposit, bank_reference="BK", acting_user=other_supervisor)
    cs.check_return(tender=receipt.tenders.get(kind="check"), reason="NSF", acting_user=supervisor)
    assert balance_of(accounts["100-1010"]) == D("0.00")  # the 60.00 check came back out of the bank
    assert balance_of(accounts["100-1060"]) == D("40.00")  # the card money is still due from the processor
    charge.refresh_from_db()
    assert charge.balance == D("60.00")


def test_a_bounced_check_whose_credit_was_refunded_is_owed_back(
    open_session, clerk, supervisor, other_supervisor, party, make_charge, accounts
):
    charge = make_charge(party, "20.00")
    receipt = cs.receipt_issue(
        session=open_session,
        payer=party,
        acting_user=clerk,
        items=[cs.Item(charge=charge, amount=D("20.00"))],
        tenders=[cs.TenderIn("check", D("500.00"), "4", "R A")],
    )
    _close_sign_deposit(open_session, clerk, supervisor, [receipt.tenders.get().pk])
    refund = services.approval_request(
        kind="refund", target=party, amount="480.00", reason="overpaid", acting_user=clerk
    )
    services.approval_decide(request=refund, approve=True, acting_user=other_supervisor)
    returned = cs.check_return(tender=receipt.tenders.get(), reason="NSF", acting_user=supervisor)
    assert returned.credit_charge.amount == D("480.00")
    charge.refresh_from_db()
    assert charge.balance == D("20.00")
    assert balance_of(accounts["100-1010"]) == D("0.00")
    assert party.credit_balance() == D("0.00")
    assert selectors.trial_balance(as_of=services.city_today()).in_balance


@pytest.mark.parametrize("day", ["9999-12-31", "1900-01-01"])
def test_an_impossible_return_date_is_a_message(client, deposited, supervisor, day):
    client.force_login(supervisor)
    response = client.post(
        reverse("cashiering:check_return", args=[deposited["check"].pk]),
        {"reason": "NSF", "returned_on": day},
    )
    assert response.status_code == 200 and "not in the future" in response.content.decode()
    assert ReturnedCheck.objects.count() == 0
