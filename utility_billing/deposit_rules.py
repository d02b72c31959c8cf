"""Deposit arithmetic, written once: pure functions of numbers and dates (no database)."""

import datetime
from decimal import Decimal

from revenue.money import round_money

ZERO = Decimal("0.00")


def deposit_target(
    *,
    base: Decimal,
    good_credit: bool,
    waive_with_good_credit: bool,
    disconnected: bool,
    largest_bill: Decimal,
    multiple: Decimal,
) -> Decimal:
    """The deposit an account should hold. After a disconnection: the class's amount or the
    multiple of the largest recent bill, whichever is more (good credit does not waive it).
    Otherwise the class's amount, waived for a good payment history when the policy says so."""
    if disconnected:
        return max(base, round_money(multiple * largest_bill))
    if good_credit and waive_with_good_credit:
        return ZERO
    return base


def deposit_interest(
    *, principal: Decimal, percent_per_year: Decimal, start: datetime.date, end: datetime.date
) -> Decimal:
    """Simple interest on a deposit held from `start` to `end` (days over 365), to the cent."""
    days = (end - start).days
    if days <= 0 or not percent_per_year or principal <= 0:
        return ZERO
    return round_money(principal * percent_per_year / Decimal(100) * days / Decimal(365))


def apply_oldest_first(available: Decimal, balances: list[Decimal]) -> tuple[list[Decimal], Decimal]:
    """Spread `available` over the balances in order (oldest first): what goes to each, and
    what is left over to refund."""
    applied = []
    left = available
    for balance in balances:
        part = min(left, balance) if left > 0 else ZERO
        applied.append(part)
        left -= part
    return applied, left
