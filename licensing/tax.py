"""The business license tax, worked out line by line so the counter can show the arithmetic
before anything is assessed. Pure functions: no database writes."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from revenue import dates
from revenue.exceptions import RevenueError
from revenue.services import round_money

ZERO = Decimal("0.00")


class BracketTableInvalid(RevenueError):
    pass


@dataclass(frozen=True)
class Line:
    label: str
    amount: Decimal


@dataclass
class Computation:
    lines: list[Line] = field(default_factory=list)

    @property
    def total(self) -> Decimal:
        return sum((ln.amount for ln in self.lines), ZERO)

    def add(self, label: str, amount: Decimal) -> None:
        self.lines.append(Line(label, amount))

    def as_json(self) -> list[dict]:
        return [{"label": ln.label, "amount": str(ln.amount)} for ln in self.lines]


def tax_year_of(day: datetime.date, start_month: int) -> int:
    """Tax years are named by the calendar year they start in (March 2026 – February 2027 is 2026)."""
    return day.year if day.month >= start_month else day.year - 1


def tax_year_bounds(year: int, start_month: int) -> tuple[datetime.date, datetime.date]:
    first = datetime.date(year, start_month, 1)
    last = datetime.date(year + 1, start_month, 1) - datetime.timedelta(days=1)
    return first, last


def validate_brackets(brackets: list[tuple[Decimal, Decimal | None]]) -> None:
    """(floor, ceiling) pairs must start at zero, follow each other with no gap or overlap, and
    end with one open-ended bracket."""
    if not brackets:
        raise BracketTableInvalid("A gross-receipts rule needs at least one bracket.")
    ordered = sorted(brackets, key=lambda b: b[0])
    if ordered[0][0] != 0:
        raise BracketTableInvalid(f"The first bracket must start at 0.00, not {ordered[0][0]:,.2f}.")
    for (floor, ceiling), (next_floor, _next_ceiling) in zip(ordered, ordered[1:], strict=False):
        if ceiling is None:
            raise BracketTableInvalid(
                f"Only the last bracket may be open-ended (the one from {floor:,.2f} is not last)."
            )
        if next_floor > ceiling:
            raise BracketTableInvalid(f"Gap between {ceiling:,.2f} and {next_floor:,.2f}.")
        if next_floor < ceiling:
            raise BracketTableInvalid(f"Brackets overlap between {next_floor:,.2f} and {ceiling:,.2f}.")
    if ordered[-1][1] is not None:
        raise BracketTableInvalid(f"The last bracket must be open-ended (it stops at {ordered[-1][1]:,.2f}).")


def compute_tax(
    rule,
    *,
    employees: int,
    receipts: Decimal,
    tax_year_start: datetime.date | None = None,
    started_on: datetime.date | None = None,
    prorate_quarterly: bool = False,
) -> Computation:
    """The annual tax by the rule, held between its minimum and maximum, then prorated by quarter
    for a business that starts during the tax year (when the policy says so)."""
    if employees < 0:
        raise RevenueError("The number of employees cannot be negative.")
    if receipts < 0:
        raise RevenueError("Gross receipts cannot be negative.")
    c = Computation()
    if rule.kind == "flat":
        c.add("Flat tax", rule.flat_amount)
    elif rule.kind == "per_employee":
        c.add("Base tax", rule.base_amount)
        c.add(
            f"{employees} employee{'s' if employees != 1 else ''} × {rule.per_employee:,.2f}",
            round_money(rule.per_employee * employees),
        )
    elif rule.kind == "gross_receipts":
        brackets = sorted(rule.brackets.all(), key=lambda b: b.floor)
        validate_brackets([(b.floor, b.ceiling) for b in brackets])
        bracket = next(b for b in reversed(brackets) if b.floor <= receipts)
        span = (
            f"{bracket.floor:,.2f} to {bracket.ceiling:,.2f}"
            if bracket.ceiling
            else f"{bracket.floor:,.2f} and over"
        )
        c.add(f"Gross receipts {receipts:,.2f}: bracket {span}, fixed amount", bracket.fixed)
        if bracket.percent:
            excess = receipts - bracket.floor
            c.add(
                f"{bracket.percent.normalize():f}% of {excess:,.2f} over {bracket.floor:,.2f}",
                round_money(excess * bracket.percent / 100),
            )
    else:
        raise RevenueError(f"Unknown tax rule: {rule.kind}.")
    annual = c.total
    if annual < rule.minimum_tax:
        c.add(f"Raised to the minimum tax of {rule.minimum_tax:,.2f}", rule.minimum_tax - annual)
    elif rule.maximum_tax is not None and annual > rule.maximum_tax:
        c.add(f"Held to the maximum tax of {rule.maximum_tax:,.2f}", rule.maximum_tax - annual)
    if prorate_quarterly and started_on and tax_year_start and started_on > tax_year_start:
        months_in = (started_on.year - tax_year_start.year) * 12 + started_on.month - tax_year_start.month
        quarters_left = 4 - min(months_in // 3, 3)
        if quarters_left < 4:
            full = c.total
            c.add(
                f"New business: {quarters_left} of 4 quarters", round_money(full * quarters_left / 4) - full
            )
    return c


def months_late(delinquent_on: datetime.date, on: datetime.date) -> int:
    """Months or parts of a month from the delinquency date (the first day late): the city's one
    convention, `revenue.dates.months_late`, counted from the day before it (the last day the
    renewal could be paid without penalty). 0 the day before, 1 on the date itself and through
    the end of that month late; a last day on a month's end stays on the month's end (delinquent
    05/01, paid 05/31: one month; 06/01: two; 06/30: still two)."""
    return dates.months_late(delinquent_on - datetime.timedelta(days=1), on)


def penalty(
    *,
    tax: Decimal,
    delinquent_on: datetime.date,
    on: datetime.date,
    percent_per_month: Decimal,
    cap_percent: Decimal,
) -> tuple[int, Decimal, bool]:
    """(months, penalty, capped): a percent of the tax per month or part, never above the cap."""
    months = months_late(delinquent_on, on)
    if not months:
        return 0, ZERO, False
    uncapped = round_money(tax * percent_per_month * months / 100)
    cap = round_money(tax * cap_percent / 100)
    return months, min(uncapped, cap), uncapped > cap
