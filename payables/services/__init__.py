"""Payables' operations: every change of a vendor, a budget, an order, a receipt, an invoice or
a payment, in one transaction with its audit row. The modules behind these names are by subject."""

__all__: list[str] = []
