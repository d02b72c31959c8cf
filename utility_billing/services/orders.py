"""Service orders: opened at the counter (or by the reads review and the shut-off list), worked
by the field crew, completed or cancelled; each step audited."""

import datetime

from django.db import transaction

from revenue import services as core

from ..models import Premise, ServiceAccount, ServiceOrder


def order_number(on: datetime.date) -> str:
    return core.number_next(kind="SO", on=on)


def open_orders_like(*, premise: Premise, kind: str):
    """The premise's open orders of the same kind: the counter warns before opening another."""
    return ServiceOrder.objects.filter(premise=premise, kind=kind, status__in=ServiceOrder.OPEN)


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
