"""Payments applied to charges: partial, overpayment to credit, credit used, reversal."""

import pytest
from django.dispatch import receiver

from revenue import services
from revenue.exceptions import (
    AlreadyReversed,
    InsufficientCredit,
    InvalidAmount,
    OverApplied,
    OverpaymentRefused,
)
from revenue.models import Charge, Payment
from revenue.signals import charge_reopened, charge_settled
from tests.conftest import D, balance_of


@pytest.fixture
def heard():
    """What the source objects were told."""
    events = []

    @receiver(charge_settled, sender=Charge, weak=False)
    def on_settled(sender, charge, acting_user, **kw):
        events.append(("settled", charge.source_number))

    @receiver(charge_reopened, sender=Charge, weak=False)
    def on_reopened(sender, charge, acting_user, **kw):
        events.append(("reopened", charge.source_number))

    yield events
    charge_settled.disconnect(on_settled, sender=Charge)
    charge_reopened.disconnect(on_reopened, sender=Charge)


def test_partial_payment_leaves_the_balance_to_the_cent(
    party, make_charge, undeposited, clerk, accounts, heard
):
    charge = make_charge(party, "100.00")
    services.payment_post(
        party=party,
        amount=D("33.33"),
        applications=[(charge, D("33.33"))],
        debit_account=undeposited,
        acting_user=clerk,
    )
    charge.refresh_from_db()
    assert charge.amount_paid == D("33.33")
    assert charge.balance == D("66.67")
    assert balance_of(accounts["100-1210"]) == D("66.67")
    assert balance_of(undeposited) == D("33.33")
    assert heard == []  # not settled yet


def test_payment_across_two_charges_settles_both_and_tells_their_sources(
    party, make_charge, undeposited, clerk, heard
):
    a, b = make_charge(party, "10.00"), make_charge(party, "15.50")
    services.payment_post(
        party=party,
        amount=D("25.50"),
        applications=[(a, D("10.00")), (b, D("15.50"))],
        debit_account=undeposited,
        acting_user=clerk,
    )
    a.refresh_from_db()
    b.refresh_from_db()
    assert a.is_settled and b.is_settled
    assert sorted(heard) == sorted([("settled", a.source_number), ("settled", b.source_number)])


def test_overpayment_goes_to_credit_on_account(party, make_charge, undeposited, clerk, accounts):
    charge = make_charge(party, "40.00")
    payment = services.payment_post(
        party=party,
        amount=D("50.00"),
        applications=[(charge, D("40.00"))],
        debit_account=undeposited,
        acting_user=clerk,
    )
    assert payment.credit_amount == D("10.00")
    assert party.credit_balance() == D("10.00")
    assert balance_of(accounts["100-2150"]) == D("-10.00")


def test_overpayment_is_refused_when_credit_is_not_allowed(party, make_charge, undeposited, clerk):
    charge = make_charge(party, "40.00")
    with pytest.raises(OverpaymentRefused, match="10.00 more"):
        services.payment_post(
            party=party,
            amount=D("50.00"),
            applications=[(charge, D("40.00"))],
            debit_account=undeposited,
            acting_user=clerk,
            allow_credit=False,
        )
    assert Payment.objects.count() == 0


def test_credit_on_account_pays_a_later_charge(party, make_charge, undeposited, clerk):
    first = make_charge(party, "40.00")
    services.payment_post(
        party=party,
        amount=D("50.00"),
        applications=[(first, D("40.00"))],
        debit_account=undeposited,
        acting_user=clerk,
    )
    later = make_charge(party, "7.25")
    services.credit_apply(party=party, applications=[(later, D("7.25"))], acting_user=clerk)
    later.refresh_from_db()
    assert later.is_settled
    assert party.credit_balance() == D("2.75")
    with pytest.raises(InsufficientCredit):
        services.credit_apply(
            party=party, applications=[(make_charge(party, "5.00"), D("5.00"))], acting_user=clerk
        )


def test_applying_more_than_the_balance_is_refused(party, make_charge, undeposited, clerk):
    charge = make_charge(party, "20.00")
    with pytest.raises(OverApplied, match="balance of 20.00"):
        services.payment_post(
            party=party,
            amount=D("25.00"),
            applications=[(charge, D("25.00"))],
            debit_account=undeposited,
            acting_user=clerk,
        )
    charge.refresh_from_db()
    assert charge.amount_paid == D("0.00")


@pytest.mark.parametrize("bad", ["-5.00", "0", "1.005", "12345678901.00", "abc"])
def test_bad_payment_amounts_are_refused(party, make_charge, undeposited, clerk, bad):
    charge = make_charge(party, "20.00")
    with pytest.raises(InvalidAmount):
        services.payment_post(
            party=party,
            amount=bad,
            applications=[(charge, D("1.00"))],
            debit_account=undeposited,
            acting_user=clerk,
        )
    assert Payment.objects.count() == 0


def test_a_reversed_payment_reopens_its_charges(party, make_charge, undeposited, clerk, accounts, heard):
    a, b = make_charge(party, "30.00"), make_charge(party, "20.00")
    payment = services.payment_post(
        party=party,
        amount=D("45.00"),
        applications=[(a, D("30.00")), (b, D("15.00"))],
        debit_account=undeposited,
        acting_user=clerk,
    )
    heard.clear()
    services.payment_reverse(payment=payment, acting_user=clerk, reason="Check returned NSF")
    a.refresh_from_db()
    b.refresh_from_db()
    payment.refresh_from_db()
    assert (a.balance, b.balance) == (D("30.00"), D("20.00"))
    assert (
        payment.status == Payment.Status.REVERSED and payment.reversal_entry.reverses == payment.journal_entry
    )
    assert balance_of(accounts["100-1210"]) == D("50.00")
    assert balance_of(undeposited) == D("0.00")
    assert heard == [("reopened", a.source_number)]  # b was never settled
    with pytest.raises(AlreadyReversed):
        services.payment_reverse(payment=payment, acting_user=clerk, reason="again")


def test_reversal_is_refused_when_its_credit_was_already_used(party, make_charge, undeposited, clerk):
    first = make_charge(party, "40.00")
    payment = services.payment_post(
        party=party,
        amount=D("50.00"),
        applications=[(first, D("40.00"))],
        debit_account=undeposited,
        acting_user=clerk,
    )
    services.credit_apply(
        party=party, applications=[(make_charge(party, "10.00"), D("10.00"))], acting_user=clerk
    )
    with pytest.raises(InsufficientCredit):
        services.payment_reverse(payment=payment, acting_user=clerk, reason="NSF")
    payment.refresh_from_db()
    assert payment.status == Payment.Status.POSTED


def test_a_payment_split_across_tenders_debits_each_tender_account(party, make_charge, accounts, clerk):
    charge = make_charge(party, "100.00")
    cash, checks = accounts["100-1050"], accounts["100-1010"]
    payment = services.payment_post(
        party=party,
        amount=D("100.00"),
        applications=[(charge, D("100.00"))],
        debits=[(cash, D("40.00")), (checks, D("60.00"))],
        acting_user=clerk,
    )
    debits = {ln.account.number: ln.debit for ln in payment.journal_entry.lines.filter(debit__gt=0)}
    assert debits == {"100-1050": D("40.00"), "100-1010": D("60.00")}


def test_tenders_that_do_not_add_up_to_the_payment_are_refused(party, make_charge, accounts, clerk):
    from revenue.exceptions import Unbalanced

    charge = make_charge(party, "100.00")
    with pytest.raises(Unbalanced, match="tenders come to 99.99"):
        services.payment_post(
            party=party,
            amount=D("100.00"),
            applications=[(charge, D("100.00"))],
            debits=[(accounts["100-1050"], D("99.99"))],
            acting_user=clerk,
        )
    assert Payment.objects.count() == 0
