"""Receivables' operations, by subject: invoices (create, status, send), adjustments (credit
memos and write-offs, approved by a supervisor), dunning runs, follow-up and collections
referrals. (A statement of account changes nothing: it is a read, receivables.selectors, and a
report, receivables.reports.) Every change of money or status is here, in a transaction with its
audit row. Importing the package (receivables.apps does, when the app is ready) registers the
invoice's charge-signal receivers, the approval handlers and the core's exception guard."""

from .. import guards  # noqa: F401 - an invoice's line is not waived or written off as a plain charge
from .adjustments import credit_memo_request, write_off_request
from .dunning import dunning_run
from .followup import followup_log
from .invoices import (
    InvoiceError,
    NoEmail,
    invoice_create,
    invoice_email,
    invoice_mark_sent,
    invoice_pdf,
    invoice_status_refresh,
)
from .referrals import invoices_refer

__all__ = [
    "InvoiceError",
    "NoEmail",
    "credit_memo_request",
    "dunning_run",
    "followup_log",
    "invoice_create",
    "invoice_email",
    "invoice_mark_sent",
    "invoice_pdf",
    "invoice_status_refresh",
    "invoices_refer",
    "write_off_request",
]
