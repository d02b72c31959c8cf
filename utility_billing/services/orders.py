"""Service orders: opened at the counter (or by the reads review and the shut-off list), worked
by the field crew, completed or cancelled; each step audited.

The workflow: requested → scheduled → assigned → completed, or cancelled while open. What a
completion does for each kind (a read-in, a final bill, a meter swapped …) is in order_kinds."""

import datetime

from django.db import transaction

from revenue import services as core

from ..models import Premise, ServiceAccount, ServiceOrder

S = ServiceOrder.Status
# kinds the counter completes itself, with no visit
DESK_KINDS = {ServiceOrder.Kind.BILLING_CHANGE}


class OrderRefused(core.RevenueError):
    pass


class DuplicateOrder(OrderRefused):
    """The premise already has an open order of the kind: the clerk confirms to open another."""


def order_number(on: datetime.date) -> str:
    return core.number_next(kind="SO", on=on)


def open_orders_like(*, premise: Premise, kind: str):
    """The premise's open orders of the same kind: the counter warns before opening another."""
    return ServiceOrder.objects.filter(premise=premise, kind=kind, status__in=ServiceOrder.OPEN)


def duplicate_check(*, premise: Premise, kind: str, confirmed: bool) -> None:
    """Refuse (with the orders named) unless the clerk has confirmed another order of the kind."""
    if confirmed:
        return
    like = list(open_orders_like(premise=premise, kind=kind).values_list("number", flat=True))
    if like:
        label = ServiceOrder.Kind(kind).label.lower()
        raise DuplicateOrder(
            f"{premise} already has an open {label} order ({', '.join(like)}). "
            "Tick “Open another anyway” to open one more."
        )


@transaction.atomic
def order_open(
    *,
    kind: str,
    premise: Premise,
    acting_user,
    account: ServiceAccount | None = None,
    effective_on: datetime.date | None = None,
    reason: str = "",
    details: dict | None = None,
    after_hours: bool = False,
    party=None,
) -> ServiceOrder:
    """Open a service order (requested). Kind-specific checks and fees are the caller's."""
    if kind not in ServiceOrder.Kind.values:
        raise core.RevenueError(f"There is no kind of service order called {kind!r}.")
    today = core.city_today()
    order = ServiceOrder.objects.create(
        number=order_number(today),
        kind=kind,
        premise=premise,
        account=account,
        party=party,
        effective_on=effective_on or today,
        reason=reason[:250],
        details=details or {},
        after_hours=after_hours,
        created_by=acting_user,
    )
    core.audit(
        actor=acting_user, action="utility.order_open", obj=order, after={"kind": kind, "reason": reason}
    )
    return order


def _locked(order: ServiceOrder) -> ServiceOrder:
    return (
        ServiceOrder.objects.select_for_update(of=("self",))
        .select_related("premise", "account")
        .get(pk=order.pk)
    )


def _step(order, acting_user, action, before, **after):
    core.audit(
        actor=acting_user, action=f"utility.order_{action}", obj=order,
        before={"status": before}, after={"status": order.status, **after},
    )  # fmt: skip


@transaction.atomic
def order_schedule(*, order: ServiceOrder, on: datetime.date, acting_user) -> ServiceOrder:
    """Put a requested (or scheduled) order on a day. Connection work waits for its fees."""
    from .fees import PAID_BEFORE_SCHEDULING, fees_unpaid

    order = _locked(order)
    if order.status not in (S.REQUESTED, S.SCHEDULED):
        raise OrderRefused(
            f"Order {order.number} is {order.get_status_display().lower()}; it cannot be scheduled."
        )
    if on < core.city_today():
        raise OrderRefused("An order cannot be scheduled for a day that has passed.")
    if order.kind in PAID_BEFORE_SCHEDULING:
        unpaid = fees_unpaid(order)
        if unpaid:
            raise OrderRefused(
                f"Order {order.number}'s fees are not paid ({unpaid} owed); "
                "the work is scheduled once they are paid at the counter."
            )
    before = order.status
    order.status, order.scheduled_for = S.SCHEDULED, on
    order.save(update_fields=["status", "scheduled_for"])
    _step(order, acting_user, "schedule", before, scheduled_for=on.isoformat())
    return order


@transaction.atomic
def order_assign(*, order: ServiceOrder, to, acting_user) -> ServiceOrder:
    """Give a scheduled order to someone of the field crew (anyone who may complete orders)."""
    order = _locked(order)
    if order.status not in (S.SCHEDULED, S.ASSIGNED):
        raise OrderRefused(f"Order {order.number} must be scheduled before it is assigned.")
    if to is None or not to.is_active or not to.has_perm("utility_billing.complete_serviceorder"):
        raise OrderRefused("Assign the order to someone of the field crew.")
    before = order.status
    order.status, order.assigned_to = S.ASSIGNED, to
    order.save(update_fields=["status", "assigned_to"])
    _step(order, acting_user, "assign", before, assigned_to=to.get_username())
    return order


@transaction.atomic
def order_cancel(*, order: ServiceOrder, reason: str, acting_user) -> ServiceOrder:
    """Cancel an open order with a reason. A start's pending account is closed; a stop's or a
    transfer's move-out is taken back. What is unpaid of its fees is waived; what was paid stays
    paid (a refund is the counter's decision)."""
    from .order_kinds import undo_opening

    if not reason.strip():
        raise OrderRefused("Say why the order is cancelled.")
    order = _locked(order)
    if not order.is_open:
        raise OrderRefused(f"Order {order.number} is already {order.get_status_display().lower()}.")
    undo_opening(order, acting_user, reason.strip())
    before = order.status
    order.status, order.cancelled_reason = S.CANCELLED, reason.strip()[:250]
    order.save(update_fields=["status", "cancelled_reason"])
    _step(order, acting_user, "cancel", before, reason=order.cancelled_reason)
    return order


@transaction.atomic
def order_complete(
    *, order: ServiceOrder, acting_user, read=None, serial: str = "", second_read=None, notes: str = "",
    test_accuracy=None, on: datetime.date | None = None,
) -> ServiceOrder:  # fmt: skip
    """Complete an order with what the crew found: the read, the meter's serial, a second read
    (the old meter's final read; the new premise's read-in on a transfer), the meter test's
    accuracy and notes. The kind's completion updates the account; all or nothing."""
    from .order_kinds import COMPLETERS, Done

    order = _locked(order)
    if not order.is_open:
        raise OrderRefused(f"Order {order.number} is already {order.get_status_display().lower()}.")
    if order.kind not in DESK_KINDS and order.status == S.REQUESTED:
        raise OrderRefused(f"Order {order.number} must be scheduled before it is completed.")
    on = on or core.city_today()
    done = Done(read=read, serial=(serial or "").strip(), second_read=second_read, notes=(notes or "").strip(),
                test_accuracy=test_accuracy, on=on)  # fmt: skip
    result = COMPLETERS[order.kind](order, done, acting_user) or {}
    before = order.status
    order.status, order.completed_by = S.COMPLETED, acting_user
    order.completed_at = _now()
    order.field_notes = done.notes[:4000]
    order.details = {**order.details, **result}
    order.save()
    _step(order, acting_user, "complete", before, **{k: str(v) for k, v in result.items()})
    return order


def _now():
    from django.utils import timezone

    return timezone.now()
