"""Payables' tables, by subject: set-up (departments, terms, the policy, approval limits),
vendors and the contact log, the budget and the encumbrance ledger, requisitions and purchase
orders, receiving, invoices and the match, payment runs, vendor statements."""

from .budget import Budget, BudgetAmendment, Encumbrance
from .invoices import DiscrepancyLetter, Invoice, InvoiceLine, MatchResult
from .payments import Disbursement, PaymentLine, PaymentRun
from .purchasing import PurchaseOrder, PurchaseOrderLine, Requisition, RequisitionLine
from .receiving import Receipt, ReceiptLine
from .setup import ApprovalLimit, Department, PayablesPolicy, PaymentTerms
from .statements import VendorStatement, VendorStatementLine
from .vendors import Vendor, VendorContact

__all__ = [
    "ApprovalLimit",
    "Budget",
    "BudgetAmendment",
    "Department",
    "Disbursement",
    "DiscrepancyLetter",
    "Encumbrance",
    "Invoice",
    "InvoiceLine",
    "MatchResult",
    "PayablesPolicy",
    "PaymentLine",
    "PaymentRun",
    "PaymentTerms",
    "PurchaseOrder",
    "PurchaseOrderLine",
    "Receipt",
    "ReceiptLine",
    "Requisition",
    "RequisitionLine",
    "Vendor",
    "VendorContact",
    "VendorStatement",
    "VendorStatementLine",
]
