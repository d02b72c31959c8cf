"""Receivables operations live in receivables.invoices (invoices, statements, credit memos) and
receivables.collections (aging, dunning, follow-up, write-offs, referrals); importing them here
registers their charge signals and approval handlers when the app is ready."""

from . import collections, guards, invoices  # noqa: F401
