"""Utility billing's operations: every change of an account, a meter, a read, an order or a bill,
in one transaction with its audit row. The modules behind these names are by subject."""

from .orders import open_orders_like, order_open

__all__ = ["open_orders_like", "order_open"]
from .reads import (  # noqa: E402 - the reads review (ub-reads)
    ReadRefused,
    reading_accept,
    reading_correct,
    reading_record,
    reading_reread,
    reads_estimate,
)

__all__ += [
    "ReadRefused",
    "reading_accept",
    "reading_correct",
    "reading_record",
    "reading_reread",
    "reads_estimate",
]
from .read_import import ReadImportRefused, reads_check, reads_import  # noqa: E402 - the read file (ub-reads)

__all__ += ["ReadImportRefused", "reads_check", "reads_import"]
