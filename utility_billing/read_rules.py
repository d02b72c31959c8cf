"""The reads review's rules, pure (no database): usage between two reads of a register, what a
read typed or imported may be, which exception a read is held for, and an estimate's value.

The set-based SQL of services/reads.py gathers each read's facts (the last actual read, the
bases, whether an account is active) and these functions decide; the one rule restated in SQL is
`usage_between` (history intervals), and a table-driven test holds the two equal."""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

MAX_READ_DIGITS = 10  # the most dials a register has (a constraint on Meter)

BELOW_LAST, HIGH, LOW, ZERO, INACTIVE, MISSING = "below_last", "high", "low", "zero", "inactive", "missing"
CODES = {
    BELOW_LAST: "Below the last read",
    HIGH: "High usage",
    LOW: "Low usage",
    ZERO: "Zero usage, active account",
    INACTIVE: "Usage, no active account",
    MISSING: "Read missing (estimated)",
}


def usage_between(prev: int, curr: int, dials: int, multiplier: Decimal) -> Decimal:
    """Units used from read `prev` to read `curr` of one register: the difference modulo the
    rollover (10**dials: 999,990 → 000,015 is 25) times the meter's multiplier."""
    return Decimal((curr - prev) % 10**dials) * Decimal(multiplier)


def parse_read_value(text: str) -> int:
    """A read as typed or as in a file: whole dials, digits only (spaces and thousands commas
    allowed). Raises ValueError with a sentence naming what is wrong."""
    raw = (text or "").strip()
    if not raw:
        raise ValueError("The read has no value.")
    compact = raw.replace(",", "").replace(" ", "")
    if compact.startswith("-") and compact[1:].isdigit():
        raise ValueError(f"Read {raw!r} is negative: a register is read as whole dials, 0 or more.")
    if re.fullmatch(r"\d+\.\d*", compact):
        raise ValueError(f"Read {raw!r} has a decimal point: type the dials as whole numbers.")
    if not compact.isascii() or not compact.isdigit():
        raise ValueError(f"Read {raw!r} has letters or signs in it: a read is the digits on the dials.")
    if len(compact.lstrip("0")) > MAX_READ_DIGITS:
        raise ValueError(f"Read {raw!r} is longer than any register ({MAX_READ_DIGITS} dials).")
    return int(compact)


@dataclass(frozen=True)
class Thresholds:
    """The policy's numbers (a ReadPolicy, or any object with these attributes)."""

    high_percent: Decimal
    low_percent: Decimal
    min_units: Decimal
    compare_with: str = "both"  # "both" or "either"


@dataclass(frozen=True)
class ReadFacts:
    """What the check of one read needs. `last_value`/`last_on`: the last actual read of the
    same installation (or its install read); the bases are units per day (None: no history)."""

    value: int
    read_on: datetime.date
    dials: int
    multiplier: Decimal
    last_value: int
    last_on: datetime.date
    active: bool
    recent_daily: Decimal | None = None
    last_year_daily: Decimal | None = None

    @property
    def days(self) -> int:
        return max((self.read_on - self.last_on).days, 1)

    @property
    def usage(self) -> Decimal:
        return usage_between(self.last_value, self.value, self.dials, self.multiplier)


def read_exception(facts: ReadFacts, policy) -> tuple[str, str]:
    """The exception an actual read is held for, and a sentence for the reviewer, or ("", "").
    One code per read, the most telling first: below the last read, usage with no active account,
    zero usage on an active one, then high or low against the bases."""
    usage = facts.usage
    if facts.value < facts.last_value:
        return BELOW_LAST, (
            f"Read {facts.value:,} is below the last read ({facts.last_value:,} on {facts.last_on:%m/%d/%Y}): "
            f"a rollover of {units_text(usage)} units, or a misread."
        )
    if not facts.active:
        return (INACTIVE, f"{units_text(usage)} units used with no active account.") if usage else ("", "")
    if usage == 0:
        return ZERO, f"No usage in {facts.days} days on an active account (stopped meter, or vacant?)."
    return _high_or_low(facts, usage, policy)


def _high_or_low(facts: ReadFacts, usage: Decimal, policy) -> tuple[str, str]:
    bases = [
        (n, b)
        for n, b in (("recent", facts.recent_daily), ("last year", facts.last_year_daily))
        if b is not None
    ]
    if not bases:
        return "", ""
    daily = usage / facts.days
    floor = Decimal(policy.min_units)
    if usage < floor and all(b * facts.days < floor for _n, b in bases):
        return "", ""
    combine = all if policy.compare_with == "both" else any
    per = " and ".join(f"{units_text(b * facts.days)} ({n})" for n, b in bases)
    if combine(daily * 100 > b * Decimal(policy.high_percent) for _n, b in bases):
        return HIGH, f"{units_text(usage)} units in {facts.days} days; expected about {per}."
    if combine(daily * 100 < b * Decimal(policy.low_percent) for _n, b in bases):
        return LOW, f"{units_text(usage)} units in {facts.days} days; expected about {per}."
    return "", ""


def units_text(x: Decimal) -> str:
    return f"{Decimal(x).quantize(Decimal('0.1'), ROUND_HALF_UP).normalize():,f}"


def daily_average(usage: Decimal | None, days: int | None) -> Decimal | None:
    """Units per day over a basis (None when there is none)."""
    if usage is None or not days:
        return None
    return Decimal(usage) / days


def estimate_value(
    *, last_value: int, last_on: datetime.date, on: datetime.date, daily: Decimal | None, dials: int,
    multiplier: Decimal,
) -> tuple[int, Decimal]:  # fmt: skip
    """An estimated read on `on`: average daily usage × days since the last actual read, in whole
    dials (rounded half up), rolled over past the register's top. Returns (value, units)."""
    days = max((on - last_on).days, 0)
    units = (daily or Decimal(0)) * days
    dials_turned = int((units / Decimal(multiplier)).quantize(Decimal(1), ROUND_HALF_UP))
    return (last_value + dials_turned) % 10**dials, dials_turned * Decimal(multiplier)
