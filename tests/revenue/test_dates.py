"""Calendar arithmetic written once: months clamp to the month's end, a month late begins the
day after the due date."""

import datetime

import pytest

from revenue.dates import add_months, last_day, month_bounds, month_end_after, months_late

D = datetime.date


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (D(2026, 1, 31), 1, D(2026, 2, 28)),
        (D(2028, 1, 31), 1, D(2028, 2, 29)),  # leap year
        (D(2026, 1, 31), 2, D(2026, 3, 31)),
        (D(2026, 3, 31), -1, D(2026, 2, 28)),
        (D(2026, 11, 15), 2, D(2027, 1, 15)),
        (D(2026, 1, 15), -1, D(2025, 12, 15)),
        (D(2026, 4, 30), 0, D(2026, 4, 30)),
    ],
)
def test_add_months_clamps_to_the_end_of_the_month(day, months, expected):
    assert add_months(day, months) == expected


@pytest.mark.parametrize(
    ("due", "on", "months"),
    [
        (D(2026, 1, 31), D(2026, 1, 31), 0),  # on the due date
        (D(2026, 1, 31), D(2026, 1, 30), 0),  # before it
        (D(2026, 1, 31), D(2026, 2, 1), 1),  # the day after: one month begun
        (D(2026, 1, 31), D(2026, 2, 28), 1),  # through the same day a month later (clamped)
        (D(2026, 1, 31), D(2026, 3, 1), 2),  # the day after that
        (D(2026, 1, 15), D(2026, 2, 15), 1),
        (D(2026, 1, 15), D(2026, 2, 16), 2),
        (D(2026, 1, 15), D(2027, 1, 15), 12),
    ],
)
def test_months_late(due, on, months):
    assert months_late(due, on) == months


@pytest.mark.parametrize(
    ("due", "paid"),
    [
        (D(2026, 2, 28), D(2026, 3, 31)),  # 28-day month
        (D(2028, 2, 29), D(2028, 3, 31)),  # leap February 29
        (D(2026, 4, 30), D(2026, 5, 31)),  # 30-day month
        (D(2026, 6, 30), D(2026, 7, 31)),
        (D(2026, 3, 31), D(2026, 4, 30)),  # 31-day month to a 30-day one
        (D(2026, 1, 31), D(2026, 2, 28)),  # 31 to 28
        (D(2028, 1, 31), D(2028, 2, 29)),  # 31 to the leap 29th
        (D(2026, 12, 31), D(2027, 1, 31)),  # across the year
    ],
)
def test_due_on_a_month_end_and_paid_on_the_next_month_end_is_one_month_late(due, paid):
    assert months_late(due, paid) == 1
    assert months_late(due, paid + datetime.timedelta(days=1)) == 2
    assert month_end_after(due, 1) == paid
    # the month ends stay month ends: two months later is the last day of that month too
    later = month_end_after(due, 2)
    assert later == last_day(later.year, later.month)
    assert months_late(due, later) == 2


def test_a_due_date_that_is_not_a_month_end_keeps_its_day():
    assert month_end_after(D(2026, 1, 30), 1) == D(2026, 2, 28)  # clamped, not a month end rule
    assert month_end_after(D(2026, 1, 30), 2) == D(2026, 3, 30)
    assert months_late(D(2026, 1, 30), D(2026, 3, 31)) == 3
    assert months_late(D(2026, 3, 30), D(2026, 4, 30)) == 1
    assert months_late(D(2026, 3, 30), D(2026, 5, 1)) == 2


def test_month_bounds_and_last_day():
    assert month_bounds(2028, 2) == (D(2028, 2, 1), D(2028, 2, 29))
    assert last_day(2026, 4) == D(2026, 4, 30)
