"""Service-order fees from the effective-dated fee table: which fees each kind of order carries,
charging them at the counter, and whether they are paid (the connection work is scheduled only
once they are)."""

import datetime
from decimal import Decimal

from revenue import services as core

from ..models import Meter, MeterSize, ServiceOrder, UtilityFee, UtilityPolicy

K = UtilityFee.Kind
ORDER_FEES = {
    ServiceOrder.Kind.START: [K.ESTABLISH],
    ServiceOrder.Kind.NEW_SERVICE: [K.CONNECTION, K.CAPACITY],
    ServiceOrder.Kind.METER_INSTALL: [K.METER_INSTALL],
    ServiceOrder.Kind.SEWER_CONNECTION: [K.SEWER_CONNECTION, K.SEWER_CAPACITY],
    ServiceOrder.Kind.METER_TEST: [K.METER_TEST],
    ServiceOrder.Kind.RECONNECT: [K.RECONNECT],
}
# the work is scheduled only once its fees are paid at the counter
PAID_BEFORE_SCHEDULING = {
    ServiceOrder.Kind.NEW_SERVICE, ServiceOrder.Kind.METER_INSTALL, ServiceOrder.Kind.SEWER_CONNECTION,
}  # fmt: skip


def fee_on(*, kind: str, size: MeterSize | None, on: datetime.date) -> UtilityFee | None:
    """The fee of a kind for a meter size in force on a date: the size's own row, else the row
    for any size; None when the city charges none."""
    rows = UtilityFee.objects.filter(kind=kind)
    if size is not None:
        own = core.in_force(rows.filter(meter_size=size), on)
        if own is not None:
            return own
    return core.in_force(rows.filter(meter_size__isnull=True), on)


def order_size(order: ServiceOrder) -> MeterSize | None:
    """The meter size an order's fees go by: the size asked for, the order's meter, or the
    premise's installed meter."""
    if order.details.get("meter_size"):
        return MeterSize.objects.filter(pk=order.details["meter_size"]).first()
    if order.meter_id:
        return order.meter.size
    meter = Meter.objects.filter(premise=order.premise_id, status=Meter.Status.INSTALLED).first()
    return meter.size if meter else None


def order_fees(order: ServiceOrder, on: datetime.date | None = None) -> list[UtilityFee]:
    """The fees the order carries (amounts above zero), in the order of the table above."""
    on = on or core.city_today()
    kinds = list(ORDER_FEES.get(order.kind, []))
    if order.after_hours and order.kind in (ServiceOrder.Kind.RECONNECT, ServiceOrder.Kind.START):
        kinds.append(K.AFTER_HOURS)
    size = order_size(order)
    fees = [fee_on(kind=k, size=size, on=on) for k in kinds]
    return [f for f in fees if f is not None and f.amount > 0]


def order_fees_charge(*, order: ServiceOrder, party, acting_user) -> list:
    """Charge the order's fees to the party (Dr the utility receivable, Cr the fee's account),
    each linked to the order. Called inside the opening's transaction."""
    today = core.city_today()
    policy = core.policy_on(UtilityPolicy, today)
    charges = []
    for fee in order_fees(order, today):
        size = f" ({fee.meter_size})" if fee.meter_size_id else ""
        charges.append(
            core.charge_assess(
                party=party,
                amount=fee.amount,
                description=f"{fee.get_kind_display()}{size} — {order.premise}",
                receivable_account=policy.receivable_account,
                revenue_account=fee.revenue_account or policy.fee_revenue_account,
                acting_user=acting_user,
                source=order,
                source_number=order.number,
                assessed_on=today,
            )  # fmt: skip
        )
    if charges:
        order.fee_charges.add(*charges)
    return charges


def fees_unpaid(order: ServiceOrder) -> Decimal:
    return sum((c.balance for c in order.fee_charges.all()), core.ZERO)


def fee_refund(*, order: ServiceOrder, kind: str, acting_user, reason: str) -> Decimal:
    """Give back an order's fee of a kind: what is unpaid is waived, what was paid becomes the
    customer's credit on account (Dr the fee's revenue, Cr customer credit)."""
    refunded = core.ZERO
    label = UtilityFee.Kind(kind).label
    for charge in order.fee_charges.filter(description__startswith=label):
        if charge.balance:
            core.charge_adjust(
                charge=charge, amount=charge.balance, kind="waiver", acting_user=acting_user, reason=reason
            )
            refunded += charge.balance
        if charge.amount_paid:
            credit = _credit_account(charge)
            core.journal_post(
                lines=[
                    core.Line(account=charge.revenue_account, debit=charge.amount_paid, party=charge.party, memo=reason),
                    core.Line(account=credit, credit=charge.amount_paid, party=charge.party, memo=reason),
                ],
                memo=f"Refund of {charge.source_number}: {reason}"[:250], acting_user=acting_user, source=order,
            )  # fmt: skip
            refunded += charge.amount_paid
    return refunded


def _credit_account(charge):
    """Customer credit in the fee's fund, else the general fund's (the ledger adds the
    interfund lines)."""
    from revenue.models import Account

    role = Account.Role.CUSTOMER_CREDIT
    if Account.objects.filter(role=role, active=True, fund=charge.revenue_account.fund_id).exists():
        return core.account_for_role(role, fund=charge.revenue_account.fund)
    return core.account_for_role(role)
