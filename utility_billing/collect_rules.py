"""Collection's rules as pure functions (no database): the remittance stub, the late fee and its
cut-off, business days, shut-off eligibility, the income-qualified caps, plan installments and a
partial payment spread oldest first. Set-based SQL takes their results as parameters.

(A module of its own beside the rate engine's `rules.py`, which another part of the app owns.)"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal

from revenue.dates import add_months
from revenue.money import ZERO, percent_of

# --------------------------------------------------------------------------- the remittance stub

# What a bill's stub barcode holds (Code 128), as a scanner types it into the counter's find box:
# the account number and the bill number joined by a full stop, e.g. "U000123.B2027-000456" (the
# bill printer's `bill_rules.stub_code`); a slash typed by hand is read the same.
STUB_RE = re.compile(r"^\s*(U\d{3,10})\s*[./*]\s*(B\d{4}-\d{3,8})\s*$", re.IGNORECASE)
ACCOUNT_RE = re.compile(r"^\s*(U\d{3,10})\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class StubRead:
    account_number: str
    bill_number: str = ""


def stub_text(account_number: str, bill_number: str) -> str:
    """The text a bill's remittance stub encodes (the same as the bill printer's stub_code)."""
    return f"{account_number}.{bill_number}"


def stub_read(text: str) -> StubRead | None:
    """The account (and bill) a typed or scanned text names: a stub string or a plain account number."""
    m = STUB_RE.match(text or "")
    if m:
        return StubRead(m.group(1).upper(), m.group(2).upper())
    m = ACCOUNT_RE.match(text or "")
    if m:
        return StubRead(m.group(1).upper())
    return None


# --------------------------------------------------------------------------- late fee


def late_fee_latest_due(on: datetime.date, grace_days: int) -> datetime.date:
    """The latest due date whose bill takes a late fee on `on`: the grace period is the due date
    plus `grace_days` (the last day of grace included); the fee applies from the day after."""
    return on - datetime.timedelta(days=grace_days + 1)


def late_fee(
    current_unpaid: Decimal, past_due: Decimal, current_percent: Decimal, past_percent: Decimal
) -> Decimal:
    """A percentage of the bill's current charges unpaid after the grace period plus a percentage
    of the past-due balance of earlier bills; each part rounded half up, once."""
    return percent_of(current_unpaid, current_percent) + percent_of(past_due, past_percent)


def interest_waiver_due(last_waived: datetime.date | None, on: datetime.date, months: int) -> bool:
    """An income-qualified customer's late fee is waived once in `months`: when none was waived in
    the `months` before `on`."""
    return last_waived is None or add_months(last_waived, months) <= on


# --------------------------------------------------------------------------- business days


def add_business_days(start: datetime.date, days: int) -> datetime.date:
    """The day `days` business days after `start` (Saturdays and Sundays skipped)."""
    day = start
    while days > 0:
        day += datetime.timedelta(days=1)
        if day.weekday() < 5:
            days -= 1
    return day


def business_days_between(start: datetime.date, end: datetime.date) -> int:
    """Business days after `start` up to and including `end` (0 when end is not after start)."""
    count, day = 0, start
    while day < end:
        day += datetime.timedelta(days=1)
        count += day.weekday() < 5
    return count


# --------------------------------------------------------------------------- shut-off


def shutoff_earliest(
    *,
    oldest_due: datetime.date,
    shutoff_days: int,
    notice_on: datetime.date | None,
    notice_business_days: int,
) -> datetime.date | None:
    """The first day service may be shut off: the oldest unpaid bill at least `shutoff_days`
    delinquent, and a notice at least `notice_business_days` business days before. None without a notice."""
    if notice_on is None:
        return None
    return max(
        oldest_due + datetime.timedelta(days=shutoff_days), add_business_days(notice_on, notice_business_days)
    )


def shutoff_latest_due(on: datetime.date, shutoff_days: int) -> datetime.date:
    """The latest due date of an oldest unpaid bill that may be shut off on `on`."""
    return on - datetime.timedelta(days=shutoff_days)


def shutoff_latest_notice(on: datetime.date, notice_business_days: int) -> datetime.date:
    """The latest day a notice may have been sent for a shut-off on `on` (weekends skipped)."""
    day, days = on, notice_business_days
    while days > 0:
        if day.weekday() < 5:
            days -= 1
        day -= datetime.timedelta(days=1)
    return day


def reconnect_fee(base: Decimal, *, income_qualified: bool, cap: Decimal) -> Decimal:
    """The reconnection fee: the schedule's, capped for an income-qualified household."""
    return min(base, cap) if income_qualified else base


# --------------------------------------------------------------------------- plans and payments


def plan_installments(
    total: Decimal, months: int, first_due: datetime.date
) -> list[tuple[int, datetime.date, Decimal]]:
    """Equal monthly installments in whole cents, the remainder on the last; due a month apart."""
    if months < 1 or total <= ZERO:
        return []
    each = (total / months).quantize(Decimal("0.01"), rounding=ROUND_DOWN)
    amounts = [each] * (months - 1) + [total - each * (months - 1)]
    return [(i + 1, add_months(first_due, i), a) for i, a in enumerate(amounts) if a > ZERO]


def plan_default_latest_due(on: datetime.date, default_days: int) -> datetime.date:
    """An installment due on or before this day and still unpaid on `on` defaults the plan."""
    return on - datetime.timedelta(days=default_days)
