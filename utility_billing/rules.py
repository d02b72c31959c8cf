"""The utility's rate arithmetic, as pure functions (no database): usage from two reads, tiered
and uniform usage charges, amounts per month prorated by days, block sizes scaled, sewer by a
share of water or a winter average, refuse by cart, minimum charges, and the check of a block
table a supervisor types in. `services/calc.py` reads the tables and calls these; a bill run's
SQL takes their results as parameters and never restates them.

Conventions (docs/architecture.md, "Rates and the calculation"):
- A period is inclusive of both its dates; the next one starts the day after.
- A usage block runs from its start up to the next block's start: with blocks from 0 and from
  10, usage of exactly 10 is all in the first block, 11 puts 1 unit in the second.
- A monthly amount (fixed charge, flat, surcharge per month, refuse, minimum) is charged per day
  served: amount × days served in a calendar month ÷ days in that month, summed over the months;
  a whole calendar month is exactly the amount.
- Each line is rounded to the cent once, half up, where its rate meets its quantity.
"""

from __future__ import annotations

import calendar
import datetime
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from fractions import Fraction

from revenue.exceptions import RevenueError
from revenue.money import round_money

ZERO = Decimal("0.00")
HUNDREDTH = Decimal("0.01")
QUANTITY = Decimal("0.0001")
DAYS_PER_BLOCK_PERIOD = 30  # block sizes "per 30 days" when they scale with the days


class RateTableInvalid(RevenueError):
    """A block table (or another rate entry) that cannot be priced: the sentence says why."""


@dataclass(frozen=True)
class Block:
    """Units from `start` up to the next block's start, at `price` per unit."""

    start: Decimal
    price: Decimal


@dataclass(frozen=True)
class BlockCharge:
    """The part of the usage that fell in one block: units from `start` to `end` (None: open)."""

    start: Decimal
    end: Decimal | None
    units: Decimal
    price: Decimal
    amount: Decimal


# ---- block tables -----------------------------------------------------------------------------


def _number(text, what: str) -> Decimal | None:
    if text is None or str(text).strip() == "":
        return None
    try:
        value = Decimal(str(text).strip().replace(",", ""))
    except (InvalidOperation, ValueError):
        raise RateTableInvalid(f"{what} must be a number, not “{text}”.") from None
    if not value.is_finite():
        raise RateTableInvalid(f"{what} must be a number, not “{text}”.")
    return value


def blocks_from_rows(rows: list[tuple]) -> list[Block]:
    """Check the rows (from, to, price) a supervisor typed, in the order typed, and return the
    blocks. The first block starts at 0; each next block starts exactly where the one before ends
    (no gap, no overlap); only the last is open (no "to"); no negative price or unit."""
    if not rows:
        raise RateTableInvalid("Enter at least one block: from 0, with its price.")
    parsed = []
    for n, (low, high, price) in enumerate(rows, start=1):
        low_v = _number(low, f"Block {n}: “from”")
        high_v = _number(high, f"Block {n}: “to”")
        price_v = _number(price, f"Block {n}: the price")
        if low_v is None:
            raise RateTableInvalid(f"Block {n} needs a “from” (the first unit of the block).")
        if price_v is None:
            raise RateTableInvalid(f"Block {n} needs a price per unit.")
        if low_v < 0 or (high_v is not None and high_v < 0):
            raise RateTableInvalid(f"Block {n}: units cannot be negative.")
        if price_v < 0:
            raise RateTableInvalid(f"Block {n}: the price cannot be negative ({price_v}).")
        if high_v is not None and high_v <= low_v:
            raise RateTableInvalid(f"Block {n}: “to” ({high_v}) must be more than “from” ({low_v}).")
        parsed.append((low_v, high_v, price_v))
    if parsed[0][0] != 0:
        raise RateTableInvalid(f"The first block must start at 0, not {parsed[0][0]}.")
    for n, ((_low, high, _p), (next_low, _h, _q)) in enumerate(
        zip(parsed, parsed[1:], strict=False), start=1
    ):
        if high is None:
            raise RateTableInvalid(f"Only the last block may be open-ended: block {n} needs a “to”.")
        if next_low > high:
            raise RateTableInvalid(
                f"Gap between {high} and {next_low}: block {n + 1} must start where block {n} ends ({high})."
            )
        if next_low < high:
            raise RateTableInvalid(
                f"Blocks {n} and {n + 1} overlap from {next_low} to {high}: "
                f"block {n + 1} must start where block {n} ends ({high})."
            )
    if parsed[-1][1] is not None:
        raise RateTableInvalid(
            f"The last block must be open-ended (leave its “to” blank): it stops at {parsed[-1][1]}."
        )
    return [Block(low, price) for low, _high, price in parsed]


def blocks_check(blocks: list[Block]) -> list[Block]:
    """Stored blocks, ordered; the first must start at 0 (a table that does not is refused)."""
    ordered = sorted(blocks, key=lambda b: b.start)
    if not ordered:
        raise RateTableInvalid("The tiered rate has no blocks.")
    if ordered[0].start != 0:
        raise RateTableInvalid(f"The first block must start at 0, not {ordered[0].start}.")
    return ordered


# ---- usage charges ----------------------------------------------------------------------------


def tiered_charge(usage: Decimal, blocks: list[Block], *, scale: Decimal = Decimal(1)) -> list[BlockCharge]:
    """The usage priced block by block; block starts multiplied by `scale` (dwelling units, days
    ÷ 30, or a segment's share of the period), kept to the hundredth of a unit. A block holds the
    units above its start up to and including the next block's start. Only blocks with usage are
    returned. A negative usage (a true-up after an estimate read too high) is credited at the
    first block's price: one line, never spread over the tiers."""
    ordered = blocks_check(blocks)
    if usage < 0:
        first = ordered[0]
        return [BlockCharge(ZERO, None, usage, first.price, round_money(usage * first.price))]
    starts = [(b.start * scale).quantize(HUNDREDTH, rounding=ROUND_HALF_UP) for b in ordered]
    out = []
    for i, block in enumerate(ordered):
        low = starts[i]
        high = starts[i + 1] if i + 1 < len(ordered) else None
        if usage <= low:
            break
        units = (usage if high is None else min(usage, high)) - low
        out.append(BlockCharge(low, high, units, block.price, round_money(units * block.price)))
    return out


def uniform_charge(usage: Decimal, price: Decimal) -> Decimal:
    return round_money(usage * price)


def block_scale(basis: str, *, dwelling_units: int, segment_days: int, served_days: int) -> Decimal:
    """How much the entered block sizes stretch for one stretch of days with one schedule.
    "fixed": as entered, per bill; a part of the bill under another schedule (a rate change) gets
    its share of days. "units": times the dwelling units, the same share. "days": per 30 days."""
    if basis == "days":
        return Decimal(segment_days) / DAYS_PER_BLOCK_PERIOD
    share = Decimal(1) if segment_days == served_days else Decimal(segment_days) / Decimal(served_days)
    if basis == "units":
        return share * max(dwelling_units, 1)
    return share


def split_usage(usage: Decimal, days: list[int]) -> list[Decimal]:
    """Usage shared out over stretches of days in proportion to their days, to the hundredth,
    the last taking what the others leave so the parts add up exactly."""
    total = sum(days)
    if not days or total <= 0:
        return [usage] if days else []
    parts = [(usage * d / total).quantize(HUNDREDTH, rounding=ROUND_HALF_UP) for d in days[:-1]]
    return [*parts, usage - sum(parts, ZERO)]


# ---- reads ------------------------------------------------------------------------------------


def meter_usage(
    *, start_read: int, end_read: int, dials: int, multiplier: Decimal, start_is_estimate: bool = False
) -> Decimal:
    """Units used between two reads of one register. A read lower than the one before is a
    rollover past 99…9 (modulo 10**dials), unless the read before was an estimate and going back
    is the shorter way: then it is the true-up of an estimate read too high, a negative usage."""
    raw = end_read - start_read
    if raw < 0:
        forward = raw + 10**dials
        if not (start_is_estimate and -raw < forward):
            raw = forward
    return (Decimal(raw) * multiplier).quantize(HUNDREDTH, rounding=ROUND_HALF_UP)


# ---- days and months --------------------------------------------------------------------------


def days_between(start: datetime.date, end: datetime.date) -> int:
    """Days from `start` to `end`, both counted (0 when end is before start)."""
    return max((end - start).days + 1, 0)


def month_fraction(start: datetime.date, end: datetime.date) -> Fraction:
    """Months served from `start` to `end` (inclusive): in each calendar month, days served ÷
    days in that month. January 1–31 is 1; January 16–February 14 is 16/31 + 14/28."""
    total = Fraction(0)
    day = start
    while day <= end:
        last_of_month = day.replace(day=calendar.monthrange(day.year, day.month)[1])
        stop = min(end, last_of_month)
        total += Fraction(days_between(day, stop), last_of_month.day)
        day = stop + datetime.timedelta(days=1)
    return total


def monthly_prorated(amount: Decimal, months: Fraction) -> Decimal:
    """A monthly amount for `months` (exact fraction), rounded to the cent once."""
    return round_money(amount * months.numerator / months.denominator)


def months_shown(months: Fraction) -> Decimal:
    """The months as printed on a line (four places); the amount uses the exact fraction."""
    return (Decimal(months.numerator) / Decimal(months.denominator)).quantize(
        QUANTITY, rounding=ROUND_HALF_UP
    )


def split_at(start: datetime.date, end: datetime.date, changes: list[datetime.date]) -> list[tuple]:
    """The stretches of [start, end] cut at each date in `changes` (a new rate from that day)."""
    cuts = sorted({d for d in changes if start < d <= end})
    out, left = [], start
    for cut in cuts:
        out.append((left, cut - datetime.timedelta(days=1)))
        left = cut
    out.append((left, end))
    return out


# ---- sewer ------------------------------------------------------------------------------------


def sewer_share_usage(water_usage: Decimal, percent: Decimal) -> Decimal:
    """Sewer units: a share of the water usage, to the hundredth."""
    return (water_usage * percent / 100).quantize(HUNDREDTH, rounding=ROUND_HALF_UP)


def parse_months(text: str) -> tuple[int, ...]:
    """ "12,1,2" → (12, 1, 2); refuses anything that is not month numbers."""
    try:
        months = tuple(int(p) for p in str(text).replace(" ", "").split(",") if p)
    except ValueError:
        raise RateTableInvalid(
            f"Winter months must be month numbers separated by commas, not “{text}”."
        ) from None
    if not months or any(m < 1 or m > 12 for m in months) or len(set(months)) != len(months):
        raise RateTableInvalid(f"Winter months must be month numbers 1 to 12, each once, not “{text}”.")
    return months


def _month_before(year: int, month: int) -> tuple[int, int]:
    return (year, month - 1) if month > 1 else (year - 1, 12)


def winter_window(months: tuple[int, ...], before: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The latest whole winter (the run of winter months) that ended before `before`: its first
    and last days. Months 12,1,2 before 15 April 2027, or before 10 February 2027 (that winter is
    not over): 1 December 2026 to 28 February 2027, and 1 December 2025 to 28 February 2026."""
    wanted = set(months)
    if not wanted:
        raise RateTableInvalid("The winter months are not set.")
    year, month = _month_before(before.year, before.month)
    for _ in range(25):
        following = month % 12 + 1
        if month in wanted and (following not in wanted or len(wanted) == 12):
            break
        year, month = _month_before(year, month)
    end = (year, month)
    first = end
    for _ in range(len(wanted) - 1):
        prev = _month_before(*first)
        if prev[1] not in wanted:
            break
        first = prev
    last_day = calendar.monthrange(*end)[1]
    return datetime.date(first[0], first[1], 1), datetime.date(end[0], end[1], last_day)


def winter_average(usage: Decimal, start: datetime.date, end: datetime.date) -> Decimal:
    """Average units per month of the usage between reads on `start` and `end` (the days after
    the first read through the second), to the hundredth."""
    months = month_fraction(start + datetime.timedelta(days=1), end)
    if months <= 0:
        return ZERO
    return (usage * months.denominator / months.numerator).quantize(HUNDREDTH, rounding=ROUND_HALF_UP)


def sewer_winter_usage(
    *, water_usage: Decimal, average_per_month: Decimal, months: Fraction, percent: Decimal
) -> Decimal:
    """Sewer units billed on the winter average: the average per month for the months served,
    never more than the water actually used, times the share."""
    by_average = average_per_month * months.numerator / months.denominator
    return sewer_share_usage(min(water_usage, by_average), percent) if water_usage > 0 else ZERO


# ---- minimum ----------------------------------------------------------------------------------


def minimum_top_up(charged: Decimal, minimum: Decimal) -> Decimal:
    """What brings a service's charges (fixed + usage) up to its minimum; zero when they reach it."""
    return max(minimum - charged, ZERO)
