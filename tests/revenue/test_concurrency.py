"""Two clerks racing on real connections: locks keep a charge from being paid twice."""

import threading

import pytest
from django.db import connection

from revenue import services
from revenue.exceptions import OverApplied
from revenue.models import Charge, Payment
from tests.conftest import D, balance_of


@pytest.mark.django_db(transaction=True)
def test_two_clerks_paying_the_same_charge_at_once_pay_it_once(
    party, make_charge, undeposited, clerk, senior_clerk, accounts
):
    charge = make_charge(party, "75.00")
    barrier = threading.Barrier(2)
    outcomes = []

    def pay(user):
        try:
            barrier.wait()
            services.payment_post(
                party=party,
                amount=D("75.00"),
                applications=[(charge, D("75.00"))],
                debit_account=undeposited,
                acting_user=user,
                allow_credit=False,
            )
            outcomes.append("paid")
        except OverApplied:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=pay, args=(u,)) for u in (clerk, senior_clerk)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["paid", "refused"]
    assert Charge.objects.get(pk=charge.pk).amount_paid == D("75.00")
    assert Payment.objects.count() == 1
    assert balance_of(accounts["100-1210"]) == D("0.00")
