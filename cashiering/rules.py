"""The counter's rules as pure functions (no database): how tenders meet what is due."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from revenue.exceptions import RevenueError
from revenue.money import ZERO, money

from .exceptions import TenderShort
from .models import CashieringPolicy, Tender

NONCASH = (Tender.Kind.CHECK, Tender.Kind.CARD, Tender.Kind.MONEY_ORDER)


@dataclass(frozen=True)
class TenderSplit:
    """What a basket's tenders post: per tender kind what the city keeps, the cash change handed
    back, and what goes to the payer's credit on account."""

    due: Decimal
    by_kind: dict[str, Decimal]  # what was handed over, per kind
    cash_kept: Decimal  # cash tendered less change
    change: Decimal
    checks: Decimal  # checks and money orders
    cards: Decimal
    credit: Decimal  # a check or card overpayment kept on account

    @property
    def cash_tendered(self) -> Decimal:
        return self.by_kind[Tender.Kind.CASH]

    @property
    def total(self) -> Decimal:
        """The receipt's total: what was due plus what went on account."""
        return self.due + self.credit


def tender_split(due, tenders: Iterable, policy: CashieringPolicy) -> TenderSplit:
    """Split the tenders (anything with `.kind` and `.amount`) over what is due. Cash is taken
    last and gives change; a check, money order or card over the total leaves credit on account,
    unless the policy refuses that tender's overpayment. Refuses a short tender, cash that is not
    needed, and an amount that is zero, negative or not dollars and cents."""
    due = money(due, field="The total")
    tenders = list(tenders)
    for t in tenders:
        money(t.amount, field=f"{Tender.Kind(t.kind).label} amount")
    by_kind = {k: sum((t.amount for t in tenders if t.kind == k), ZERO) for k in Tender.Kind.values}
    noncash = sum((by_kind[k] for k in NONCASH), ZERO)
    cash_tendered = by_kind[Tender.Kind.CASH]
    if noncash + cash_tendered < due:
        raise TenderShort(
            f"The tenders come to {noncash + cash_tendered:,.2f}; {due:,.2f} is due "
            f"(short {due - noncash - cash_tendered:,.2f})."
        )
    cash_needed = max(due - noncash, ZERO)
    if cash_tendered and not cash_needed:
        raise RevenueError("The other tenders already cover the total: no cash is needed.")
    change = cash_tendered - cash_needed if cash_tendered else ZERO
    credit = max(noncash - due, ZERO)
    if credit:
        _refuse_overpayment(credit, by_kind, policy)
    money(due + credit, field="The total")
    return TenderSplit(
        due=due,
        by_kind=by_kind,
        cash_kept=cash_tendered - change,
        change=change,
        checks=by_kind[Tender.Kind.CHECK] + by_kind[Tender.Kind.MONEY_ORDER],
        cards=by_kind[Tender.Kind.CARD],
        credit=credit,
    )


def _refuse_overpayment(credit: Decimal, by_kind: dict[str, Decimal], policy: CashieringPolicy) -> None:
    refusing = [
        Tender.Kind(k).label.lower()
        for k, rule in (
            (Tender.Kind.CHECK, policy.check_overpayment),
            (Tender.Kind.MONEY_ORDER, policy.check_overpayment),
            (Tender.Kind.CARD, policy.card_overpayment),
        )
        if by_kind[k] and rule == CashieringPolicy.Overpayment.REFUSE
    ]
    if refusing:
        raise RevenueError(
            f"The {' and '.join(refusing)} tender is {credit:,.2f} more than is due; "
            "the city does not keep the difference as credit. Correct the amount."
        )
