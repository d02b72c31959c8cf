"""Dates: the city's today, the fiscal calendar and calendar-month arithmetic, written once.

The month convention, used by every rule that counts months (a TOT return's interest, a payment
plan's installments, a term of months): `add_months` keeps the day of the month and clamps it
to the month's end (01/31 + 1 month = 02/28, or 02/29 in a leap year; 01/31 + 2 months = 03/31),
and `months_or_fraction` counts a month as begun on the day after the due date."""

from __future__ import annotations

import calendar
import datetime

from django.conf import settings
from django.utils import timezone


def city_today() -> datetime.date:
    """Today in the city's time zone (`TIME_ZONE`)."""
    return timezone.localdate()


def fiscal_year_of(day: datetime.date) -> int:
    """The fiscal year a date falls in, named by the calendar year it ends in (FY2027 runs
    July 2026 to June 2027 when the year starts in July)."""
    start = settings.FISCAL_YEAR_START_MONTH
    if start == 1:
        return day.year
    return day.year + 1 if day.month >= start else day.year


def fiscal_year_bounds(fiscal_year: int) -> tuple[datetime.date, datetime.date]:
    start = settings.FISCAL_YEAR_START_MONTH
    first = datetime.date(fiscal_year if start == 1 else fiscal_year - 1, start, 1)
    last = datetime.date(first.year + 1, first.month, 1) - datetime.timedelta(days=1)
    return first, last


def last_day(year: int, month: int) -> datetime.date:
    """The last day of a month."""
    return datetime.date(year, month, calendar.monthrange(year, month)[1])


def month_bounds(year: int, month: int) -> tuple[datetime.date, datetime.date]:
    """The first and last day of a month."""
    return datetime.date(year, month, 1), last_day(year, month)


def add_months(day: datetime.date, months: int) -> datetime.date:
    """The same day `months` calendar months later (or earlier), clamped to the month's end:
    01/31 + 1 month = 02/28 (or 02/29), 01/31 + 2 months = 03/31."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def months_or_fraction(due_on: datetime.date, on: datetime.date) -> int:
    """Months or fractions of a month after a due date: 0 on or before it; 1 from the next day
    through the same day a month later (clamped by `add_months`); 2 from the day after that;
    and so on."""
    if on <= due_on:
        return 0
    months = max((on.year - due_on.year) * 12 + on.month - due_on.month - 1, 1)
    while add_months(due_on, months) < on:
        months += 1
    return months
