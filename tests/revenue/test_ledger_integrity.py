"""PostgreSQL itself keeps the ledger balanced and immutable; corrections are reversals."""

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from revenue import selectors, services
from revenue.exceptions import AlreadyReversed, Unbalanced
from revenue.models import JournalEntry, JournalLine
from revenue.services import Line
from tests.conftest import D, balance_of


def _raw_entry(user_id, number):
    with connection.cursor() as cur:
        cur.execute(
            "INSERT INTO revenue_journalentry (number, entry_date, memo, posted_at, posted_by_id) "
            "VALUES (%s, CURRENT_DATE, 'raw', %s, %s) RETURNING id",
            [number, timezone.now(), user_id],
        )
        return cur.fetchone()[0]


def _raw_line(entry_id, account_id, debit, credit):
    with connection.cursor() as cur:
        cur.execute(
            "INSERT INTO revenue_journalline (entry_id, account_id, debit, credit, memo) VALUES (%s, %s, %s, %s, '')",
            [entry_id, account_id, debit, credit],
        )


@pytest.mark.django_db(transaction=True)
def test_database_rejects_an_unbalanced_entry_inserted_with_raw_sql(accounts, admin_user):
    cash, revenue = accounts["100-1050"], accounts["100-4150"]
    with pytest.raises(IntegrityError, match="does not balance"), transaction.atomic():
        entry_id = _raw_entry(admin_user.pk, "RAW-1")
        _raw_line(entry_id, cash.pk, "10.00", "0")
        _raw_line(entry_id, revenue.pk, "0", "9.99")
    assert not JournalEntry.objects.filter(number="RAW-1").exists()


@pytest.mark.django_db(transaction=True)
def test_database_rejects_an_entry_with_fewer_than_two_lines(accounts, admin_user):
    with pytest.raises(IntegrityError, match="at least two"), transaction.atomic():
        _raw_entry(admin_user.pk, "RAW-2")
    assert not JournalEntry.objects.filter(number="RAW-2").exists()


@pytest.mark.django_db(transaction=True)
def test_a_balanced_raw_entry_commits(accounts, admin_user):
    with transaction.atomic():
        entry_id = _raw_entry(admin_user.pk, "RAW-3")
        _raw_line(entry_id, accounts["100-1050"].pk, "10.00", "0")
        _raw_line(entry_id, accounts["100-4150"].pk, "0", "10.00")
    assert JournalLine.objects.filter(entry_id=entry_id).count() == 2


@pytest.fixture
def posted(accounts, admin_user):
    return services.journal_post(
        lines=[
            Line(account=accounts["100-1050"], debit=D("50.00")),
            Line(account=accounts["100-4150"], credit=D("50.00")),
        ],
        memo="Posted",
        acting_user=admin_user,
    )


def test_database_rejects_update_of_a_posted_line(posted):
    line = posted.lines.first()
    with (
        pytest.raises(IntegrityError, match="never changed"),
        transaction.atomic(),
        connection.cursor() as cur,
    ):
        cur.execute("UPDATE revenue_journalline SET debit = 60 WHERE id = %s", [line.pk])
    line.refresh_from_db()
    assert line.debit == D("50.00")


def test_database_rejects_delete_of_a_posted_line(posted):
    with (
        pytest.raises(IntegrityError, match="never changed"),
        transaction.atomic(),
        connection.cursor() as cur,
    ):
        cur.execute("DELETE FROM revenue_journalline WHERE entry_id = %s", [posted.pk])
    assert posted.lines.count() == 2


def test_database_rejects_update_or_delete_of_a_posted_entry(posted):
    with pytest.raises(IntegrityError), transaction.atomic():
        JournalEntry.objects.filter(pk=posted.pk).update(memo="changed")
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cur:
        cur.execute("DELETE FROM revenue_journalentry WHERE id = %s", [posted.pk])
    posted.refresh_from_db()
    assert posted.memo == "Posted"


def test_journal_post_refuses_an_unbalanced_entry_and_writes_nothing(accounts, admin_user):
    before = JournalEntry.objects.count()
    with pytest.raises(Unbalanced, match="does not balance"):
        services.journal_post(
            lines=[
                Line(account=accounts["100-1050"], debit=D("10.00")),
                Line(account=accounts["100-4150"], credit=D("10.01")),
            ],
            memo="x",
            acting_user=admin_user,
        )
    assert JournalEntry.objects.count() == before


def test_reversing_an_entry_restores_every_balance(accounts, admin_user, party, make_charge, undeposited):
    charge = make_charge(party, "120.00")
    payment = services.payment_post(
        party=party,
        amount=D("150.00"),
        applications=[(charge, D("120.00"))],
        debit_account=undeposited,
        acting_user=admin_user,
    )
    touched = [accounts["100-1210"], accounts["100-4150"], undeposited, accounts["100-2150"]]
    before = {a.number: balance_of(a) for a in touched}
    assert before["100-2150"] == D("-30.00")  # credit on account

    reversal = services.journal_reverse(entry=payment.journal_entry, acting_user=admin_user)

    after = {a.number: balance_of(a) for a in touched}
    assert after == {
        "100-1210": D("120.00"),
        "100-4150": D("-120.00"),
        "100-1050": D("0.00"),
        "100-2150": D("0.00"),
    }
    assert reversal.reverses == payment.journal_entry
    tb = selectors.trial_balance(as_of=services.city_today())
    assert tb.in_balance and tb.total_debit == D("120.00")


def test_an_entry_cannot_be_reversed_twice(posted, admin_user):
    services.journal_reverse(entry=posted, acting_user=admin_user)
    with pytest.raises(AlreadyReversed):
        services.journal_reverse(entry=posted, acting_user=admin_user)
