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


@pytest.mark.django_db(transaction=True)
def test_a_line_added_after_the_checks_fired_mid_transaction_is_checked_again(accounts, admin_user):
    """The balance is summed once per entry (not once per line); a line added after
    SET CONSTRAINTS ALL IMMEDIATE found the entry balanced is still counted at commit."""
    cash, revenue = accounts["100-1050"], accounts["100-4150"]
    with pytest.raises(IntegrityError, match="does not balance"), transaction.atomic():
        entry_id = _raw_entry(admin_user.pk, "RAW-4")
        _raw_line(entry_id, cash.pk, "10.00", "0")
        _raw_line(entry_id, revenue.pk, "0", "10.00")
        with connection.cursor() as cur:
            cur.execute("SET CONSTRAINTS ALL IMMEDIATE")  # the checks fire here: balanced
            cur.execute("SET CONSTRAINTS ALL DEFERRED")
        _raw_line(entry_id, cash.pk, "0.01", "0")
    assert not JournalEntry.objects.filter(number="RAW-4").exists()


@pytest.mark.django_db(transaction=True)
def test_a_second_entry_in_the_transaction_is_checked_on_its_own(accounts, admin_user):
    cash, revenue = accounts["100-1050"], accounts["100-4150"]
    with pytest.raises(IntegrityError, match="does not balance"), transaction.atomic():
        first = _raw_entry(admin_user.pk, "RAW-5")
        _raw_line(first, cash.pk, "10.00", "0")
        _raw_line(first, revenue.pk, "0", "10.00")
        second = _raw_entry(admin_user.pk, "RAW-6")
        _raw_line(second, cash.pk, "3.00", "0")
        _raw_line(second, revenue.pk, "0", "2.00")
    assert not JournalEntry.objects.filter(number__in=["RAW-5", "RAW-6"]).exists()


@pytest.mark.django_db(transaction=True)
def test_a_many_line_entry_commits_and_its_balance_is_summed_once(accounts, admin_user):
    cash, revenue = accounts["100-1050"], accounts["100-4150"]
    with transaction.atomic():
        entry_id = _raw_entry(admin_user.pk, "RAW-7")
        with connection.cursor() as cur:
            cur.execute(
                "INSERT INTO revenue_journalline (entry_id, account_id, debit, credit, memo) "
                "SELECT %s, %s, 1.00, 0, '' FROM generate_series(1, 2000)",
                [entry_id, cash.pk],
            )
        _raw_line(entry_id, revenue.pk, "0", "2000.00")
        with connection.cursor() as cur:
            cur.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cur.execute(
                "SELECT current_setting('revenue.balanced'), max(id) FROM revenue_journalline WHERE entry_id = %s",
                [entry_id],
            )
            remembered, last_line = cur.fetchone()
    # the entry's own event summed all its lines and remembered them: the lines' events skip
    assert remembered == f"{entry_id}:{last_line}"
    assert JournalLine.objects.filter(entry_id=entry_id).count() == 2001


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


def test_reversing_an_entry_restores_every_balance(accounts, admin_user):
    touched = [accounts[n] for n in ("100-1050", "100-4150", "100-4120", "100-2210")]
    entry = services.journal_post(
        lines=[
            Line(account=accounts["100-1050"], debit=D("130.00")),
            Line(account=accounts["100-4150"], credit=D("100.00")),
            Line(account=accounts["100-4120"], credit=D("25.50")),
            Line(account=accounts["100-2210"], credit=D("4.50")),
        ],
        memo="Manual correction",
        acting_user=admin_user,
    )
    assert {a.number: balance_of(a) for a in touched} == {
        "100-1050": D("130.00"),
        "100-4150": D("-100.00"),
        "100-4120": D("-25.50"),
        "100-2210": D("-4.50"),
    }

    reversal = services.journal_reverse(entry=entry, acting_user=admin_user)

    assert all(balance_of(a) == D("0.00") for a in touched)
    assert reversal.reverses == entry and reversal.lines.count() == 4
    tb = selectors.trial_balance(as_of=services.city_today())
    assert tb.in_balance and tb.total_debit == D("0.00")


def test_an_entry_that_records_a_payment_is_reversed_only_through_the_payment(
    party, make_charge, undeposited, admin_user
):
    charge = make_charge(party, "20.00")
    payment = services.payment_post(
        party=party,
        amount=D("20.00"),
        applications=[(charge, D("20.00"))],
        debit_account=undeposited,
        acting_user=admin_user,
    )
    with pytest.raises(services.RevenueError, match="void or adjust"):
        services.journal_reverse(entry=payment.journal_entry, acting_user=admin_user)
    with pytest.raises(services.RevenueError, match="void or adjust"):
        services.journal_reverse(entry=charge.journal_entry, acting_user=admin_user)


@pytest.mark.django_db(transaction=True)
def test_database_rejects_a_line_added_to_an_entry_already_posted(
    posted, accounts
):  # committed: transaction=True
    with pytest.raises(IntegrityError, match="already posted"), transaction.atomic():
        _raw_line(posted.pk, accounts["100-1050"].pk, "1000.00", "0")
        _raw_line(posted.pk, accounts["100-4150"].pk, "0", "1000.00")
    assert posted.lines.count() == 2


def test_lines_go_only_into_the_entry_being_posted_even_in_one_transaction(posted, accounts, admin_user):
    services.journal_post(  # a later entry in the same transaction closes the first one
        lines=[
            Line(account=accounts["100-1050"], debit=D("1.00")),
            Line(account=accounts["100-4150"], credit=D("1.00")),
        ],
        memo="Later",
        acting_user=admin_user,
    )
    with pytest.raises(IntegrityError, match="already posted"), transaction.atomic():
        _raw_line(posted.pk, accounts["100-1050"].pk, "5.00", "0")


def test_an_entry_cannot_be_reversed_twice(posted, admin_user):
    services.journal_reverse(entry=posted, acting_user=admin_user)
    with pytest.raises(AlreadyReversed):
        services.journal_reverse(entry=posted, acting_user=admin_user)
