"""Utility billing's operations: every change of an account, a meter, a read, an order or a bill,
in one transaction with its audit row. The modules behind these names are by subject."""

from .orders import open_orders_like, order_open

__all__ = ["open_orders_like", "order_open"]

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
