"""The bill runs' pure rules (no database): the proof register's flags, the remittance stub's
barcode, the consumption chart's geometry, the final bill's day count. Written once; the
services and the set-based SQL take their results as parameters."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

# The proof register's exceptions, in the order the register lists them; the first five come
# from the rate engine's calculation, the last from the customer's balance.
EXCEPTIONS = {
    "no_read": "No read",
    "estimate": "Estimate",
    "high": "High bill",
    "zero": "Zero usage",
    "negative": "Negative (a credit line)",
    "credit": "Credit balance",
}

BILLS_PER_PART = 500  # bills in one part of the mail house's merged PDF

# The remittance stub's barcode: the account number and the bill number, joined by a full stop
# (neither ever holds one), e.g. "U000123.B2027-000045". Code 128, as the counter's scanner reads.
STUB_SEPARATOR = "."


def stub_code(account_number: str, bill_number: str) -> str:
    return f"{account_number}{STUB_SEPARATOR}{bill_number}"


def stub_parse(text: str) -> tuple[str, str] | None:
    """(account number, bill number) from a scanned stub, or None when it is not one."""
    account, sep, bill = (text or "").strip().upper().partition(STUB_SEPARATOR)
    if not sep or not account or not bill or STUB_SEPARATOR in bill:
        return None
    return account, bill


def proof_flags(calc_exceptions: list[str], *, amount_due: Decimal, credit_on_account: Decimal) -> list[str]:
    """The proof register's flags of one bill: the calculation's own, plus "credit" when the
    customer would owe less than nothing or has credit on account; known codes only, in order."""
    flags = set(calc_exceptions)
    if amount_due < 0 or credit_on_account > 0:
        flags.add("credit")
    return [code for code in EXCEPTIONS if code in flags]


def due_on(bill_date: datetime.date, due_days: int) -> datetime.date:
    return bill_date + datetime.timedelta(days=due_days)


def parts(count: int, per_part: int = BILLS_PER_PART) -> int:
    """How many parts a merged PDF of `count` bills has (at least one)."""
    return max(1, -(-count // per_part))


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    label: str
    value: Decimal
    current: bool


def chart_bars(
    history: list[tuple[str, Decimal]], *, width: float = 300, height: float = 90, gap: float = 3
) -> tuple[list[Bar], Decimal]:
    """The bars of the consumption chart (oldest first; the last is this bill's): x, y, width and
    height in the SVG's units, so that the tallest bar fills the height. Returns (bars, top)."""
    if not history:
        return [], Decimal(0)
    top = max((max(v, Decimal(0)) for _l, v in history), default=Decimal(0)) or Decimal(1)
    slot = width / len(history)
    bars = []
    for i, (label, value) in enumerate(history):
        h = float(max(value, Decimal(0)) / top) * height
        bars.append(
            Bar(
                x=round(i * slot + gap / 2, 2),
                y=round(height - h, 2),
                width=round(slot - gap, 2),
                height=round(h, 2),
                label=label,
                value=value,
                current=i == len(history) - 1,
            )
        )
    return bars, top
