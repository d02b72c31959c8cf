"""Utility billing's operations: every change of an account, a meter, a read, an order or a bill,
in one transaction with its audit row. The modules behind these names are by subject."""

from .bill_posting import bill_email, bill_run_release, bill_run_take_back
from .bills import (
    bill_final,
    bill_run_approve,
    bill_run_calculate,
    bill_run_post,
    bill_run_post_start,
    bill_run_start,
)
from .orders import open_orders_like, order_open

__all__ = ["open_orders_like", "order_open"]
__all__ += [
    "bill_email",
    "bill_final",
    "bill_run_approve",
    "bill_run_calculate",
    "bill_run_post",
    "bill_run_post_start",
    "bill_run_release",
    "bill_run_start",
    "bill_run_take_back",
]
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
