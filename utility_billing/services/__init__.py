"""Utility billing's operations: every change of an account, a meter, a read, an order or a bill,
in one transaction with its audit row. The modules behind these names are by subject."""

from .orders import open_orders_like, order_open

__all__ = ["open_orders_like", "order_open"]
