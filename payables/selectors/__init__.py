"""Payables' reads, by subject (budget against actual, purchasing)."""
