"""Money in suspense: a check received that could not be applied when it came (more than owed, an
unknown stub, a charge paid meanwhile). It is real money in the drawer, so it posts at once
(Dr undeposited checks, Cr suspense, a liability) in the session that took it, and goes through
that session's close-out and deposit like any check. A senior or a supervisor (never who keyed
it) resolves it later with a new entry: applied to a party (Dr suspense, Cr the party's charges
oldest first, the rest to credit on account) or returned to the sender (Dr suspense, Cr refunds
payable, with a letter). Entries are never edited."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from revenue import services as core
from revenue.exceptions import NotAllowed, RevenueError
from revenue.models import Account, Party
from revenue.selectors import open_charges

from ..models import CashierSession, Remittance, SuspenseItem


def suspense_hold(
    *, session: CashierSession, remittance: Remittance, reason: str, acting_user
) -> SuspenseItem:
    """Put a remittance's check in suspense in `session` (locked by the caller, the batch post)."""
    number = core.number_next(kind="SUS")
    memo = f"Suspense {number}: check {remittance.check_number} from {remittance.name_on_check}"
    entry = core.journal_post(
        lines=[
            core.Line(
                account=core.account_for_role(Account.Role.UNDEPOSITED_CHECKS),
                debit=remittance.amount,
                memo=memo,
            ),
            core.Line(
                account=core.account_for_role(Account.Role.SUSPENSE), credit=remittance.amount, memo=memo
            ),
        ],
        memo=memo[:250],
        acting_user=acting_user,
        entry_date=session.business_date,
    )
    item = SuspenseItem.objects.create(
        number=number,
        session=session,
        remittance=remittance,
        amount=remittance.amount,
        check_number=remittance.check_number,
        name_on_check=remittance.name_on_check,
        reason=(reason or "Held in suspense")[:250],
        party_hint=remittance.party,
        entry=entry,
        created_by=acting_user,
    )
    core.audit(
        actor=acting_user,
        action="suspense.held",
        obj=item,
        after={"amount": str(item.amount), "remittance": remittance.pk, "reason": item.reason},
    )
    return item


def _lock_open(item: SuspenseItem, acting_user) -> SuspenseItem:
    if not acting_user.has_perm("cashiering.resolve_suspense"):
        raise NotAllowed("Only a senior representative or a supervisor resolves money in suspense.")
    item = (
        SuspenseItem.objects.select_for_update(no_key=True, of=("self",))
        .select_related("remittance")
        .get(pk=item.pk)
    )
    if item.status != SuspenseItem.Status.OPEN:
        raise RevenueError(f"{item} is already resolved ({item.get_status_display().lower()}).")
    keyed_by = item.remittance.keyed_by_id if item.remittance else None
    if acting_user.pk in (item.created_by_id, keyed_by):
        raise NotAllowed(f"You keyed or posted {item}: another senior or supervisor resolves it.")
    return item


def _finish(item: SuspenseItem, status: str, note: str, acting_user, **fields) -> SuspenseItem:
    item.status = status
    item.resolution_note = note[:250]
    item.resolved_at = timezone.now()
    item.resolved_by = acting_user
    for name, value in fields.items():
        setattr(item, name, value)
    item.save()
    core.audit(
        actor=acting_user,
        action=f"suspense.{status}",
        obj=item,
        reason=item.resolution_note,
        after={"amount": str(item.amount), **{k: str(v) for k, v in fields.items()}},
    )
    return item


@transaction.atomic
def suspense_apply(*, item: SuspenseItem, party: Party, acting_user, note: str = "") -> SuspenseItem:
    """Apply money in suspense to a party: its open charges oldest first, the rest to its credit
    on account (Dr suspense, Cr receivables, Cr customer credit)."""
    item = _lock_open(item, acting_user)
    party = core.lock_party(party)
    left, applications = item.amount, []
    for charge in open_charges(party):
        part = min(charge.balance, left)
        if part > 0:
            applications.append((charge, part))
            left -= part
    payment = core.payment_post(
        party=party,
        amount=item.amount,
        applications=applications,
        debit_account=core.account_for_role(Account.Role.SUSPENSE),
        acting_user=acting_user,
        source=item,
        reference=item.number,
        allow_credit=True,
    )
    text = (note or "").strip() or f"Applied to {party.name} ({party.number})"
    return _finish(item, SuspenseItem.Status.APPLIED, text, acting_user, party=party, payment=payment)


@transaction.atomic
def suspense_return(*, item: SuspenseItem, reason: str, acting_user) -> SuspenseItem:
    """Return money in suspense to whoever sent it: the check went to the bank with the drawer's
    deposit, so the city refunds it (Dr suspense, Cr refunds payable); the letter goes with it."""
    reason = (reason or "").strip()
    if not reason:
        raise RevenueError("Write why the money is returned: it is printed on the letter.")
    item = _lock_open(item, acting_user)
    memo = f"Return of {item} to {item.name_on_check}: {reason}"[:250]
    entry = core.journal_post(
        lines=[
            core.Line(account=core.account_for_role(Account.Role.SUSPENSE), debit=item.amount, memo=memo),
            core.Line(
                account=core.account_for_role(Account.Role.REFUNDS_PAYABLE),
                credit=item.amount,
                party=item.party_hint,
                memo=memo,
            ),
        ],
        memo=memo,
        acting_user=acting_user,
        source=item,
    )
    return _finish(item, SuspenseItem.Status.RETURNED, reason, acting_user, resolution_entry=entry)
