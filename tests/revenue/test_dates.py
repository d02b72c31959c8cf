"""Calendar arithmetic written once: months clamp to the month's end, a month late begins the
day after the due date."""

import datetime

import pytest

from revenue.dates import add_months, last_day, month_bounds, months_or_fraction

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
def test_months_or_fraction_late(due, on, months):
    assert months_or_fraction(due, on) == months


def test_month_bounds_and_last_day():
    assert month_bounds(2028, 2) == (D(2028, 2, 1), D(2028, 2, 29))
    assert last_day(2026, 4) == D(2026, 4, 30)
