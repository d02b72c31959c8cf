"""Receipts: take money for a basket, count its prints, void it (through an approval)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from revenue import services as core
from revenue.exceptions import NotAllowed, RevenueError
from revenue.extensions import involvement_check
from revenue.models import ZERO, Account, ApprovalRequest, Charge, FeeType, Party

from ..exceptions import ChecksRefused, SessionClosed, TenderShort
from ..models import CashierSession, Receipt, ReceiptLine, Tender
from ..rules import TenderSplit, tender_split
from .returned_checks import check_ban
from .sessions import lock_session, policy_on


@dataclass(frozen=True)
class Item:
    """A line of the basket: a charge to pay (amount), or a counter fee to assess and pay."""

    amount: Decimal | None = None
    charge: Charge | None = None
    fee_type: FeeType | None = None
    quantity: int = 1
    description: str = ""  # what a keyed fee (miscellaneous revenue) is for


@dataclass(frozen=True)
class TenderIn:
    kind: str
    amount: Decimal  # for cash: what was handed over
    reference: str = ""
    name_on_check: str = ""
    card_last4: str = ""


def _clean_tender(t: TenderIn) -> TenderIn:
    if t.kind not in Tender.Kind.values:
        raise RevenueError(f"Unknown tender: {t.kind}.")
    label = Tender.Kind(t.kind).label
    amount = core.money(t.amount, field=f"{label} amount")
    reference = (t.reference or "").strip()
    if t.kind in (Tender.Kind.CHECK, Tender.Kind.MONEY_ORDER) and not reference:
        raise RevenueError(f"{label}: enter its number.")
    if t.kind == Tender.Kind.CHECK and not t.name_on_check.strip():
        raise RevenueError("Check: enter the name printed on the check.")
    if t.kind == Tender.Kind.CARD:
        digits = (t.card_last4 or "").strip()
        if len(digits) != 4 or not (digits.isascii() and digits.isdigit()):
            raise RevenueError("Card: enter only the last 4 digits of the card, never the whole number.")
        if not reference:
            raise RevenueError("Card: enter the authorization code from the terminal.")
    return TenderIn(
        t.kind, amount, reference[:40], t.name_on_check.strip()[:120], (t.card_last4 or "").strip()
    )


def _clean_tenders(tenders: list[TenderIn], payer: Party) -> list[TenderIn]:
    if not tenders:
        raise TenderShort("Enter how the payer is paying.")
    cleaned = [_clean_tender(t) for t in tenders]
    if any(t.kind == Tender.Kind.CHECK for t in cleaned):
        barred = check_ban(payer)
        if barred:
            raise ChecksRefused(
                f"No checks are accepted from {payer.name} until {barred.until:%m/%d/%Y} ({barred.reason})."
            )
    return cleaned


def _due(items: list[Item]) -> tuple[list[tuple[Charge, Decimal]], Decimal]:
    """What the basket owes, before anything is written: counter fees from the schedule, the rest
    as keyed. Existing charges are locked now (by primary key), before any number is taken, so
    every posting takes its row locks first and the journal counter last."""
    fee_totals = []
    for item in (i for i in items if i.fee_type is not None):
        total, _share, rate = core.fee_compute(
            fee_type=item.fee_type, quantity=item.quantity, amount=item.amount
        )
        if rate.amount is None and not item.description.strip():  # keyed: miscellaneous revenue
            raise RevenueError(f"{item.fee_type.name}: describe what the money is for.")
        if len(item.description) > 200:
            raise RevenueError(f"{item.fee_type.name}: describe it in 200 characters or fewer.")
        fee_totals.append(total)
    paying = [
        (item.charge, core.money(item.amount, field=f"Payment on {item.charge.source_number}"))
        for item in items
        if item.fee_type is None
    ]
    core.lock_charges([c.pk for c, _a in paying])
    return paying, sum((a for _c, a in paying), ZERO) + sum(fee_totals, ZERO)


def _fees_assess(items: list[Item], payer: Party, acting_user) -> list[Charge]:
    return [
        core.charge_assess_fee(
            party=payer,
            fee_type=item.fee_type,
            quantity=item.quantity,
            amount=item.amount,
            acting_user=acting_user,
            description=item.description,
        )
        for item in items
        if item.fee_type is not None
    ]


def _payment_post(receipt: Receipt, split: TenderSplit, applications, acting_user):
    debits = [
        (core.account_for_role(Account.Role.UNDEPOSITED), split.cash_kept),
        (core.account_for_role(Account.Role.UNDEPOSITED_CHECKS), split.checks),
        (core.account_for_role(Account.Role.CARD_CLEARING), split.cards),
    ]
    return core.payment_post(
        party=receipt.party,
        amount=split.total,
        applications=applications,
        debits=[d for d in debits if d[1]],
        acting_user=acting_user,
        source=receipt,
        reference=receipt.number,
    )


def _lines_write(receipt: Receipt, applications: list[tuple[Charge, Decimal]], assessed: set[int]) -> None:
    fresh = {c.pk: c for c in Charge.objects.filter(pk__in=[c.pk for c, _a in applications])}
    ReceiptLine.objects.bulk_create(
        ReceiptLine(
            receipt=receipt,
            charge_id=c.pk,
            assessed_here=c.pk in assessed,
            amount=a,
            balance_after=fresh[c.pk].balance,
        )
        for c, a in applications
    )


def _tenders_write(receipt: Receipt, split: TenderSplit, tenders: list[TenderIn]) -> None:
    rows = []
    if split.cash_tendered:
        rows.append(
            Tender(
                receipt=receipt, kind=Tender.Kind.CASH, amount=split.cash_kept, tendered=split.cash_tendered
            )
        )
    rows += [
        Tender(
            receipt=receipt,
            kind=t.kind,
            amount=t.amount,
            tendered=t.amount,
            reference=t.reference,
            name_on_check=t.name_on_check,
            card_last4=t.card_last4,
        )
        for t in tenders
        if t.kind != Tender.Kind.CASH
    ]
    Tender.objects.bulk_create(rows)


@transaction.atomic
def receipt_issue(
    *, session: CashierSession, payer: Party, items: list[Item], tenders: list[TenderIn], acting_user
) -> Receipt:
    """Take money for a basket: assess its counter fees, apply the money to its charges, keep
    any cash change, put a check or card overpayment on account (or refuse it, by policy), and
    post one receipt with its gapless number, ledger entry and tenders, all together."""
    session = lock_session(session)
    if not session.is_open:
        raise SessionClosed("This session is closed; open a new one to take payments.")
    if session.clerk_id != acting_user.pk:
        raise NotAllowed("Only the clerk who opened this session takes payments in it.")
    if not items:
        raise RevenueError("The basket is empty.")
    tenders = _clean_tenders(tenders, payer)
    policy = policy_on()
    applications, due = _due(items)
    split = tender_split(due, tenders, policy)
    receipt = Receipt.objects.create(
        number=core.number_next(kind="R"),
        session=session,
        party=payer,
        payer_name=payer.name[:200],
        total=split.total,
        change_given=split.change,
        created_by=acting_user,
    )
    assessed = _fees_assess(items, payer, acting_user)
    applications += [(charge, charge.amount) for charge in assessed]
    receipt.payment = _payment_post(receipt, split, applications, acting_user)
    receipt.save(update_fields=["payment"])
    _lines_write(receipt, applications, {c.pk for c in assessed})
    _tenders_write(receipt, split, tenders)
    core.audit(
        actor=acting_user,
        action="receipt.issued",
        obj=receipt,
        after={
            "total": str(split.total),
            "change": str(split.change),
            "credit": str(split.credit),
            "tenders": {k: str(v) for k, v in split.by_kind.items() if v},
        },
    )
    return receipt


def receipt_handling_check(*, receipt: Receipt, acting_user, perm: str, verb: str) -> None:
    """Printing and e-mailing a receipt are permissions of their own (never the auditor's), and
    a clerk does them for the receipts they took; a supervisor for any."""
    if not acting_user.has_perm(perm):
        raise NotAllowed(f"Your role does not {verb} receipts; open it to read a view-only copy.")
    if receipt.created_by_id != acting_user.pk and not acting_user.has_perm("revenue.approve_exception"):
        raise NotAllowed(
            f"Receipt {receipt.number} was taken by another clerk: they or a supervisor {verb} it."
        )


@transaction.atomic
def receipt_printed(*, receipt: Receipt, acting_user) -> int:
    """Count a print; the first is the original, every later one is marked DUPLICATE (copy n)."""
    receipt_handling_check(
        receipt=receipt, acting_user=acting_user, perm="cashiering.print_receipt", verb="print"
    )
    receipt = Receipt.objects.select_for_update(no_key=True).get(pk=receipt.pk)
    receipt.prints += 1
    receipt.save(update_fields=["prints"])
    core.audit(actor=acting_user, action="receipt.printed", obj=receipt, after={"prints": receipt.prints})
    return receipt.prints


def void_precheck(receipt: Receipt) -> None:
    if receipt.status != Receipt.Status.POSTED:
        raise RevenueError(f"Receipt {receipt.number} is already void.")
    if not receipt.session.is_open:
        raise SessionClosed(
            f"Receipt {receipt.number} is in a session already closed out; "
            "it can no longer be voided (a refund or a returned check applies)."
        )


@involvement_check
def _took_the_payment(kind: str, target, user) -> str | None:
    """Nobody voids a receipt they took, whatever their limit, nor approves its void."""
    if isinstance(target, Receipt) and user.pk in (target.created_by_id, target.session.clerk_id):
        return "You took this payment."
    return None


@core.approval_handler(ApprovalRequest.Kind.VOID, Receipt)
def _void_receipt(request: ApprovalRequest, acting_user) -> None:
    receipt = Receipt.objects.select_related("session", "payment").get(pk=request.target_id)
    lock_session(receipt.session)
    receipt.refresh_from_db()
    void_precheck(receipt)
    if core.involvement(
        kind=request.kind, target=receipt, user=acting_user
    ):  # the one rule, as approvals apply it
        raise NotAllowed("You took this payment: another supervisor must approve its void.")
    core.payment_reverse(payment=receipt.payment, acting_user=acting_user, reason=f"Void: {request.reason}")
    for line in receipt.lines.filter(assessed_here=True).select_related("charge"):
        line.charge.refresh_from_db()
        if line.charge.balance:
            core.charge_adjust(
                charge=line.charge,
                amount=line.charge.balance,
                kind=ApprovalRequest.Kind.WAIVER,
                acting_user=acting_user,
                reason=f"Receipt {receipt.number} voided",
            )
    receipt.status = Receipt.Status.VOIDED
    receipt.voided_at = timezone.now()
    receipt.void_reason = request.reason
    receipt.save(update_fields=["status", "voided_at", "void_reason"])
    core.audit(
        actor=acting_user,
        action="receipt.voided",
        obj=receipt,
        reason=request.reason,
        before={"status": "posted"},
        after={"status": "voided", "request": request.pk},
    )


@transaction.atomic
def receipt_void_request(*, receipt: Receipt, reason: str, acting_user) -> ApprovalRequest:
    """Ask to void a receipt of the open session. A supervisor decides; nobody voids a receipt
    they took on their own authority, whatever their limit (a supervisor voiding another clerk's
    receipt within their limit does it at once)."""
    receipt = Receipt.objects.select_related("session").get(pk=receipt.pk)
    void_precheck(receipt)
    if receipt.session.clerk_id != acting_user.pk and not acting_user.has_perm("revenue.approve_exception"):
        raise NotAllowed("Only the clerk whose session took the payment (or a supervisor) asks to void it.")
    return core.approval_request(
        kind=ApprovalRequest.Kind.VOID,
        target=receipt,
        amount=receipt.total,
        reason=reason,
        acting_user=acting_user,
    )


@transaction.atomic
def receipt_void_at_window(*, receipt: Receipt, reason: str, acting_user, approver) -> ApprovalRequest:
    """A supervisor standing at the clerk's window approves the void on the spot, their password
    typed at the clerk's screen (checked before this is called). The request is the clerk's (or
    the one already pending), the decision the supervisor's, through the core's approvals: they
    cannot approve a void of money they took, nor a request of their own. Refused, nothing
    changes, not even the request."""
    pending = ApprovalRequest.objects.filter(
        kind=ApprovalRequest.Kind.VOID,
        target_type__app_label="cashiering",
        target_type__model="receipt",
        target_id=receipt.pk,
        status=ApprovalRequest.Status.PENDING,
    ).first()
    request = pending or receipt_void_request(receipt=receipt, reason=reason, acting_user=acting_user)
    if request.status != ApprovalRequest.Status.PENDING:
        return request  # within the clerk's own limit: done, listed for review
    return core.approval_decide(
        request=request,
        approve=True,
        acting_user=approver,
        note=f"Approved at the window, at {acting_user.get_username()}'s screen.",
    )
