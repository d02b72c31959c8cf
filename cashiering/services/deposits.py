"""Bank deposits: signed-off sessions' cash (less each float) and checks gathered on a slip,
then posted when the bank takes them (Dr cash in bank, Cr undeposited funds)."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db import transaction

from revenue import services as core
from revenue.exceptions import NotAllowed, RevenueError
from revenue.models import ZERO, Account

from ..models import DENOMINATION_BY_KEY, CashierSession, Deposit, Receipt, SuspenseItem, Tender


def deposit_split(counts: dict, amount: Decimal) -> dict[str, int]:
    """Which of the counted notes and coins make up `amount` exactly, the rest (the float)
    staying in the drawer: as many large notes as possible, so the drawer keeps its small change.
    A depth-first search from the largest denomination down, remembering dead ends."""
    denominations = sorted(DENOMINATION_BY_KEY.values(), key=lambda d: (-d.value, d.key))
    cents = [int(d.value * 100) for d in denominations]
    have = [int(counts.get(d.key, 0)) for d in denominations]
    reach = [sum(c * n for c, n in zip(cents[i:], have[i:], strict=True)) for i in range(len(cents))] + [0]
    dead: set[tuple[int, int]] = set()

    def search(i: int, remaining: int) -> dict[str, int] | None:
        if remaining == 0:
            return {}
        if i == len(cents) or remaining > reach[i] or (i, remaining) in dead:
            return None
        for n in range(min(have[i], remaining // cents[i]), -1, -1):
            rest = search(i + 1, remaining - n * cents[i])
            if rest is not None:
                return {denominations[i].key: n, **rest} if n else rest
        dead.add((i, remaining))
        return None

    found = search(0, int(amount * 100))
    if found is None:
        raise RevenueError("The counted notes and coins cannot make the deposit exactly; recount the drawer.")
    return found


def deposit_checks(deposit_or_sessions):
    """The checks and money orders that go to the bank: those ticked at close-out (one not ticked
    was posted short at sign-off)."""
    sessions = (
        deposit_or_sessions.sessions.all()
        if hasattr(deposit_or_sessions, "sessions")
        else deposit_or_sessions
    )
    return (
        Tender.objects.filter(
            receipt__session__in=sessions,
            receipt__status=Receipt.Status.POSTED,
            confirmed=True,
            kind__in=[Tender.Kind.CHECK, Tender.Kind.MONEY_ORDER],
        )
        .select_related("receipt")
        .order_by("receipt__number", "pk")
    )


def deposit_suspense_checks(deposit_or_sessions):
    """The checks held in suspense that go to the bank with their sessions (ticked at close-out):
    money in suspense is money received, deposited like any other check."""
    sessions = (
        deposit_or_sessions.sessions.all()
        if hasattr(deposit_or_sessions, "sessions")
        else deposit_or_sessions
    )
    return SuspenseItem.objects.filter(session__in=sessions, confirmed=True).order_by("number")


@transaction.atomic
def deposit_prepare(*, sessions: list[CashierSession], acting_user) -> Deposit:
    """Gather signed-off sessions into a deposit: their cash less each drawer's float, and
    their checks. Nothing posts until the deposit is marked deposited."""
    if not acting_user.has_perm("cashiering.make_deposit"):
        raise NotAllowed("Only a Revenue Supervisor prepares deposits.")
    if not sessions:
        raise RevenueError("Choose the sessions to deposit.")
    locked = list(
        CashierSession.objects.select_for_update(no_key=True)
        .filter(pk__in=[s.pk for s in sessions])
        .order_by("pk")
    )
    for s in locked:
        if s.clerk_id == acting_user.pk:
            raise NotAllowed(f"Session {s} is yours: another supervisor deposits its money.")
        if s.status != CashierSession.Status.SIGNED_OFF:
            raise RevenueError(f"Session {s} is not signed off yet.")
        if s.deposit_id:
            raise RevenueError(f"Session {s} is already in deposit {s.deposit.number}.")
    cash_counts: dict[str, int] = {}
    cash_total = ZERO
    for s in locked:
        # the float stays in the drawer; a drawer counted below its float keeps all its cash
        amount = max(s.counted_cash - s.opening_float, ZERO)
        for key, n in deposit_split(s.counted_counts, amount).items():
            cash_counts[key] = cash_counts.get(key, 0) + n
        cash_total += amount
    checks_total = sum((t.amount for t in deposit_checks(locked)), ZERO) + sum(
        (i.amount for i in deposit_suspense_checks(locked)), ZERO
    )
    if not cash_total and not checks_total:
        raise RevenueError("These sessions have no cash or checks to take to the bank.")
    deposit = Deposit.objects.create(
        number=core.number_next(kind="DEP"),
        cash_counts=cash_counts,
        cash_total=cash_total,
        checks_total=checks_total,
        prepared_by=acting_user,
    )
    CashierSession.objects.filter(pk__in=[s.pk for s in locked]).update(deposit=deposit)
    core.audit(
        actor=acting_user,
        action="deposit.prepared",
        obj=deposit,
        after={"cash": str(cash_total), "checks": str(checks_total), "sessions": [s.pk for s in locked]},
    )
    return deposit


@transaction.atomic
def deposit_confirm(*, deposit, bank_reference: str, deposited_on: datetime.date | None = None, acting_user):
    """The bank took it: Dr cash in bank, Cr undeposited cash and checks."""
    if not acting_user.has_perm("cashiering.make_deposit"):
        raise NotAllowed("Only a Revenue Supervisor marks deposits.")
    deposit = Deposit.objects.select_for_update(no_key=True).get(pk=deposit.pk)
    if deposit.sessions.filter(clerk=acting_user).exists():
        raise NotAllowed("This deposit holds money you took: another supervisor marks it deposited.")
    if deposit.prepared_by_id == acting_user.pk:
        raise NotAllowed("You prepared this deposit: another supervisor confirms it was deposited.")
    if deposit.status != Deposit.Status.PREPARED:
        raise RevenueError(f"Deposit {deposit.number} is already marked deposited.")
    bank_reference = (bank_reference or "").strip()
    if not bank_reference:
        raise RevenueError("Enter the bank's reference from the deposit receipt.")
    deposited_on = deposited_on or core.city_today()
    memo = f"Deposit {deposit.number} ref {bank_reference}"
    deposit.entry = core.journal_post(
        lines=[
            core.Line(
                account=core.account_for_role(Account.Role.CASH_IN_BANK), debit=deposit.total, memo=memo
            ),
            core.Line(
                account=core.account_for_role(Account.Role.UNDEPOSITED), credit=deposit.cash_total, memo=memo
            ),
            core.Line(
                account=core.account_for_role(Account.Role.UNDEPOSITED_CHECKS),
                credit=deposit.checks_total,
                memo=memo,
            ),
        ],
        memo=memo,
        acting_user=acting_user,
        source=deposit,
        entry_date=deposited_on,
    )
    deposit.status = Deposit.Status.DEPOSITED
    deposit.bank_reference = bank_reference[:40]
    deposit.deposited_on = deposited_on
    deposit.deposited_by = acting_user
    deposit.save(update_fields=["entry", "status", "bank_reference", "deposited_on", "deposited_by"])
    core.audit(
        actor=acting_user, action="deposit.deposited", obj=deposit, after={"bank_reference": bank_reference}
    )
    return deposit
