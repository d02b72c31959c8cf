"""Payments by mail: a batch with control count and total, its remittances keyed one by one,
posted as receipts in the clerk's open session once the batch balances."""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction
from django.db.models import Count, Sum
from django.utils import timezone

from revenue import services as core
from revenue.exceptions import AccountNotConfigured, InvalidAmount, NotAllowed, RevenueError
from revenue.extensions import counter_finders
from revenue.models import ZERO, Charge, Party
from revenue.selectors import open_charges

from ..exceptions import SessionClosed
from ..models import CashieringPolicy, MailBatch, Remittance, Tender
from ..rules import BatchTally
from .receipts import Item, TenderIn, receipt_issue
from .sessions import lock_session, policy_on, session_for
from .suspense import suspense_hold


@transaction.atomic
def batch_create(*, control_count, control_total, acting_user) -> MailBatch:
    if not acting_user.has_perm("cashiering.take_payment"):
        raise NotAllowed("Your role does not take payments.")
    try:
        count = int(control_count)
    except (TypeError, ValueError) as exc:
        raise InvalidAmount("Enter how many envelopes there are.") from exc
    if count < 1 or count > 10_000:
        raise InvalidAmount("The control count is from 1 to 10,000 envelopes.")
    total = core.money(control_total, field="Control total")
    batch = MailBatch.objects.create(
        number=core.number_next(kind="MB"), control_count=count, control_total=total, created_by=acting_user
    )
    core.audit(
        actor=acting_user, action="batch.created", obj=batch, after={"count": count, "total": str(total)}
    )
    return batch


def _resolve_stub(stub: str, amount: Decimal, acting_user=None) -> tuple[Party | None, Charge | None, str]:
    """What a stub number pays, and why it cannot be posted if it cannot."""
    charge = Charge.objects.select_related("party").filter(source_number__iexact=stub).first()
    if charge is not None:
        if charge.is_settled:
            return charge.party, charge, f"{charge.source_number} is already paid."
        if amount != charge.balance:
            return (
                charge.party,
                charge,
                f"Amount {amount:,.2f} does not match the balance of {charge.balance:,.2f}.",
            )
        return charge.party, charge, ""
    party = Party.objects.filter(number__iexact=stub).first() or _payer_by_finder(stub, acting_user)
    if party is not None:
        due = Charge.objects.filter(party=party).open().balance_total()
        if not due:
            return party, None, f"{party.name} owes nothing."
        if amount > due:
            return party, None, f"Amount {amount:,.2f} is more than the {due:,.2f} {party.name} owes."
        return party, None, ""
    return None, None, f"Unknown number: {stub}."


def _payer_by_finder(text: str, acting_user) -> Party | None:
    """A number a duty app's counter finder knows (a utility account, or its bill's stub): the one
    party whose charges it names, paid like a party number (oldest first)."""
    try:
        with transaction.atomic():
            numbers = [n for f in counter_finders for n in f(text, on=core.city_today(), user=acting_user)]
    except RevenueError:
        return None
    parties = (
        set(Charge.objects.filter(source_number__in=numbers).values_list("party", flat=True))
        if numbers
        else set()
    )
    return Party.objects.get(pk=parties.pop()) if len(parties) == 1 else None


@transaction.atomic
def remittance_add(
    *, batch: MailBatch, stub_number: str, amount, check_number: str, name_on_check: str, acting_user
) -> Remittance:
    batch = MailBatch.objects.select_for_update(no_key=True).get(pk=batch.pk)
    if batch.status != MailBatch.Status.OPEN:
        raise RevenueError(f"{batch} is already posted.")
    amount = core.money(amount, field="Remittance amount")
    stub_number, check_number = (stub_number or "").strip(), (check_number or "").strip()
    if not stub_number or not check_number or not (name_on_check or "").strip():
        raise RevenueError("Key the stub's number, the check number and the name on the check.")
    party, charge, problem = _resolve_stub(stub_number, amount, acting_user)
    remittance = Remittance.objects.create(
        batch=batch,
        stub_number=stub_number[:40],
        amount=amount,
        check_number=check_number[:40],
        name_on_check=name_on_check.strip()[:120],
        party=party,
        charge=charge,
        status=Remittance.Status.EXCEPTION if problem else Remittance.Status.READY,
        exception_reason=problem,
        keyed_by=acting_user,
    )
    return remittance


def batch_totals(batch: MailBatch) -> tuple[int, Decimal]:
    rows = list(batch.remittances.values_list("amount", flat=True))
    return len(rows), sum(rows, ZERO)


def _remittance_items(remittance: Remittance) -> list[Item]:
    """What a remittance pays: its stub's charge, or a party's open charges oldest first. One
    resolved to credit pays at most what is owed; the check's overage goes on account."""
    if remittance.charge is not None and not remittance.to_credit:
        return [Item(charge=remittance.charge, amount=remittance.amount)]
    if remittance.charge is not None and remittance.charge.balance > 0:
        return [Item(charge=remittance.charge, amount=min(remittance.charge.balance, remittance.amount))]
    left, items = remittance.amount, []
    for charge in open_charges(remittance.party):
        part = min(charge.balance, left)
        if part > 0:
            items.append(Item(charge=charge, amount=part))
            left -= part
    return items


def batch_tally(batch: MailBatch) -> BatchTally:
    """The batch against its controls, by status (one grouped query)."""
    rows = batch.remittances.values("status").annotate(n=Count("pk"), total=Sum("amount"))
    return BatchTally(
        batch.control_count, batch.control_total, {r["status"]: (r["n"], r["total"]) for r in rows}
    )


def _lock_open_remittance(remittance: Remittance) -> tuple[MailBatch, Remittance]:
    batch = MailBatch.objects.select_for_update(no_key=True).get(pk=remittance.batch_id)
    if batch.status != MailBatch.Status.OPEN:
        raise RevenueError(f"{batch} is already posted.")
    return batch, Remittance.objects.select_for_update(of=("self",)).select_related("party").get(
        pk=remittance.pk
    )


@transaction.atomic
def remittance_resolve(*, remittance: Remittance, how: str, acting_user, reason: str = "") -> Remittance:
    """Decide what becomes of an exception while the batch is open: `credit` (apply it to what
    the stub's payer owes, the overage on their credit on account), `suspense` (post it to
    suspense, resolved later), or `return` (send it back with a letter; recorded, never posted)."""
    if not acting_user.has_perm("cashiering.take_payment"):
        raise NotAllowed("Your role does not take payments.")
    batch, remittance = _lock_open_remittance(remittance)
    if remittance.status != Remittance.Status.EXCEPTION:
        raise RevenueError(f"Check {remittance.check_number} is not an exception to resolve.")
    before = {"status": remittance.status, "reason": remittance.exception_reason}
    if how == "credit":
        _check_credit(remittance)
        remittance.status, remittance.to_credit = Remittance.Status.READY, True
    elif how == "suspense":
        remittance.status = Remittance.Status.SUSPENSE
    elif how == "return":
        reason = (reason or "").strip()
        if not reason:
            raise RevenueError("Write why the check is returned: it is printed on the letter.")
        remittance.status, remittance.return_reason = Remittance.Status.RETURNED, reason[:250]
    else:
        raise RevenueError("Choose: apply with the overage to credit, hold in suspense, or return.")
    remittance.resolved_at, remittance.resolved_by = timezone.now(), acting_user
    remittance.save()
    core.audit(
        actor=acting_user,
        action=f"batch.remittance_{how}",
        obj=batch,
        before=before,
        after={
            "check": remittance.check_number,
            "amount": str(remittance.amount),
            "status": remittance.status,
        },
        reason=remittance.return_reason,
    )
    return remittance


def _check_credit(remittance: Remittance) -> None:
    """Applying with the overage to credit needs a known payer who owes something, and a policy
    that keeps check overpayments as credit."""
    if remittance.party is None:
        raise RevenueError("The stub names nobody: hold the check in suspense or return it.")
    if not _remittance_items(remittance):
        raise RevenueError(
            f"{remittance.party.name} owes nothing now: hold the check in suspense or return it."
        )
    if policy_on().check_overpayment != CashieringPolicy.Overpayment.CREDIT:
        raise RevenueError(
            "The city's policy does not keep check overpayments as credit: hold it in suspense or return it."
        )


def _remittance_receipt(session, remittance: Remittance, acting_user):
    return receipt_issue(
        session=session,
        payer=remittance.party,
        items=_remittance_items(remittance),
        acting_user=acting_user,
        tenders=[
            TenderIn(Tender.Kind.CHECK, remittance.amount, remittance.check_number, remittance.name_on_check)
        ],
    )


@transaction.atomic
def batch_post(*, batch: MailBatch, acting_user) -> MailBatch:
    """Post the batch into the clerk's open session, once every keyed check is accounted for and
    they add up to the controls: each ready remittance as a receipt (a check tender; the overage
    to credit when so resolved), each one held in suspense as a suspense item in the session.
    A ready one that can no longer post (its charge was paid meanwhile) goes to suspense with the
    reason, so no check is left with nowhere to go. Returned checks post nothing."""
    session = session_for(acting_user)
    if session is None:
        raise SessionClosed("Open a drawer (the mail room's) first: mail receipts go into your session.")
    session = lock_session(session)  # session first, as every receipt does; a close-out waits for this
    policy_on()  # no policy, no posting at all (not one exception per remittance)
    batch = MailBatch.objects.select_for_update().get(pk=batch.pk)
    if batch.status != MailBatch.Status.OPEN:
        raise RevenueError(f"{batch} is already posted.")
    tally = batch_tally(batch)
    if not tally.balanced:
        raise RevenueError(tally.problem)
    for remittance in batch.remittances.filter(
        status__in=[Remittance.Status.READY, Remittance.Status.SUSPENSE]
    ).select_related("party", "charge"):
        reason = remittance.exception_reason or "Held in suspense"
        if remittance.status == Remittance.Status.READY:
            try:
                with transaction.atomic():
                    remittance.receipt = _remittance_receipt(session, remittance, acting_user)
            except (SessionClosed, NotAllowed, AccountNotConfigured):
                raise  # about the batch or the set-up, not this remittance: nothing posts
            except RevenueError as exc:
                reason = f"Could not post: {exc}"
            else:
                remittance.status = Remittance.Status.POSTED
                remittance.save(update_fields=["status", "receipt"])
                continue
        suspense_hold(session=session, remittance=remittance, reason=reason, acting_user=acting_user)
        remittance.status, remittance.exception_reason = Remittance.Status.SUSPENSE, reason[:250]
        remittance.save(update_fields=["status", "exception_reason"])
    batch.status = MailBatch.Status.POSTED
    batch.posted_at = timezone.now()
    batch.posted_by = acting_user
    batch.session = session
    batch.save(update_fields=["status", "posted_at", "posted_by", "session"])
    tally = batch_tally(batch)
    core.audit(
        actor=acting_user,
        action="batch.posted",
        obj=batch,
        after={s: [n, str(t)] for s, (n, t) in tally.by_status.items()},
    )
    return batch


@transaction.atomic
def remittance_remove(*, remittance: Remittance, acting_user) -> None:
    """Take back a keying mistake while the batch is open (audited). The batch then no longer
    adds up to its controls until the envelope is keyed again: a real check is never dropped."""
    batch, remittance = _lock_open_remittance(remittance)
    core.audit(
        actor=acting_user,
        action="batch.remittance_removed",
        obj=batch,
        before={
            "stub": remittance.stub_number,
            "amount": str(remittance.amount),
            "check": remittance.check_number,
            "status": remittance.status,
        },
    )
    remittance.delete()
