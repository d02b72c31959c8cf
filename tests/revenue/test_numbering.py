"""Document numbers: gapless and unique per kind and fiscal year, even under concurrency."""

import datetime
import threading

import pytest
from django.db import connection, transaction

from revenue import services
from revenue.models import DocumentSequence


@pytest.mark.parametrize(
    ("start_month", "day", "fiscal_year"),
    [
        (7, datetime.date(2026, 6, 30), 2026),
        (7, datetime.date(2026, 7, 1), 2027),
        (7, datetime.date(2027, 1, 15), 2027),
        (1, datetime.date(2026, 7, 1), 2026),
        (10, datetime.date(2026, 9, 30), 2026),
        (10, datetime.date(2026, 10, 1), 2027),
    ],
)
def test_fiscal_year_follows_the_configured_start_month(settings, start_month, day, fiscal_year):
    settings.FISCAL_YEAR_START_MONTH = start_month
    assert services.fiscal_year_of(day) == fiscal_year


def test_fiscal_year_bounds(settings):
    settings.FISCAL_YEAR_START_MONTH = 7
    assert services.fiscal_year_bounds(2027) == (datetime.date(2026, 7, 1), datetime.date(2027, 6, 30))


@pytest.mark.django_db
def test_numbers_run_per_kind_and_fiscal_year():
    with transaction.atomic():
        a = services.number_next(kind="R", on=datetime.date(2026, 6, 30))
        b = services.number_next(kind="R", on=datetime.date(2026, 7, 1))
        c = services.number_next(kind="R", on=datetime.date(2026, 7, 2))
        d = services.number_next(kind="X", on=datetime.date(2026, 7, 2))
    assert (a, b, c, d) == ("R2026-000001", "R2027-000001", "R2027-000002", "X2027-000001")


@pytest.mark.django_db(transaction=True)
def test_number_next_refuses_to_run_outside_a_transaction():
    with pytest.raises(RuntimeError):
        services.number_next(kind="R")


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_transaction_does_not_use_up_a_number():
    with transaction.atomic():
        assert services.number_next(kind="T").endswith("-000001")
    with pytest.raises(ZeroDivisionError), transaction.atomic():
        services.number_next(kind="T")
        1 / 0  # noqa: B018 - the posting fails after taking its number
    with transaction.atomic():
        assert services.number_next(kind="T").endswith("-000002")


@pytest.mark.django_db(transaction=True)
def test_numbers_stay_gapless_and_unique_under_20_concurrent_transactions():
    taken, errors = [], []
    barrier = threading.Barrier(20)

    def worker(i):
        try:
            barrier.wait()
            with transaction.atomic():
                n = services.number_next(kind="C")
                if i % 5 == 0:  # every fifth one rolls back after taking its number
                    raise RuntimeError("rolled back")
                taken.append(n)
        except RuntimeError:
            pass
        except Exception as exc:  # noqa: BLE001 - report anything else
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    numbers = sorted(int(n.split("-")[1]) for n in taken)
    assert numbers == list(range(1, 17))  # 16 committed, no gaps, no duplicates
    assert DocumentSequence.objects.get(kind="C").last_number == 16


@pytest.mark.django_db
def test_a_block_of_numbers_is_reserved_gapless_after_single_numbers():
    with transaction.atomic():
        first = services.number_next(kind="Q", on=datetime.date(2026, 8, 1))
        block = services.numbers_reserve(kind="Q", count=3, on=datetime.date(2026, 8, 1))
        after = services.number_next(kind="Q", on=datetime.date(2026, 8, 1))
    assert first == "Q2027-000001"
    assert block.numbers == ["Q2027-000002", "Q2027-000003", "Q2027-000004"]
    assert after == "Q2027-000005"
    with pytest.raises(IndexError):
        block.number(3)


@pytest.mark.django_db
def test_a_block_numbers_rows_in_sql_as_number_next_would():
    with transaction.atomic(), connection.cursor() as cur:
        services.number_next(kind="BL", year=2027)
        block = services.numbers_reserve(kind="BL", count=3, year=2027)
        cur.execute(f"SELECT {block.sql('g')} FROM generate_series(1, 3) g ORDER BY g")
        assert (
            [r[0] for r in cur.fetchall()]
            == block.numbers
            == [
                "BL2027-000002",
                "BL2027-000003",
                "BL2027-000004",
            ]
        )
        plain = services.numbers_reserve(kind="P", count=2, per_year=False)
        cur.execute(f"SELECT {plain.sql('g')} FROM generate_series(1, 2) g ORDER BY g")
        assert [r[0] for r in cur.fetchall()] == plain.numbers == ["P000001", "P000002"]


@pytest.mark.django_db
def test_reserving_none_takes_the_lock_and_no_number():
    with transaction.atomic():
        empty = services.numbers_reserve(kind="Z", count=0, year=2027)
        assert empty.numbers == []
        assert services.number_next(kind="Z", year=2027) == "Z2027-000001"


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_block_returns_every_number():
    with pytest.raises(ZeroDivisionError), transaction.atomic():
        services.numbers_reserve(kind="W", count=50, year=2027)
        1 / 0  # noqa: B018 - the run fails after reserving its block
    with transaction.atomic():
        assert services.numbers_reserve(kind="W", count=2, year=2027).numbers == [
            "W2027-000001",
            "W2027-000002",
        ]


@pytest.mark.django_db(transaction=True)
def test_numbers_reserve_refuses_outside_a_transaction_and_bad_counts():
    with pytest.raises(RuntimeError):
        services.numbers_reserve(kind="R", count=2)
    with transaction.atomic(), pytest.raises(ValueError):
        services.numbers_reserve(kind="R", count=-1)


@pytest.mark.django_db
def test_a_released_form_token_may_be_claimed_again(clerk):
    import uuid

    key = uuid.uuid4()
    with transaction.atomic():
        services.submission_claim(key=key, user=clerk)
    with pytest.raises(services.DuplicateSubmission):
        services.submission_claim(key=key, user=clerk)
    services.submission_release(key=key)
    with transaction.atomic():
        services.submission_claim(key=key, user=clerk)  # the refused work may be sent again
    services.submission_release(key="not a token")  # nothing to give back, nothing happens
