"""Payments by mail: a batch with control count and total, its remittances keyed one by one,
posted as receipts in the clerk's open session once the batch balances."""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from revenue import services as core
from revenue.exceptions import AccountNotConfigured, InvalidAmount, NotAllowed, RevenueError
from revenue.models import ZERO, Charge, Party
from revenue.selectors import open_charges

from ..exceptions import SessionClosed
from ..models import MailBatch, Remittance, Tender
from .receipts import Item, TenderIn, receipt_issue
from .sessions import lock_session, policy_on, session_for


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


def _resolve_stub(stub: str, amount: Decimal) -> tuple[Party | None, Charge | None, str]:
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
    party = Party.objects.filter(number__iexact=stub).first()
    if party is not None:
        due = Charge.objects.filter(party=party).open().balance_total()
        if not due:
            return party, None, f"{party.name} owes nothing."
        if amount > due:
            return party, None, f"Amount {amount:,.2f} is more than the {due:,.2f} {party.name} owes."
        return party, None, ""
    return None, None, f"Unknown number: {stub}."


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
    party, charge, problem = _resolve_stub(stub_number, amount)
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
    """What a remittance pays: its stub's charge, or a party's open charges oldest first."""
    if remittance.charge is not None:
        return [Item(charge=remittance.charge, amount=remittance.amount)]
    left, items = remittance.amount, []
    for charge in open_charges(remittance.party):
        part = min(charge.balance, left)
        if part > 0:
            items.append(Item(charge=charge, amount=part))
            left -= part
    return items


@transaction.atomic
def batch_post(*, batch: MailBatch, acting_user) -> MailBatch:
    """Post every ready remittance as a receipt (a check tender) in the clerk's open session.
    Refused unless the keyed count and total equal the batch's controls. A remittance that can no
    longer post (the charge was paid meanwhile) becomes an exception; the rest post."""
    session = session_for(acting_user)
    if session is None:
        raise SessionClosed("Open a drawer (the mail room's) first: mail receipts go into your session.")
    session = lock_session(session)  # session first, as every receipt does; a close-out waits for this
    policy_on()  # no policy, no posting at all (not one exception per remittance)
    batch = MailBatch.objects.select_for_update().get(pk=batch.pk)
    if batch.status != MailBatch.Status.OPEN:
        raise RevenueError(f"{batch} is already posted.")
    count, total = batch_totals(batch)
    if (count, total) != (batch.control_count, batch.control_total):
        raise RevenueError(
            f"The batch does not balance: keyed {count} for {total:,.2f}, control "
            f"{batch.control_count} for {batch.control_total:,.2f}."
        )
    for remittance in batch.remittances.filter(status=Remittance.Status.READY).select_related(
        "party", "charge"
    ):
        try:
            with transaction.atomic():
                receipt = receipt_issue(
                    session=session,
                    payer=remittance.party,
                    items=_remittance_items(remittance),
                    acting_user=acting_user,
                    tenders=[
                        TenderIn(
                            Tender.Kind.CHECK,
                            remittance.amount,
                            remittance.check_number,
                            remittance.name_on_check,
                        )
                    ],
                )
        except (SessionClosed, NotAllowed, AccountNotConfigured):
            raise  # about the batch or the set-up, not this remittance: nothing posts
        except RevenueError as exc:
            remittance.status = Remittance.Status.EXCEPTION
            remittance.exception_reason = str(exc)[:250]
            remittance.save(update_fields=["status", "exception_reason"])
        else:
            remittance.status = Remittance.Status.POSTED
            remittance.receipt = receipt
            remittance.save(update_fields=["status", "receipt"])
    batch.status = MailBatch.Status.POSTED
    batch.posted_at = timezone.now()
    batch.posted_by = acting_user
    batch.save(update_fields=["status", "posted_at", "posted_by"])
    core.audit(
        actor=acting_user,
        action="batch.posted",
        obj=batch,
        after={
            "posted": batch.remittances.filter(status=Remittance.Status.POSTED).count(),
            "exceptions": batch.remittances.filter(status=Remittance.Status.EXCEPTION).count(),
        },
    )
    return batch


@transaction.atomic
def remittance_remove(*, remittance: Remittance, acting_user) -> None:
    """Take back a keying mistake while the batch is open (audited)."""
    batch = MailBatch.objects.select_for_update().get(pk=remittance.batch_id)
    if batch.status != MailBatch.Status.OPEN:
        raise RevenueError(f"{batch} is already posted.")
    core.audit(
        actor=acting_user,
        action="batch.remittance_removed",
        obj=batch,
        before={
            "stub": remittance.stub_number,
            "amount": str(remittance.amount),
            "check": remittance.check_number,
        },
    )
    remittance.delete()
