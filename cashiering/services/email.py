"""The receipt as a PDF, printed or e-mailed (a copy, marked DUPLICATE)."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.core.validators import validate_email
from django.db import transaction

from revenue import services as core
from revenue.documents import barcode_svg, render_pdf
from revenue.exceptions import RevenueError

from ..models import Receipt
from ..selectors import receipt_lines
from .receipts import receipt_handling_check


def receipt_print_context(
    receipt: Receipt, *, duplicate: bool, copy: int = 0, view_only: bool = False
) -> dict:
    """What a printed receipt shows, the same on the 80 mm roll (PDF or HTML) and the letter page."""
    lines, tenders = receipt_lines(receipt), list(receipt.tenders.all())
    details = sum(1 for line in lines if line.detail)
    marks = (duplicate and not view_only) + view_only + (receipt.status == Receipt.Status.VOIDED)
    return {
        "receipt": receipt,
        "lines": lines,
        "tenders": tenders,
        "barcode": barcode_svg(receipt.number),
        "duplicate": duplicate and not view_only,
        "copy": copy,
        "view_only": view_only,
        # a roll PDF is as long as its receipt; WeasyPrint needs a page height, worked out here
        "roll_height": f"{130 + 11 * len(lines) + 4 * details + 5 * len(tenders) + 14 * marks}mm",
    }


def receipt_pdf(
    receipt: Receipt, *, layout: str, duplicate: bool, copy: int = 0, view_only: bool = False, request=None
) -> bytes:
    """A receipt on an 80 mm roll or a letter page; `copy` numbers a reprint after the first."""
    context = receipt_print_context(receipt, duplicate=duplicate, copy=copy, view_only=view_only)
    return render_pdf(f"cashiering/print/receipt_{layout}.html", context, request=request)


def receipt_email(*, receipt: Receipt, address: str, acting_user, request=None) -> str:
    """E-mail a copy (marked DUPLICATE: the payer already has the original) to an address; the
    mail goes first (slow, external, outside any transaction) and is recorded once sent.
    Returns the address it went to."""
    receipt_handling_check(
        receipt=receipt, acting_user=acting_user, perm="cashiering.email_receipt", verb="e-mail"
    )
    address = (address or "").strip()
    try:
        validate_email(address)
    except ValidationError as exc:
        raise RevenueError("Enter a valid e-mail address.") from exc
    pdf = receipt_pdf(receipt, layout="letter", duplicate=True, request=request)
    office = core.office_on()
    message = EmailMessage(
        subject=f"{settings.CITY_NAME} receipt {receipt.number}",
        body=(
            f"Thank you for your payment of ${receipt.total:,.2f} on {receipt.created_at:%m/%d/%Y}.\n"
            f"A copy of receipt {receipt.number} is attached.\n\n"
            f"{office.office_name}\n{office.address_one_line}\n{office.phone}\n{office.second_language}"
        ).strip(),
        to=[address],
    )
    message.attach(f"{receipt.number}.pdf", pdf, "application/pdf")
    message.send()
    with transaction.atomic():
        core.audit(actor=acting_user, action="receipt.emailed", obj=receipt, after={"to": address})
    return address
