"""Receivables: invoices."""
