"""The chart of accounts and the ledger: entries that balance and are never edited."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction

from ..dates import city_today
from ..exceptions import (
    AccountNotConfigured,
    AlreadyReversed,
    RevenueError,
    Unbalanced,
)
from ..models import (
    ZERO,
    Account,
    Charge,
    Fund,
    JournalEntry,
    JournalLine,
    Party,
    Payment,
)
from ..money import money
from .audit import audit
from .numbers import number_next


def account_for_role(role: str, *, fund: Fund | None = None) -> Account:
    """The active account that plays `role` in `fund` (default: the general fund)."""
    qs = Account.objects.filter(role=role, active=True)
    qs = qs.filter(fund=fund) if fund else qs.filter(fund__code=settings.GENERAL_FUND_CODE)
    account = qs.first()
    if account is None:
        raise AccountNotConfigured(f"No active account is set up for '{Account.Role(role).label}'.")
    return account


@dataclass(frozen=True)
class Line:
    account: Account
    debit: Decimal = ZERO
    credit: Decimal = ZERO
    party: Party | None = None
    memo: str = ""


def _source_fields(source: models.Model | None) -> dict:
    if source is None:
        return {"source_type": None, "source_id": None}
    return {"source_type": ContentType.objects.get_for_model(source), "source_id": source.pk}


def _interfund_lines(lines: list[Line]) -> list[Line]:
    """Each fund is a self-balancing set of accounts. Where an entry moves value between funds
    (cash taken into the general fund for a parking citation, say), add a "due to other funds"
    credit in each fund left with more debits and a "due from other funds" debit in each fund
    left with more credits. The whole entry balances, so these lines balance each other."""
    net: dict[int, Decimal] = {}
    funds: dict[int, Fund] = {}
    for ln in lines:
        net[ln.account.fund_id] = net.get(ln.account.fund_id, ZERO) + ln.debit - ln.credit
    extra = []
    for fund_id, amount in sorted(net.items()):
        if amount == ZERO:
            continue
        fund = funds.setdefault(fund_id, Fund.objects.get(pk=fund_id))
        if amount > 0:
            extra.append(
                Line(
                    account=account_for_role(Account.Role.DUE_TO_FUNDS, fund=fund),
                    credit=amount,
                    memo="Interfund: due to other funds",
                )
            )
        else:
            extra.append(
                Line(
                    account=account_for_role(Account.Role.DUE_FROM_FUNDS, fund=fund),
                    debit=-amount,
                    memo="Interfund: due from other funds",
                )
            )
    return extra


@transaction.atomic
def journal_post(
    *,
    lines: list[Line],
    memo: str,
    acting_user,
    entry_date: datetime.date | None = None,
    source: models.Model | None = None,
    reverses: JournalEntry | None = None,
) -> JournalEntry:
    """Post a balanced entry. Lines of zero are dropped; the database checks the balance again."""
    lines = [ln for ln in lines if ln.debit or ln.credit]
    for ln in lines:
        money(ln.debit, field="Debit", allow_zero=True)
        money(ln.credit, field="Credit", allow_zero=True)
        if ln.debit and ln.credit:
            raise Unbalanced("A journal line is either a debit or a credit, not both.")
    debits = sum((ln.debit for ln in lines), ZERO)
    credits = sum((ln.credit for ln in lines), ZERO)
    if len(lines) < 2 or debits != credits:
        raise Unbalanced(f"Entry does not balance: debits {debits} and credits {credits}.")
    lines += _interfund_lines(lines)
    entry_date = entry_date or city_today()
    entry = JournalEntry.objects.create(
        number=number_next(kind="J", on=entry_date),
        entry_date=entry_date,
        memo=memo[:250],
        reverses=reverses,
        posted_by=acting_user,
        **_source_fields(source),
    )
    JournalLine.objects.bulk_create(
        JournalLine(
            entry=entry,
            account=ln.account,
            party=ln.party,
            debit=ln.debit,
            credit=ln.credit,
            memo=ln.memo[:250],
        )
        for ln in lines
    )
    return entry


@transaction.atomic
def journal_reverse(
    *, entry: JournalEntry, acting_user, memo: str = "", entry_date: datetime.date | None = None
) -> JournalEntry:
    """Reverse a manual entry: a new entry with every line's sides swapped; the original stays as
    it was. An entry that records a charge or a payment is reversed through its own service
    (payment_reverse, charge_adjust), which keeps the charge's totals in step."""
    if (
        Charge.objects.filter(journal_entry=entry).exists()
        or Payment.objects.filter(journal_entry=entry).exists()
    ):
        raise RevenueError(
            f"Entry {entry.number} records a charge or a payment; void or adjust that instead."
        )
    return _journal_reverse(entry=entry, acting_user=acting_user, memo=memo, entry_date=entry_date)


def _journal_reverse(
    *,
    entry: JournalEntry,
    acting_user,
    memo: str = "",
    entry_date: datetime.date | None = None,
    account_map: dict[int, Account] | None = None,
) -> JournalEntry:
    """`account_map` (account id → account) reverses a line into another account: money that has
    moved on since (undeposited funds since taken to the bank) comes back from where it is now."""
    entry = JournalEntry.objects.select_for_update(no_key=True).get(pk=entry.pk)
    if JournalEntry.objects.filter(reverses=entry).exists():
        raise AlreadyReversed(f"Entry {entry.number} has already been reversed.")
    account_map = account_map or {}
    lines = [
        Line(
            account=account_map.get(ln.account_id, ln.account),
            party=ln.party,
            debit=ln.credit,
            credit=ln.debit,
            memo=ln.memo,
        )
        for ln in entry.lines.select_related("account", "party")
    ]
    reversal = journal_post(
        lines=lines,
        memo=memo or f"Reversal of {entry.number}: {entry.memo}",
        acting_user=acting_user,
        entry_date=entry_date,
        source=entry.source,
        reverses=entry,
    )
    audit(actor=acting_user, action="journal.reversed", obj=entry, after={"reversal": reversal.number})
    return reversal
