"""Two clerks racing on real connections: locks keep a charge from being paid twice."""

import threading

import pytest
from django.db import connection

from revenue import services
from revenue.exceptions import OverApplied
from revenue.models import Charge, Payment
from tests.conftest import D, balance_of


def _race(*jobs):
    """Run the jobs at the same moment on their own connections; return what each raised or None."""
    barrier = threading.Barrier(len(jobs))
    outcomes = [None] * len(jobs)

    def run(i, job):
        try:
            barrier.wait()
            job()
        except Exception as exc:  # noqa: BLE001 - the outcome is the assertion
            outcomes[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, job)) for i, job in enumerate(jobs)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return outcomes


@pytest.mark.django_db(transaction=True)
def test_two_clerks_paying_the_same_charge_at_once_pay_it_once(
    party, make_charge, undeposited, clerk, senior_clerk, accounts
):
    charge = make_charge(party, "75.00")

    def pay(user):
        return lambda: services.payment_post(
            party=party,
            amount=D("75.00"),
            applications=[(charge, D("75.00"))],
            debit_account=undeposited,
            acting_user=user,
            allow_credit=False,
        )

    outcomes = _race(pay(clerk), pay(senior_clerk))
    assert sorted(type(o).__name__ for o in outcomes) == ["NoneType", "OverApplied"], outcomes
    assert Charge.objects.get(pk=charge.pk).amount_paid == D("75.00")
    assert Payment.objects.count() == 1
    assert balance_of(accounts["100-1210"]) == D("0.00")


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("round_", range(5))
def test_cash_and_credit_on_the_same_charge_at_once_never_deadlock(
    party, make_charge, undeposited, clerk, senior_clerk, round_
):
    first = make_charge(party, "40.00")
    services.payment_post(
        party=party,
        amount=D("60.00"),
        applications=[(first, D("40.00"))],
        debit_account=undeposited,
        acting_user=clerk,
    )  # leaves 20.00 on account
    charge = make_charge(party, "15.00")
    outcomes = _race(
        lambda: services.payment_post(
            party=party,
            amount=D("15.00"),
            applications=[(charge, D("15.00"))],
            debit_account=undeposited,
            acting_user=clerk,
            allow_credit=False,
        ),
        lambda: services.credit_apply(
            party=party, applications=[(charge, D("15.00"))], acting_user=senior_clerk
        ),
    )
    assert sorted(type(o).__name__ for o in outcomes) == ["NoneType", "OverApplied"], outcomes
    assert Charge.objects.get(pk=charge.pk).amount_paid == D("15.00")


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("round_", range(5))
def test_a_reversal_and_a_new_payment_for_the_same_party_at_once_never_deadlock(
    party, make_charge, undeposited, clerk, senior_clerk, round_
):
    a, b = make_charge(party, "10.00"), make_charge(party, "20.00")
    paid = services.payment_post(
        party=party,
        amount=D("10.00"),
        applications=[(a, D("10.00"))],
        debit_account=undeposited,
        acting_user=clerk,
    )
    outcomes = _race(
        lambda: services.payment_reverse(payment=paid, acting_user=clerk, reason="NSF"),
        lambda: services.payment_post(
            party=party,
            amount=D("30.00"),
            applications=[(a, D("10.00")), (b, D("20.00"))],
            debit_account=undeposited,
            acting_user=senior_clerk,
        ),
    )
    assert outcomes[0] is None
    assert outcomes[1] is None or isinstance(outcomes[1], OverApplied), outcomes
    a.refresh_from_db()
    assert a.amount_paid == (D("10.00") if outcomes[1] is None else D("0.00"))


@pytest.mark.django_db(transaction=True)
def test_the_same_form_posted_twice_at_once_does_the_work_once(party, fees, clerk):
    import uuid

    from django.db import transaction

    from revenue.exceptions import DuplicateSubmission

    token = uuid.uuid4()

    def submit():
        with transaction.atomic():
            services.submission_claim(key=token, user=clerk)
            services.charge_assess_fee(party=party, fee_type=fees["NOTARY"], acting_user=clerk)

    outcomes = _race(submit, submit)
    assert sorted(type(o).__name__ for o in outcomes) == ["DuplicateSubmission", "NoneType"]
    assert isinstance([o for o in outcomes if o][0], DuplicateSubmission)
    assert Charge.objects.filter(party=party).count() == 1
