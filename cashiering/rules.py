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


def spread_oldest_first(amount: Decimal, balances: list[Decimal]) -> list[Decimal]:
    """A partial payment over balances listed oldest first: each is paid in full in turn until the
    money runs out (the last one reached in part); the rest get nothing."""
    left, out = money(amount, field="The amount paid"), []
    for balance in balances:
        part = min(balance, max(left, ZERO))
        out.append(part)
        left -= part
    return out


@dataclass(frozen=True)
class BatchTally:
    """A mail batch against its controls, by what became of each check. Every keyed check must
    end posted, held in suspense or returned with a letter: an exception still to resolve, or a
    check removed from the keying, leaves the batch out of balance."""

    control_count: int
    control_total: Decimal
    by_status: dict[str, tuple[int, Decimal]]  # status: (count, total)

    def part(self, status: str) -> tuple[int, Decimal]:
        return self.by_status.get(status, (0, ZERO))

    @property
    def keyed(self) -> tuple[int, Decimal]:
        return _add(self.by_status.values())

    @property
    def accounted(self) -> tuple[int, Decimal]:
        """Posted (or ready to post), in suspense, or returned: everything but open exceptions."""
        return _add(v for k, v in self.by_status.items() if k != "exception")

    def rows(self) -> list[tuple[str, int, Decimal]]:
        """Each end a check can come to, with its count and total, for the batch's page."""
        labels = [
            ("posted", "Posted as receipts"),
            ("ready", "Ready to post"),
            ("suspense", "Held in suspense"),
            ("returned", "Returned to sender"),
            ("exception", "Exceptions to resolve"),
        ]
        return [
            (label, *self.part(k))
            for k, label in labels
            if k in self.by_status or k in ("suspense", "returned", "exception")
        ]

    @property
    def balanced(self) -> bool:
        return not self.part("exception")[0] and self.accounted == (self.control_count, self.control_total)

    @property
    def problem(self) -> str:
        """Why the batch does not balance, as a sentence ('' when it does)."""
        exceptions = self.part("exception")[0]
        if exceptions:
            return (
                f"{exceptions} exception{'s' if exceptions != 1 else ''} to resolve first: apply it with "
                "the overage to credit, hold it in suspense, or return it to the sender."
            )
        count, total = self.accounted
        if (count, total) != (self.control_count, self.control_total):
            return (
                f"The batch does not balance: keyed {count} for {total:,.2f}, control "
                f"{self.control_count} for {self.control_total:,.2f}."
            )
        return ""


def _add(parts) -> tuple[int, Decimal]:
    parts = list(parts)
    return sum((n for n, _t in parts), 0), sum((t for _n, t in parts), ZERO)


def over_short_sentence(diffs: dict[str, Decimal]) -> str:
    """'The drawer is $5.00 short' (or over), with each tender that is off when more than one is."""
    total = sum(diffs.values(), ZERO)
    off = {k: v for k, v in diffs.items() if v}
    word = "over" if total > 0 else "short"
    text = f"The drawer is ${abs(total):,.2f} {word}" if total else "The drawer's tenders are off"
    if len(off) > 1 or (off and not total):
        text += (
            " ("
            + ", ".join(f"{k} ${abs(v):,.2f} {'over' if v > 0 else 'short'}" for k, v in off.items())
            + ")"
        )
    return text
