"""charges_assess_set with a party and a revenue account per row (a bill run's chunk: many
customers, water and sewer revenue in one entry) and balanced extra lines; charges_withdraw_set
takes such a set back whole, or refuses when any of it was paid."""

import pytest
from django.db import transaction

from revenue import services
from revenue.exceptions import RevenueError, Unbalanced
from revenue.models import Account, Charge, JournalEntry, Party
from tests.conftest import D, balance_of

pytestmark = pytest.mark.django_db

ROWS = """
    SELECT p.id AS source_id, 'X-' || p.number AS source_number, 'Service ' || p.number AS description,
           v.amount, current_date AS assessed_on, current_date AS due_on, p.id AS party_id, v.revenue_account_id
      FROM (VALUES (%(a)s::bigint, 10.00::numeric, %(water)s::bigint), (%(a)s, 4.00, %(sewer)s),
                   (%(b)s, 7.50, %(water)s)) v(party_id, amount, revenue_account_id)
      JOIN revenue_party p ON p.id = v.party_id
"""


def _assess(accounts, admin_user, party, other_party, extra=()):
    return services.charges_assess_set(
        rows_sql=ROWS,
        params={
            "a": party.pk,
            "b": other_party.pk,
            "water": accounts["501-4310"].pk,
            "sewer": accounts["502-4410"].pk,
        },
        party=None,
        receivable_account=accounts["501-1210"],
        revenue_account=None,
        source_model=Party,
        memo="Test run",
        acting_user=admin_user,
        extra_lines=extra,
    )


def test_each_row_gets_its_party_and_revenue_account_in_one_entry(accounts, admin_user, party, other_party):
    entry, count, total = _assess(accounts, admin_user, party, other_party)
    assert (count, total) == (3, D("21.50"))
    charges = Charge.objects.filter(journal_entry=entry)
    assert sorted((c.party_id, c.revenue_account.number, c.amount) for c in charges) == sorted(
        [
            (party.pk, "501-4310", D("10.00")),
            (party.pk, "502-4410", D("4.00")),
            (other_party.pk, "501-4310", D("7.50")),
        ]
    )
    assert balance_of(accounts["501-1210"]) == D("21.50")
    assert balance_of(accounts["501-4310"]) == D("-17.50")
    assert balance_of(accounts["502-4410"]) == D("-4.00")
    assert JournalEntry.objects.count() == 1


def test_extra_lines_must_balance_and_post_in_the_same_entry(accounts, admin_user, party, other_party):
    credit = services.account_for_role(Account.Role.CUSTOMER_CREDIT)
    with pytest.raises(Unbalanced):
        _assess(accounts, admin_user, party, other_party, [services.Line(account=credit, credit=D("1.00"))])
    assert not Charge.objects.exists()  # atomic: nothing stayed
    extra = [
        services.Line(account=accounts["501-4310"], debit=D("3.00"), party=party),
        services.Line(account=credit, credit=D("3.00"), party=party),
    ]
    entry, _count, _total = _assess(accounts, admin_user, party, other_party, extra)
    assert party.credit_balance() == D("3.00")
    assert entry.lines.filter(account=credit).count() == 1


def test_a_set_withdrawn_leaves_every_account_as_before(accounts, admin_user, party, other_party):
    credit = services.account_for_role(Account.Role.CUSTOMER_CREDIT)
    extra = [
        services.Line(account=accounts["501-4310"], debit=D("3.00"), party=party),
        services.Line(account=credit, credit=D("3.00"), party=party),
    ]
    entry, _count, _total = _assess(accounts, admin_user, party, other_party, extra)
    services.charges_withdraw_set(entry=entry, acting_user=admin_user, reason="Wrong rates")
    for number in ("501-1210", "501-4310", "502-4410"):
        assert balance_of(accounts[number]) == D("0"), number
    assert party.credit_balance() == D("0")
    assert not Charge.objects.open().exists()
    with pytest.raises(RevenueError):
        services.charges_withdraw_set(entry=entry, acting_user=admin_user, reason="twice")


def test_a_set_with_a_paid_charge_is_not_withdrawn(accounts, admin_user, party, other_party, undeposited):
    entry, _count, _total = _assess(accounts, admin_user, party, other_party)
    charge = Charge.objects.filter(journal_entry=entry, party=other_party).get()
    services.payment_post(
        party=other_party, amount=D("7.50"), applications=[(charge, D("7.50"))], debit_account=undeposited,
        acting_user=admin_user,
    )  # fmt: skip
    with pytest.raises(RevenueError, match="paid or adjusted"), transaction.atomic():
        services.charges_withdraw_set(entry=entry, acting_user=admin_user, reason="Wrong rates")
    assert not JournalEntry.objects.filter(reverses=entry).exists()
