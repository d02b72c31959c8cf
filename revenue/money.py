"""Money: the one validator and the one rounding rule. Amounts are `Decimal` with two places,
never float; a rate meets an amount once, rounded half up."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from .exceptions import InvalidAmount

ZERO = Decimal("0.00")
CENT = Decimal("0.01")
MAX_AMOUNT = Decimal("9999999999.99")  # 10 digits before the point: what a money column holds


def money(
    value, *, field: str = "Amount", allow_zero: bool = False, maximum: Decimal | None = None
) -> Decimal:
    """A valid amount of money: a Decimal with at most two places, positive (or zero when
    allowed), at most 10 digits before the point, and at most `maximum` when one is given.
    Accepts what a clerk or a file writes: "$1,234.50", " 75.00 "."""
    try:
        if isinstance(value, Decimal):
            amount = value
        else:
            amount = Decimal(str(value).strip().replace("$", "").replace(",", ""))
    except (InvalidOperation, ValueError) as exc:
        raise InvalidAmount(f"{field} must be a number of dollars and cents.") from exc
    if not amount.is_finite():
        raise InvalidAmount(f"{field} must be a number of dollars and cents.")
    if abs(amount) > MAX_AMOUNT:
        raise InvalidAmount(f"{field} is larger than the system accepts (over 10 digits).")
    if amount != amount.quantize(CENT):
        raise InvalidAmount(f"{field} has more than two decimal places: {value}.")
    if amount < 0 or (amount == 0 and not allow_zero):
        raise InvalidAmount(f"{field} must be more than zero.")
    if maximum is not None and amount > maximum:
        raise InvalidAmount(f"{field} {amount:,.2f} is more than {maximum:,.2f}: check it.")
    return amount.quantize(CENT)


def round_money(value: Decimal) -> Decimal:
    """Round half up to the cent: once, where a rate meets an amount."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def percent_of(amount: Decimal, percent: Decimal) -> Decimal:
    """`percent`% of `amount`, rounded half up once (10% of 12.345 → 1.23)."""
    return round_money(amount * percent / 100)
