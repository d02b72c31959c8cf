"""Receivables: collections."""
