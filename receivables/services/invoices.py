"""Invoices: an AR invoice's lines are core charges whose source number is the invoice number,
so the counter takes payment for it by that number; its status follows the money; it is sent by
e-mail or printed."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import Sum
from django.dispatch import receiver
from django.utils import timezone

from revenue import services as core
from revenue.documents import barcode_svg, render_pdf
from revenue.exceptions import InvalidAmount, RevenueError
from revenue.models import Account, Charge, FeeType, JournalLine, Party, Payment
from revenue.money import CENT
from revenue.signals import charge_reopened, charge_settled

from ..models import ZERO, CreditMemo, Invoice, InvoiceLine, ReceivablesPolicy
from ..selectors import invoice_balance, invoice_payments, policy_on

MAX_INVOICE_TOTAL = Decimal("1000000.00")  # a larger miscellaneous billing is a keying mistake
MAX_BACKDATE_DAYS = 365
MAX_TERMS_DAYS = 365
MAX_QUANTITY = Decimal("99999999.99")  # what InvoiceLine.quantity holds (10 digits, 2 places)


class InvoiceError(RevenueError):
    pass


class NoEmail(InvoiceError):
    pass


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


def _invoice_date(invoice_date: datetime.date | None) -> datetime.date:
    """The invoice date asked for (today by default): not in the future, back-dated at most a year."""
    today = core.city_today()
    invoice_date = invoice_date or today
    if invoice_date > today:
        raise InvoiceError("The invoice date cannot be in the future.")
    if invoice_date < today - datetime.timedelta(days=MAX_BACKDATE_DAYS):
        raise InvoiceError(f"The invoice date can be back-dated at most {MAX_BACKDATE_DAYS} days.")
    return invoice_date


def _terms(terms_days, policy: ReceivablesPolicy) -> int:
    """The terms asked for, or the policy's default when none is given."""
    terms = policy.default_terms_days if terms_days in (None, "") else terms_days
    if not isinstance(terms, int) or terms < 0 or terms > MAX_TERMS_DAYS:
        raise InvoiceError(f"Terms are a whole number of days from 0 to {MAX_TERMS_DAYS}.")
    return terms


def _lines_prepare(lines: list[dict], on: datetime.date) -> tuple[list[_Line], Decimal]:
    """Each line checked and priced, and the invoice's total (at most MAX_INVOICE_TOTAL)."""
    prepared = [_line_prepare(raw, n, on) for n, raw in enumerate(lines, start=1)]
    total = sum((line.amount for line in prepared), ZERO)
    if total > MAX_INVOICE_TOTAL:
        raise InvalidAmount(
            f"The invoice comes to {total:,}, more than an invoice may bill ({MAX_INVOICE_TOTAL:,})."
        )
    return prepared, total


def _lines_bill(invoice: Invoice, prepared: list[_Line], policy: ReceivablesPolicy, acting_user) -> None:
    """One core charge per line (Dr the policy's receivable, Cr the line's revenue account, with
    the fee's pass-through share), the invoice number as its document number, and the line."""
    for line in prepared:
        qty = f"{line.quantity.normalize():f}"
        text = line.description if line.quantity == 1 else f"{line.description} × {qty}"
        charge = core.charge_assess(
            party=invoice.party,
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
            assessed_on=invoice.invoice_date,
            due_on=invoice.due_on,
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
    invoice_date = _invoice_date(invoice_date)
    if not lines:
        raise InvoiceError("An invoice needs at least one line.")
    policy = policy_on(invoice_date)
    terms = _terms(terms_days, policy)
    prepared, total = _lines_prepare(lines, invoice_date)
    invoice = Invoice.objects.create(
        number=core.number_next(kind="INV", on=invoice_date),
        party=party,
        invoice_date=invoice_date,
        terms_days=terms,
        due_on=invoice_date + datetime.timedelta(days=terms),
        reference=(reference or "").strip()[:60],
        memo=(memo or "").strip(),
        total=total,
        created_by=acting_user,
    )
    _lines_bill(invoice, prepared, policy, acting_user)
    core.audit(
        actor=acting_user,
        action="invoice.created",
        obj=invoice,
        after={
            "number": invoice.number,
            "party": party.number,
            "total": str(total),
            "invoice_date": invoice_date.isoformat(),
            "due_on": invoice.due_on.isoformat(),
            "lines": [f"{ln.description} {ln.quantity} × {ln.unit_price} = {ln.amount}" for ln in prepared],
        },
    )
    return invoice


# --------------------------------------------------------------------------- status follows money


def lock_invoice(pk: int) -> Invoice:
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
    invoice = lock_invoice(invoice.pk)
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
    invoice = lock_invoice(invoice.pk)
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
