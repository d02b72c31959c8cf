"""Payables' operations: every change of a vendor, a budget, an order, a receipt, an invoice or
a payment, in one transaction with its audit row. The modules behind these names are by subject."""

from .budget import amendment_decide, amendment_request, budget_adopt, budget_total
from .encumbrances import encumbrance_relieve, encumbrance_restore, open_by_line, order_open_encumbrance
from .purchasing import (
    approval_limits,
    invoiced_by_line,
    order_change,
    order_close,
    order_issue,
    received_by_line,
    requisition_create,
    requisition_decide,
)  # fmt: skip
from .receiving import receipt_record
from .vendors import (
    default_terms,
    vendor_contact_log,
    vendor_create,
    vendor_status_set,
    vendor_update,
    vendor_usable,
)  # fmt: skip

__all__ = [
    "amendment_decide", "amendment_request", "approval_limits", "budget_adopt", "budget_total",
    "default_terms", "encumbrance_relieve", "encumbrance_restore", "invoiced_by_line", "open_by_line",
    "order_change", "order_close", "order_issue", "order_open_encumbrance", "receipt_record", "received_by_line",
    "requisition_create", "requisition_decide", "vendor_contact_log", "vendor_create", "vendor_status_set",
    "vendor_update", "vendor_usable",
]  # fmt: skip
