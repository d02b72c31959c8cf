"""Payables' rules, each written once as a pure function (no database): what a screen, a
service and a test all ask."""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

# --------------------------------------------------------------------------- bank routing numbers

_ABA_WEIGHTS = (3, 7, 1, 3, 7, 1, 3, 7, 1)


def routing_number_valid(routing: str) -> bool:
    """An ABA routing number: nine digits whose weighted sum (3, 7, 1 repeated) is a multiple
    of 10, and not all zeros. 011000015 passes; 011000016 fails its check digit."""
    if not re.fullmatch(r"[0-9]{9}", routing or ""):
        return False
    total = sum(int(d) * w for d, w in zip(routing, _ABA_WEIGHTS, strict=True))
    return total % 10 == 0 and routing != "000000000"


def routing_number_problem(routing: str) -> str:
    """The sentence for the clerk when a routing number is wrong, or "" when it is right."""
    digits = (routing or "").strip()
    if not re.fullmatch(r"[0-9]{9}", digits):
        return "A routing number is nine digits."
    if not routing_number_valid(digits):
        return f"Routing number {digits} fails its check digit: please check it against the voided check."
    return ""


def last_four(account_number: str) -> str:
    """A bank account as screens show it: the last four digits only."""
    return f"••••{account_number[-4:]}" if account_number else ""


# --------------------------------------------------------------------------- line amounts

QUANTITY_PLACES = 3  # 2.5 hours, 1.125 tons
PRICE_PLACES = 2  # unit prices in whole cents: a third decimal is bad input, never rounded
MAX_QUANTITY = Decimal("999999999.999")
MAX_PRICE = Decimal("9999999999.99")


def _decimal(value) -> Decimal | None:
    if isinstance(value, Decimal):
        return value if value.is_finite() else None
    try:
        d = Decimal(str(value).strip().replace("$", "").replace(",", ""))
    except (InvalidOperation, ValueError):
        return None
    return d if d.is_finite() else None


def quantity_problem(value) -> str:
    """Why a quantity is refused ("" when it is good): a number above zero, three decimals at most."""
    q = _decimal(value)
    if q is None:
        return "Enter a quantity such as 1, 2.5 or 0.125."
    if q <= 0:
        return f"A quantity must be more than zero, not {value}."
    if q != q.quantize(Decimal(1).scaleb(-QUANTITY_PLACES)):
        return f"A quantity has at most {QUANTITY_PLACES} decimal places: {value}."
    if q > MAX_QUANTITY:
        return "The quantity is larger than the system accepts."
    return ""


def unit_price_problem(value) -> str:
    """Why a unit price is refused ("" when it is good): dollars and whole cents, not negative."""
    p = _decimal(value)
    if p is None:
        return "Enter a unit price in dollars and cents, such as 12.50."
    if p < 0:
        return f"A unit price cannot be negative: {value}."
    if p != p.quantize(Decimal(1).scaleb(-PRICE_PLACES)):
        return f"A unit price is in whole cents (two decimal places), not {value}."
    if p > MAX_PRICE:
        return "The unit price is larger than the system accepts."
    return ""


def line_amount(quantity: Decimal, unit_price: Decimal) -> Decimal:
    """Quantity × unit price, rounded half up to the cent once."""
    return (quantity * unit_price).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def receipt_value(
    *, quantity: Decimal, unit_price: Decimal, ordered: Decimal, ordered_amount: Decimal
) -> Decimal:
    """What a quantity received of a line is worth: the line's amount when the whole line comes
    in (so the cents of a rounded line are not lost across partial receipts), else its share."""
    if quantity == ordered:
        return ordered_amount
    return line_amount(quantity, unit_price)


# --------------------------------------------------------------------------- budget and encumbrance


def available(*, budget: Decimal, encumbered: Decimal, spent: Decimal) -> Decimal:
    """What is left to commit: the budget less what open orders hold and what was spent."""
    return budget - encumbered - spent


def relief_amount(*, open_encumbrance: Decimal, billed: Decimal) -> Decimal:
    """What an approved invoice line relieves on its order line: what it bills, but never more
    than the line still holds (billing above the order is spent, not relieved)."""
    if open_encumbrance <= 0 or billed <= 0:
        return Decimal("0.00")
    return min(open_encumbrance, billed)


def approval_limit_allows(total: Decimal, limits: list[Decimal]) -> bool:
    """Whether an approver whose roles have these limits may approve a total: the largest limit
    covers it (no limit at all: no authority)."""
    return bool(limits) and max(limits) >= total
