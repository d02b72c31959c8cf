"""Lines as a clerk writes them (a requisition's, an order's): parsed and checked once, with a
sentence naming the line for anything wrong."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from revenue.models import Account

from .. import rules
from ..errors import BadLine


@dataclass(frozen=True)
class NewLine:
    description: str
    quantity: Decimal
    unit: str
    unit_price: Decimal
    account: Account

    @property
    def amount(self) -> Decimal:
        return rules.line_amount(self.quantity, self.unit_price)


def parse_lines(rows: list[dict]) -> list[NewLine]:
    """Rows of {description, quantity, unit, unit_price, account} into checked lines."""
    lines = []
    for n, row in enumerate(rows, start=1):
        description = (row.get("description") or "").strip()
        if not description:
            raise BadLine(f"Line {n}: say what is bought.")
        problem = rules.quantity_problem(row.get("quantity")) or rules.unit_price_problem(
            row.get("unit_price")
        )
        if problem:
            raise BadLine(f"Line {n}: {problem}")
        account = row.get("account")
        if not isinstance(account, Account) or account.type != Account.Type.EXPENSE or not account.active:
            raise BadLine(f"Line {n}: choose an active expense account.")
        lines.append(
            NewLine(
                description=description[:250],
                quantity=Decimal(str(row["quantity"])),
                unit=(row.get("unit") or "each").strip()[:12] or "each",
                unit_price=Decimal(str(row["unit_price"]).replace("$", "").replace(",", "").strip()),
                account=account,
            )
        )
    if not lines:
        raise BadLine("Enter at least one line.")
    return lines
