"""Receivables' reads, by subject: invoices (the policy in force, balances, payments), aging as
of any date, statements of account, collections (dunning levels and letters, the follow-up
worklist, referrals) and the monthly collection statistics. No writes here."""

from .aging import Aging, aging, bucket_labels, bucket_of
from .collections import letter_parts, letters_of, levels_on, referrals, worklist
from .invoices import (
    approval_for,
    invoice_balance,
    invoice_payments,
    invoice_totals,
    lines_balance,
    open_invoices,
    policy_on,
    with_balance,
    write_off_requests,
)
from .statements import Statement, statement_compute
from .statistics import CollectionStatistics, collections_by_month

__all__ = [
    "Aging",
    "CollectionStatistics",
    "Statement",
    "aging",
    "approval_for",
    "bucket_labels",
    "bucket_of",
    "collections_by_month",
    "invoice_balance",
    "invoice_payments",
    "letter_parts",
    "letters_of",
    "levels_on",
    "lines_balance",
    "open_invoices",
    "policy_on",
    "referrals",
    "statement_compute",
    "invoice_totals",
    "with_balance",
    "worklist",
    "write_off_requests",
]
