"""Receivables: statistics."""
