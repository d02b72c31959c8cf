"""Receivables: AR invoices (each line a core Charge whose source number is the invoice number, so
the counter takes payment for it by that number), their status following the money, sending
(e-mail or print), statements of account, and credit memos approved by a supervisor."""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Sum
from django.db.models.signals import post_save
from django.dispatch import receiver
from django.utils import timezone

from revenue import services as core
from revenue.exceptions import InvalidAmount, OverApplied, RevenueError
from revenue.models import (
    Account,
    ApprovalRequest,
    Charge,
    FeeType,
    JournalEntry,
    JournalLine,
    Party,
    Payment,
    PaymentApplication,
)
from revenue.signals import charge_reopened, charge_settled

from .collections import NoPolicy, bucket_of
from .collections import policy_on as aging_policy_on
from .models import ZERO, CreditMemo, Invoice, InvoiceLine, ReceivablesPolicy

MAX_INVOICE_TOTAL = Decimal("1000000.00")  # a larger miscellaneous billing is a keying mistake
MAX_BACKDATE_DAYS = 365
MAX_TERMS_DAYS = 365
MAX_QUANTITY = Decimal("99999999.99")  # what InvoiceLine.quantity holds (10 digits, 2 places)
CENT = Decimal("0.01")


class InvoiceError(RevenueError):
    pass


class NoEmail(InvoiceError):
    pass


# --------------------------------------------------------------------------- policy


def policy_on(day: datetime.date) -> ReceivablesPolicy:
    policy = core.in_force(ReceivablesPolicy.objects.select_related("receivable_account"), day)
    if policy is None:
        raise InvoiceError(f"No receivables policy is in force on {day:%m/%d/%Y}; a supervisor must add one.")
    return policy


# --------------------------------------------------------------------------- creating


@dataclass(frozen=True)
class _Line:
    fee_type: FeeType | None
    description: str
    account: Account
    quantity: Decimal
    unit_price: Decimal
    amount: Decimal
    pass_through: Decimal


def _quantity(value, n: int) -> Decimal:
    try:
        q = value if isinstance(value, Decimal) else Decimal(str(value).strip().replace(",", ""))
    except (InvalidOperation, ValueError) as exc:
        raise InvalidAmount(f"Line {n}: quantity must be a number.") from exc
    if not q.is_finite() or q <= 0:
        raise InvalidAmount(f"Line {n}: quantity must be more than zero.")
    if q != q.quantize(CENT):
        raise InvalidAmount(f"Line {n}: quantity has at most two decimal places.")
    if q > MAX_QUANTITY:
        raise InvalidAmount(f"Line {n}: quantity is too large.")
    return q.quantize(CENT)


def _blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _account(value, n: int) -> Account:
    if isinstance(value, Account):
        account = value
    else:
        account = Account.objects.filter(number=str(value or "").strip()).first()
        if account is None:
            raise InvoiceError(f"Line {n}: no GL account numbered {value!r}.")
    if account.type != Account.Type.REVENUE or not account.active:
        raise InvoiceError(f"Line {n}: {account} is not an active revenue account.")
    return account


def _line_prepare(raw: dict, n: int, on: datetime.date) -> _Line:
    fee_type = raw.get("fee_type")
    if isinstance(fee_type, str) and fee_type:
        fee_type = FeeType.objects.filter(code=fee_type).first()
        if fee_type is None:
            raise InvoiceError(f"Line {n}: no fee type with code {raw['fee_type']!r}.")
    quantity = _quantity(raw.get("quantity", 1), n)
    price = raw.get("unit_price")
    share = ZERO
    if fee_type:
        if not fee_type.active:
            raise InvoiceError(f"Line {n}: {fee_type.name} is no longer offered.")
        rate = core.fee_rate_on(fee_type=fee_type, on=on)
        if rate.amount is None:
            if _blank(price):
                raise InvalidAmount(f"Line {n}: {fee_type.name} has no set amount; enter the unit price.")
            unit = core.money(price, field=f"Line {n}: unit price")
        else:
            unit = rate.amount
            if not _blank(price) and core.money(price, field=f"Line {n}: unit price") != unit:
                raise InvalidAmount(
                    f"Line {n}: {fee_type.name} is {unit} on {on:%m/%d/%Y} by the fee schedule."
                )
            if unit <= 0:
                raise InvalidAmount(f"Line {n}: {fee_type.name} has no amount to bill on {on:%m/%d/%Y}.")
        description = (raw.get("description") or "").strip() or fee_type.name
        account = fee_type.revenue_account
        if rate.pass_through_amount:
            share = core.round_money(rate.pass_through_amount * quantity)
    else:
        description = (raw.get("description") or "").strip()
        if not description:
            raise InvoiceError(f"Line {n}: describe what is billed, or choose a fee type.")
        if _blank(raw.get("revenue_account")):
            raise InvoiceError(f"Line {n}: choose the GL revenue account.")
        account = _account(raw.get("revenue_account"), n)
        if _blank(price):
            raise InvalidAmount(f"Line {n}: enter the unit price.")
        unit = core.money(price, field=f"Line {n}: unit price")
    amount = core.round_money(quantity * unit)
    if amount <= 0:
        raise InvalidAmount(f"Line {n}: the amount rounds to zero.")
    if amount > MAX_INVOICE_TOTAL:
        raise InvalidAmount(f"Line {n}: {amount:,} is more than an invoice may bill ({MAX_INVOICE_TOTAL:,}).")
    return _Line(fee_type, description[:200], account, quantity, unit, amount, min(share, amount))


@transaction.atomic
def invoice_create(
    *,
    party: Party,
    lines: list[dict],
    acting_user,
    terms_days: int | None = None,
    invoice_date: datetime.date | None = None,
    reference: str = "",
    memo: str = "",
) -> Invoice:
    """Bill a customer: one core charge per line (Dr the policy's receivable, Cr the line's
    revenue account), the invoice number as every charge's document number.

    A line is {"fee_type": FeeType or code, "quantity", "unit_price" (only when the fee has no set
    amount)} or {"description", "revenue_account": Account or number, "quantity", "unit_price"}."""
    today = core.city_today()
    invoice_date = invoice_date or today
    if invoice_date > today:
        raise InvoiceError("The invoice date cannot be in the future.")
    if invoice_date < today - datetime.timedelta(days=MAX_BACKDATE_DAYS):
        raise InvoiceError(f"The invoice date can be back-dated at most {MAX_BACKDATE_DAYS} days.")
    if not lines:
        raise InvoiceError("An invoice needs at least one line.")
    policy = policy_on(invoice_date)
    terms = policy.default_terms_days if terms_days in (None, "") else terms_days
    if not isinstance(terms, int) or terms < 0 or terms > MAX_TERMS_DAYS:
        raise InvoiceError(f"Terms are a whole number of days from 0 to {MAX_TERMS_DAYS}.")
    prepared = [_line_prepare(raw, n, invoice_date) for n, raw in enumerate(lines, start=1)]
    total = sum((line.amount for line in prepared), ZERO)
    if total > MAX_INVOICE_TOTAL:
        raise InvalidAmount(
            f"The invoice comes to {total:,}, more than an invoice may bill ({MAX_INVOICE_TOTAL:,})."
        )
    due_on = invoice_date + datetime.timedelta(days=terms)
    invoice = Invoice.objects.create(
        number=core.number_next(kind="INV", on=invoice_date),
        party=party,
        invoice_date=invoice_date,
        terms_days=terms,
        due_on=due_on,
        reference=(reference or "").strip()[:60],
        memo=(memo or "").strip(),
        total=total,
        created_by=acting_user,
    )
    for line in prepared:
        qty = f"{line.quantity.normalize():f}"
        text = line.description if line.quantity == 1 else f"{line.description} × {qty}"
        charge = core.charge_assess(
            party=party,
            amount=line.amount,
            description=text,
            receivable_account=policy.receivable_account,
            revenue_account=line.account,
            pass_through=(line.fee_type.pass_through_account, line.pass_through)
            if line.pass_through
            else None,
            fee_type=line.fee_type,
            source=invoice,
            source_number=invoice.number,
            assessed_on=invoice_date,
            due_on=due_on,
            acting_user=acting_user,
        )
        InvoiceLine.objects.create(
            invoice=invoice,
            fee_type=line.fee_type,
            description=line.description,
            revenue_account=line.account,
            quantity=line.quantity,
            unit_price=line.unit_price,
            amount=line.amount,
            charge=charge,
        )
    core.audit(
        actor=acting_user,
        action="invoice.created",
        obj=invoice,
        after={
            "number": invoice.number,
            "party": party.number,
            "total": str(total),
            "invoice_date": invoice_date.isoformat(),
            "due_on": due_on.isoformat(),
            "lines": [f"{ln.description} {ln.quantity} × {ln.unit_price} = {ln.amount}" for ln in prepared],
        },
    )
    return invoice


# --------------------------------------------------------------------------- reading


def invoice_balance(invoice: Invoice) -> Decimal:
    """What is owed under the invoice's number now (its lines and anything billed on it since)."""
    totals = invoice.charges().aggregate(a=Sum("amount"), p=Sum("amount_paid"), d=Sum("amount_adjusted"))
    return (totals["a"] or ZERO) - (totals["p"] or ZERO) - (totals["d"] or ZERO)


def lines_balance(invoice: Invoice) -> Decimal:
    """What is open on the invoice's own lines (what a credit memo can reduce)."""
    return sum((c.balance for c in _line_charges(invoice)), ZERO)


def _line_charges(invoice: Invoice, *, lock: bool = False) -> list[Charge]:
    ids = list(InvoiceLine.objects.filter(invoice=invoice).values_list("charge_id", flat=True))
    if lock:
        return list(core.lock_charges(ids).values())
    return list(Charge.objects.filter(pk__in=ids).order_by("pk"))


def invoice_payments(invoice: Invoice) -> list[dict]:
    """The payments applied to the invoice's charges, one row per payment, oldest first."""
    rows: dict[int, dict] = {}
    apps = (
        PaymentApplication.objects.filter(charge__in=invoice.charges())
        .select_related("payment", "payment__reversal_entry")
        .order_by("payment__received_on", "payment_id")
    )
    for app in apps:
        row = rows.setdefault(app.payment_id, {"payment": app.payment, "amount": ZERO})
        row["amount"] += app.amount
    return list(rows.values())


def approval_for(memo: CreditMemo) -> ApprovalRequest | None:
    return (
        ApprovalRequest.objects.filter(
            kind=ApprovalRequest.Kind.WAIVER,
            target_type=ContentType.objects.get_for_model(CreditMemo),
            target_id=memo.pk,
        )
        .order_by("-pk")
        .first()
    )


# --------------------------------------------------------------------------- status follows money


def _lock_invoice(pk: int) -> Invoice:
    return Invoice.objects.select_for_update(no_key=True).get(pk=pk)


def _written_off(charges: list[Charge]) -> Decimal:
    """Debits to bad debt in the adjustments of these charges (charge_adjust posts source=charge)."""
    total = JournalLine.objects.filter(
        entry__source_type=ContentType.objects.get_for_model(Charge),
        entry__source_id__in=[c.pk for c in charges],
        account__role=Account.Role.BAD_DEBT,
    ).aggregate(d=Sum("debit"), c=Sum("credit"))
    return (total["d"] or ZERO) - (total["c"] or ZERO)


def invoice_status_refresh(invoice: Invoice, acting_user) -> Invoice:
    """Set the status from the charges: settled -> paid / credited / written off; open otherwise."""
    invoice = _lock_invoice(invoice.pk)
    charges = list(invoice.charges())
    before = invoice.status
    if charges and all(c.is_settled for c in charges):
        if before == Invoice.Status.WRITTEN_OFF:
            return invoice  # the write-off said so; a later settlement of a fee does not change it
        if _written_off(charges) > 0:
            status = Invoice.Status.WRITTEN_OFF
        elif any(c.amount_paid > 0 for c in charges):
            status = Invoice.Status.PAID
        else:
            status = Invoice.Status.CREDITED
    else:
        status = Invoice.Status.OPEN
    if status != before:
        invoice.status = status
        invoice.status_on = core.city_today()
        invoice.save(update_fields=["status", "status_on"])
        core.audit(
            actor=acting_user,
            action=f"invoice.{status}",
            obj=invoice,
            before={"status": before},
            after={"status": status},
        )
    return invoice


@receiver(charge_settled, sender=Invoice)
def _invoice_settled(sender, charge: Charge, acting_user, **kwargs) -> None:
    invoice_status_refresh(Invoice(pk=charge.source_id), acting_user)


@receiver(charge_reopened, sender=Invoice)
def _invoice_reopened(sender, charge: Charge, acting_user, **kwargs) -> None:
    invoice_status_refresh(Invoice(pk=charge.source_id), acting_user)


# --------------------------------------------------------------------------- sending


def _city() -> dict:
    """The city's letterhead (a PDF made outside a request has no context processors)."""
    return {
        "CITY_NAME": settings.CITY_NAME,
        "CITY_DEPARTMENT": settings.CITY_DEPARTMENT,
        "CITY_ADDRESS": settings.CITY_ADDRESS,
    }


def invoice_pdf(invoice: Invoice, *, request=None) -> bytes:
    from revenue.documents import barcode_svg, render_pdf

    return render_pdf(
        "receivables/print/invoice.html",
        {
            **_city(),
            "invoice": invoice,
            "lines": list(invoice.lines.select_related("revenue_account", "fee_type")),
            "balance": invoice_balance(invoice),
            "extra_charges": list(invoice.charges().exclude(invoice_line__isnull=False)),
            "credits": list(invoice.credit_memos.filter(status=CreditMemo.Status.APPLIED)),
            "paid": sum(
                (
                    row["amount"]
                    for row in invoice_payments(invoice)
                    if row["payment"].status == Payment.Status.POSTED
                ),
                ZERO,
            ),
            "barcode": barcode_svg(invoice.number),
        },
        request=request,
    )


@transaction.atomic
def invoice_mark_sent(*, invoice: Invoice, acting_user, email: str = "") -> Invoice:
    invoice = _lock_invoice(invoice.pk)
    before = core.snapshot(invoice, ["sent_at", "sent_by_email_to"])
    invoice.sent_at = timezone.now()
    invoice.sent_by_email_to = email
    invoice.save(update_fields=["sent_at", "sent_by_email_to"])
    core.audit(
        actor=acting_user,
        action="invoice.emailed" if email else "invoice.printed",
        obj=invoice,
        before=before,
        after=core.snapshot(invoice, ["sent_at", "sent_by_email_to"]),
    )
    return invoice


def invoice_email(*, invoice: Invoice, acting_user, request=None) -> Invoice:
    """E-mail the invoice PDF to the customer's address on file, then record that it was sent.
    The mail goes first (slow, external, outside any transaction); it is recorded only once sent."""
    from django.core.mail import EmailMessage

    address = (invoice.party.email or "").strip()
    if not address:
        raise NoEmail(f"{invoice.party.name} has no e-mail address on file; add one or print the invoice.")
    pdf = invoice_pdf(invoice, request=request)
    message = EmailMessage(
        subject=f"{settings.CITY_NAME} invoice {invoice.number}",
        body=(
            f"Invoice {invoice.number} dated {invoice.invoice_date:%m/%d/%Y} for ${invoice.total:,.2f} is attached.\n"
            f"Please pay by {invoice.due_on:%m/%d/%Y}, with the invoice number, at the Revenue Services "
            f"counter or by mail with the remittance stub.\n\n{settings.CITY_DEPARTMENT}\n{settings.CITY_ADDRESS}"
        ),
        to=[address],
    )
    message.attach(f"{invoice.number}.pdf", pdf, "application/pdf")
    message.send()
    return invoice_mark_sent(invoice=invoice, acting_user=acting_user, email=address)


# --------------------------------------------------------------------------- credit memos


@transaction.atomic
def credit_memo_request(*, invoice: Invoice, amount, reason: str, acting_user) -> CreditMemo:
    """Ask for a credit memo; it waits for a supervisor (a core waiver request with no amount, so
    no one's own limit covers it) and reduces the invoice only when approved."""
    amount = core.money(amount, field="Credit amount")
    reason = (reason or "").strip()
    if not reason:
        raise InvoiceError("A reason is required.")
    invoice = _lock_invoice(invoice.pk)
    open_balance = lines_balance(invoice)
    pending = (
        CreditMemo.objects.filter(invoice=invoice, status=CreditMemo.Status.PENDING).aggregate(
            s=Sum("amount")
        )["s"]
        or ZERO
    )
    if amount > open_balance - pending:
        extra = f" ({pending} already waiting for approval)" if pending else ""
        raise OverApplied(
            f"{invoice.number} has {open_balance} open{extra}; a credit memo of {amount} is too much."
        )
    memo = CreditMemo.objects.create(
        number=core.number_next(kind="CM"),
        invoice=invoice,
        amount=amount,
        reason=reason,
        created_by=acting_user,
    )
    core.audit(
        actor=acting_user,
        action="credit_memo.requested",
        obj=memo,
        after={"number": memo.number, "invoice": invoice.number, "amount": str(amount)},
        reason=reason,
    )
    core.approval_request(
        kind=ApprovalRequest.Kind.WAIVER,
        target=memo,
        reason=f"Credit memo {memo.number} ${amount:,.2f} on {invoice.number}: {reason}",
        acting_user=acting_user,
        amount=None,
    )
    return memo


@core.approval_handler(ApprovalRequest.Kind.WAIVER, CreditMemo)
def _credit_memo_apply(request: ApprovalRequest, acting_user) -> None:
    """Approved: waive the amount across the invoice's open line charges, first to last."""
    memo = CreditMemo.objects.select_for_update(no_key=True).get(pk=request.target_id)
    if memo.status != CreditMemo.Status.PENDING:
        raise InvoiceError(f"Credit memo {memo.number} is {memo.get_status_display().lower()}.")
    # charges are locked before the invoice (the receiver locks it), the order a payment takes
    invoice = Invoice.objects.get(pk=memo.invoice_id)
    charges = _line_charges(invoice, lock=True)
    open_balance = sum((c.balance for c in charges), ZERO)
    if memo.amount > open_balance:
        raise OverApplied(
            f"{invoice.number} has only {open_balance} open now; credit memo {memo.number} is {memo.amount}."
        )
    remaining = memo.amount
    for charge in charges:
        take = min(charge.balance, remaining)
        if take <= 0:
            continue
        core.charge_adjust(
            charge=charge,
            amount=take,
            kind=ApprovalRequest.Kind.WAIVER,
            acting_user=acting_user,
            reason=f"Credit memo {memo.number}: {memo.reason}",
        )
        remaining -= take
        if remaining == 0:
            break
    memo.status = CreditMemo.Status.APPLIED
    memo.applied_on = core.city_today()
    memo.save(update_fields=["status", "applied_on"])
    core.audit(
        actor=acting_user,
        action="credit_memo.applied",
        obj=memo,
        before={"status": "pending"},
        after={"status": "applied", "applied_on": memo.applied_on.isoformat()},
    )


@receiver(post_save, sender=ApprovalRequest)
def _credit_memo_denied(sender, instance: ApprovalRequest, **kwargs) -> None:
    """The core tells handlers only of approvals; a denied request makes its memo DENIED here
    (same transaction as the decision)."""
    if instance.status != ApprovalRequest.Status.DENIED or instance.kind != ApprovalRequest.Kind.WAIVER:
        return
    if instance.target_type_id != ContentType.objects.get_for_model(CreditMemo).pk:
        return
    updated = CreditMemo.objects.filter(pk=instance.target_id, status=CreditMemo.Status.PENDING).update(
        status=CreditMemo.Status.DENIED
    )
    if updated:
        core.audit(
            actor=instance.decided_by,
            action="credit_memo.denied",
            obj=CreditMemo.objects.get(pk=instance.target_id),
            before={"status": "pending"},
            after={"status": "denied"},
            reason=instance.decision_note,
        )


# --------------------------------------------------------------------------- statements


@dataclass
class StatementRow:
    date: datetime.date
    kind: str  # invoice | charge | payment | reversal | credit | write_off
    number: str
    description: str
    amount: Decimal  # + owed more, - owed less
    balance: Decimal = ZERO

    @property
    def charge(self) -> Decimal | None:
        return self.amount if self.amount > 0 else None

    @property
    def credit(self) -> Decimal | None:
        return -self.amount if self.amount < 0 else None


@dataclass
class Statement:
    party: Party
    start: datetime.date
    end: datetime.date
    opening: Decimal
    rows: list[StatementRow]
    closing: Decimal
    aging: list[tuple[str, Decimal]]
    open_items: list[dict] = field(default_factory=list)

    @property
    def total_charges(self) -> Decimal:
        return sum((r.amount for r in self.rows if r.amount > 0), ZERO)

    @property
    def total_credits(self) -> Decimal:
        return sum((-r.amount for r in self.rows if r.amount < 0), ZERO)

    @property
    def aging_total(self) -> Decimal:
        return sum((amount for _label, amount in self.aging), ZERO)


def aging_labels(edges: list[int]) -> list[str]:
    labels = ["Current"]
    low = 1
    for edge in edges:
        labels.append(f"{low}–{edge} days")
        low = edge + 1
    labels.append(f"Over {edges[-1]} days" if edges else "Past due")
    return labels


def aging_bucket(days_past_due: int, edges: list[int]) -> int:
    """0 for current (not past due), then 1 for up to the first edge, … len(edges)+1 beyond the last.
    The aging report's own function, so a statement and the report never bucket differently."""
    return bucket_of(days_past_due, edges)


_MEMO_NUMBER = re.compile(r"Credit memo (CM\d{4}-\d{6})")


def _events(
    party: Party,
) -> tuple[list[StatementRow], dict[int, list[tuple[datetime.date, Decimal]]], list[Charge]]:
    """Every dated movement on the party's invoice charges, and per charge its reductions."""
    numbers = Invoice.objects.filter(party=party).values("number")
    charges = list(
        Charge.objects.filter(party=party, source_number__in=numbers)
        .select_related("source_type")
        .order_by("pk")
    )
    ids = [c.pk for c in charges]
    reductions: dict[int, list[tuple[datetime.date, Decimal]]] = {pk: [] for pk in ids}
    rows: list[StatementRow] = []
    line_ids = set(InvoiceLine.objects.filter(charge_id__in=ids).values_list("charge_id", flat=True))
    # invoices, as billed (their lines' charges), and anything else billed on an invoice's number
    for inv in Invoice.objects.filter(party=party).order_by("invoice_date", "number"):
        rows.append(
            StatementRow(
                inv.invoice_date, "invoice", inv.number, f"Invoice, due {inv.due_on:%m/%d/%Y}", inv.total
            )
        )
    for c in charges:
        if c.pk not in line_ids:
            rows.append(StatementRow(c.assessed_on, "charge", c.source_number, c.description, c.amount))
    # payments, and their reversals (a void or a returned check)
    by_payment: dict[int, dict] = {}
    for app in PaymentApplication.objects.filter(charge_id__in=ids).select_related(
        "payment", "payment__reversal_entry", "charge"
    ):
        p = by_payment.setdefault(app.payment_id, {"payment": app.payment, "amount": ZERO, "numbers": []})
        p["amount"] += app.amount
        if app.charge.source_number not in p["numbers"]:
            p["numbers"].append(app.charge.source_number)
        reductions[app.charge_id].append((app.payment.received_on, app.amount))
        if app.payment.reversal_entry_id:
            reductions[app.charge_id].append((app.payment.reversal_entry.entry_date, -app.amount))
    for p in by_payment.values():
        pay = p["payment"]
        ref = pay.reference or f"#{pay.pk}"
        on = ", ".join(p["numbers"])
        rows.append(StatementRow(pay.received_on, "payment", ref, f"Payment on {on}", -p["amount"]))
        if pay.reversal_entry_id:
            rows.append(
                StatementRow(
                    pay.reversal_entry.entry_date,
                    "reversal",
                    ref,
                    f"Payment {ref} reversed (void or returned check)",
                    p["amount"],
                )
            )
    # adjustments: credit memos (waivers) and write-offs, posted with the charge as source
    lines = JournalLine.objects.filter(
        entry__source_type=ContentType.objects.get_for_model(Charge), entry__source_id__in=ids
    ).select_related("entry", "account")
    by_entry: dict[int, dict] = {}
    for line in lines:
        e = by_entry.setdefault(
            line.entry_id,
            {"entry": line.entry, "credit": ZERO, "bad_debt": False, "memos": [line.entry.memo]},
        )
        e["memos"].append(line.memo)
        if line.account.role == Account.Role.BAD_DEBT:
            e["bad_debt"] = True
    charge_by_pk = {c.pk: c for c in charges}
    for line in lines:
        charge = charge_by_pk[line.entry.source_id]
        if line.account_id == charge.receivable_account_id:
            by_entry[line.entry_id]["credit"] += line.credit - line.debit
    grouped: dict[tuple, StatementRow] = {}
    for e in by_entry.values():
        entry: JournalEntry = e["entry"]
        charge = charge_by_pk[entry.source_id]
        reductions[charge.pk].append((entry.entry_date, e["credit"]))
        if e["bad_debt"]:
            key = (entry.entry_date, "write_off", charge.source_number)
            text, number = f"Written off ({charge.source_number})", charge.source_number
        else:
            found = _MEMO_NUMBER.search(" ".join(e["memos"]))
            number = found.group(1) if found else charge.source_number
            key = (entry.entry_date, "credit", number)
            text = (
                f"Credit memo on {charge.source_number}" if found else f"Adjustment of {charge.source_number}"
            )
        row = grouped.get(key)
        if row is None:
            grouped[key] = StatementRow(entry.entry_date, key[1], number, text, -e["credit"])
        else:
            row.amount -= e["credit"]
    rows.extend(grouped.values())
    order = {"invoice": 0, "charge": 1, "payment": 2, "credit": 3, "write_off": 4, "reversal": 5}
    rows.sort(key=lambda r: (r.date, order[r.kind], r.number))
    return rows, reductions, charges


def statement_compute(*, party: Party, start: datetime.date, end: datetime.date) -> Statement:
    """A statement of the party's AR invoices for a period: opening balance (owed before `start`),
    each dated movement with the running balance, closing balance, and the aging of the closing
    balance on `end` by the policy's buckets. Past periods give the figures as they stood then."""
    if start > end:
        raise InvoiceError("The start date is after the end date.")
    rows, reductions, charges = _events(party)
    opening = sum((r.amount for r in rows if r.date < start), ZERO)
    activity = [r for r in rows if start <= r.date <= end]
    balance = opening
    for r in activity:
        balance += r.amount
        r.balance = balance
    closing = balance
    try:  # the policy the aging report uses for that date
        edges = sorted(int(e) for e in (aging_policy_on(end).aging_edges or []))
    except NoPolicy:
        edges = [30, 60, 90]
    labels = aging_labels(edges)
    buckets = [ZERO] * len(labels)
    open_items = []
    # Each charge ages with its invoice, by the invoice's due date, as the aging report does: a
    # late fee assessed (and due) today on a 95-day-old invoice is 95 days past due, not current.
    invoice_ct = ContentType.objects.get_for_model(Invoice).pk
    invoice_due, due_by_number = {}, {}
    for pk, number, due_on in Invoice.objects.filter(party=party).values_list("pk", "number", "due_on"):
        invoice_due[pk] = due_by_number[number] = due_on
    for c in charges:
        if c.assessed_on > end:
            continue
        owed = c.amount - sum((amt for on, amt in reductions[c.pk] if on <= end), ZERO)
        if owed == 0:
            continue
        if c.source_type_id == invoice_ct and c.source_id in invoice_due:
            due_on = invoice_due[c.source_id]
        else:
            due_on = due_by_number.get(c.source_number, c.due_on)
        days = (end - due_on).days
        buckets[aging_bucket(days, edges)] += owed
        open_items.append({"charge": c, "owed": owed, "due_on": due_on, "days_past_due": max(days, 0)})
    return Statement(
        party=party,
        start=start,
        end=end,
        opening=opening,
        rows=activity,
        closing=closing,
        aging=list(zip(labels, buckets, strict=True)),
        open_items=open_items,
    )


def statement_pdf(statement: Statement, *, request=None) -> bytes:
    from revenue.documents import render_pdf

    return render_pdf("receivables/print/statement.html", {**_city(), "st": statement}, request=request)
