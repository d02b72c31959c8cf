"""Utility billing's operations: every change of an account, a meter, a read, an order or a bill,
in one transaction with its audit row. The modules behind these names are by subject."""

from .accounts import (
    account_balance,
    account_billing_change,
    account_charges,
    account_open,
    premise_create,
    premise_update,
)
from .fees import fee_on, fees_unpaid, order_fees
from .meters import meter_add, meter_install, meter_remove
from .order_opening import (
    billing_change_request,
    order_request,
    service_start,
    service_stop,
    service_transfer,
)
from .orders import (
    DuplicateOrder,
    open_orders_like,
    order_assign,
    order_cancel,
    order_complete,
    order_open,
    order_schedule,
)

__all__ = [
    "DuplicateOrder",
    "account_balance",
    "account_billing_change",
    "account_charges",
    "account_open",
    "billing_change_request",
    "fee_on",
    "fees_unpaid",
    "meter_add",
    "meter_install",
    "meter_remove",
    "open_orders_like",
    "order_assign",
    "order_cancel",
    "order_complete",
    "order_fees",
    "order_open",
    "order_request",
    "order_schedule",
    "premise_create",
    "premise_update",
    "service_start",
    "service_stop",
    "service_transfer",
]

# collection (ub-collect): the counter's finders and panels, late fees, notices, shut-off, plans
from .. import collect_panels  # noqa: E402, F401 - registers the counter finder, search, describer, alerts
from .latefees import late_fee_run  # noqa: E402
from .plans import plan_cancel, plan_request, plan_set_up, plans_review  # noqa: E402
from .shutoff import (  # noqa: E402
    disconnects_order,
    door_hangers_record,
    notices_send,
    reconnect_fee_for,
    reconnect_on_payment,
)

__all__ += [
    "disconnects_order",
    "door_hangers_record",
    "late_fee_run",
    "notices_send",
    "plan_cancel",
    "plan_request",
    "plan_set_up",
    "plans_review",
    "reconnect_fee_for",
    "reconnect_on_payment",
]

# bill runs (ub-bills)
from .bill_posting import bill_email, bill_run_release, bill_run_take_back  # noqa: E402
from .bills import (  # noqa: E402
    bill_final,
    bill_run_approve,
    bill_run_calculate,
    bill_run_post,
    bill_run_post_start,
    bill_run_start,
)

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
