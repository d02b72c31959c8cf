"""Dates: the city's today, the fiscal calendar and calendar-month arithmetic, written once.

The month convention, used by every rule that counts months (a TOT return's interest, a payment
plan's installments, a term of months): `add_months` keeps the day of the month and clamps it
to the month's end (01/31 + 1 month = 02/28, or 02/29 in a leap year; 01/31 + 2 months = 03/31).

Months late are counted once, by `months_late(due, paid)`, for every rule that charges by the
month (TOT interest, licensing's late penalty): a month begins the day after the due date and
ends on the due date's day of a later month (`month_end_after`). A due date on the last day of
a month stays on the last day: due 02/28, 04/30 or 06/30, paid 03/31, 05/31 or 07/31 is one month
late, not two; due 01/31, paid 02/28 (02/29 in a leap year) is one month late too."""

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


def is_month_end(day: datetime.date) -> bool:
    return day == last_day(day.year, day.month)


def month_end_after(due: datetime.date, months: int) -> datetime.date:
    """The last day of the `months`-th month after a due date: the due date's day `months`
    calendar months later, clamped to the month's end (`add_months`), except that a due date on
    the last day of its month gives the last day of the later month (02/28 + 1 -> 03/31)."""
    later = add_months(due, months)
    return last_day(later.year, later.month) if is_month_end(due) else later


def months_late(due: datetime.date, paid: datetime.date) -> int:
    """Months or fractions of a month after a due date, the one convention for every late charge
    counted by the month: 0 on or before the due date; 1 from the next day through
    `month_end_after(due, 1)` (the same day a month later, or the last day of the next month when
    the due date is a month's last day); 2 from the day after that; and so on. So due 04/30 and
    paid 05/31 is one month late, not two; due 01/31 and paid 02/28 is one month; 03/01 is two."""
    if paid <= due:
        return 0
    months = max((paid.year - due.year) * 12 + paid.month - due.month - 1, 1)
    while month_end_after(due, months) < paid:
        months += 1
    return months
