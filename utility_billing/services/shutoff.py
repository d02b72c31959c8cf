"""Delinquency notices, the shut-off list's disconnect orders and door hangers, and reconnection
when the past due is paid. The rules (days delinquent, business days of notice, the medical and
plan protections, the income-qualified caps) are read from the policy in force on the day."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db import connection, transaction
from django.dispatch import receiver
from django.utils import timezone

from revenue import services as core
from revenue.models import ZERO, Account, Charge
from revenue.signals import charge_settled

from .. import collect_rules as rules
from ..collect_selectors import account_charges, delinquent, policy_on, shutoff_list, standing
from ..models import (
    Bill,
    DelinquencyNotice,
    LateFee,
    PaymentPlan,
    ServiceAccount,
    ServiceOrder,
    UtilityFee,
    UtilityPolicy,
)
from .fees import fee_on
from .orders import order_open

_NOTICES = """
INSERT INTO utility_billing_delinquencynotice
    (account_id, bill_id, kind, sent_on, shutoff_on, past_due, landlord_copy, created_at, created_by_id)
SELECT * FROM unnest(%(accounts)s::bigint[], %(bills)s::bigint[], %(kinds)s::text[], %(dates)s::date[],
                     %(shutoffs)s::date[], %(past)s::numeric[], %(landlord)s::boolean[],
                     %(now)s::timestamptz[], %(users)s::int[])
ON CONFLICT (account_id, bill_id, kind) DO NOTHING
RETURNING id
"""


def notices_send(*, on: datetime.date | None = None, acting_user) -> list[int]:
    """A delinquency letter to every account delinquent at least the policy's days whose oldest
    unpaid bill has had none (one per account and bill, ever), not on a plan; a landlord's copy
    where the account asks for one. Returns the new notices' ids (their PDF prints them)."""
    if not acting_user.has_perm("utility_billing.send_notices"):
        raise core.NotAllowed("Your role does not send delinquency notices.")
    on = on or core.city_today()
    policy = policy_on(on)
    rows = [
        r
        for r in delinquent(on=on, min_days=policy.notice_after_days)
        if not r["notice_current"] and r["plan_status"] != PaymentPlan.Status.ACTIVE
    ]
    landlords = set(
        ServiceAccount.objects.filter(
            pk__in=[r["account_id"] for r in rows], notify_landlord=True, landlord__isnull=False
        ).values_list("pk", flat=True)
    )
    cols = {
        "accounts": [r["account_id"] for r in rows],
        "bills": [r["oldest_bill_id"] for r in rows],
        "kinds": [DelinquencyNotice.Kind.LETTER] * len(rows),
        "dates": [on] * len(rows),
        "shutoffs": [
            rules.shutoff_earliest(
                oldest_due=r["oldest_due"],
                shutoff_days=policy.shutoff_days,
                notice_on=on,
                notice_business_days=policy.notice_business_days,
            )
            for r in rows
        ],
        "past": [r["past_due"] for r in rows],
        "landlord": [r["account_id"] in landlords for r in rows],
        "now": [timezone.now()] * len(rows),
        "users": [acting_user.pk] * len(rows),
    }
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute(_NOTICES, cols)
        ids = [r[0] for r in cur.fetchall()]
        if ids:
            core.audit(
                actor=acting_user,
                action="utility.notices_sent",
                obj=DelinquencyNotice.objects.get(pk=ids[0]),
                after={"on": on.isoformat(), "notices": len(ids)},
            )
    return ids


@transaction.atomic
def disconnects_order(
    *, account_numbers: list[str], acting_user, on: datetime.date | None = None
) -> list[ServiceOrder]:
    """A disconnect order for the field crew for each account chosen from the shut-off list that
    is still on it today (checked again: paid, a plan, a notice too recent, each refused) and has
    no open disconnect order. A handful a day, so one order_open each."""
    if not acting_user.has_perm("utility_billing.order_disconnects"):
        raise core.NotAllowed("Your role does not order disconnections.")
    on = on or core.city_today()
    eligible = {d.number: d for d in shutoff_list(on=on) if not d.disconnect_open}
    refused = [n for n in account_numbers if n not in eligible]
    if refused:
        raise core.RevenueError(
            f"Not on today's shut-off list (paid, on a plan, protected or already ordered): {', '.join(refused)}."
        )
    accounts = ServiceAccount.objects.select_related("premise").in_bulk(account_numbers, field_name="number")
    orders = []
    for number in sorted(account_numbers):
        d = eligible[number]
        orders.append(
            order_open(
                kind=ServiceOrder.Kind.DISCONNECT,
                premise=accounts[number].premise,
                account=accounts[number],
                acting_user=acting_user,
                effective_on=on,
                reason=f"Non-payment: {d.past_due:,.2f} past due, {d.days} days delinquent",
                details={"past_due": str(d.past_due), "oldest_due": d.oldest_due.isoformat()},
            )
        )
    return orders


@transaction.atomic
def door_hangers_record(
    *, orders: list[ServiceOrder], acting_user, on: datetime.date | None = None
) -> list[DelinquencyNotice]:
    """A door-hanger notice for each open disconnect order (recorded once per bill; printed again
    as often as needed)."""
    if not acting_user.has_perm("utility_billing.send_notices"):
        raise core.NotAllowed("Your role does not print door hangers.")
    on = on or core.city_today()
    policy = policy_on(on)
    out = []
    for order in orders:
        s = standing(order.account, on)
        bill = _oldest_open_bill(order.account, on)
        if bill is None:
            continue
        notice, _ = DelinquencyNotice.objects.get_or_create(
            account=order.account,
            bill=bill,
            kind=DelinquencyNotice.Kind.DOOR_HANGER,
            defaults={
                "sent_on": on,
                "shutoff_on": rules.add_business_days(on, policy.door_hanger_business_days),
                "past_due": s.past_due,
                "created_by": acting_user,
            },
        )
        out.append(notice)
    if out:
        core.audit(actor=acting_user, action="utility.door_hangers", obj=out[0], after={"count": len(out)})
    return out


def _oldest_open_bill(account: ServiceAccount, on: datetime.date) -> Bill | None:
    charge = (
        account_charges(account)
        .open()
        .filter(source_type_id=_bill_ct(), due_on__lt=on)
        .order_by("due_on", "pk")
        .first()
    )
    return Bill.objects.filter(pk=charge.source_id).first() if charge else None


def _bill_ct() -> int:
    from ..collect_selectors import ctype

    return ctype(Bill)


# --------------------------------------------------------------------------- reconnection


def reconnect_fee_base(*, after_hours: bool, on: datetime.date) -> tuple[Decimal, Account | None]:
    """The fee table's reconnection fee on a day (after hours: with the after-hours call-out on
    top, as a reconnect order opened at the counter carries), and the account it is credited to;
    0 when the city sets none."""
    kinds = [UtilityFee.Kind.RECONNECT] + ([UtilityFee.Kind.AFTER_HOURS] if after_hours else [])
    fees = [f for f in (fee_on(kind=k, size=None, on=on) for k in kinds) if f is not None and f.amount > 0]
    if not fees:
        return ZERO, None
    return sum((f.amount for f in fees), ZERO), fees[0].revenue_account


def reconnect_fee_for(
    account: ServiceAccount, *, after_hours: bool, on: datetime.date
) -> tuple[Decimal, Account | None]:
    """The fee for this account: capped for an income-qualified household by the policy in force."""
    base, revenue_account = reconnect_fee_base(after_hours=after_hours, on=on)
    policy = policy_on(on)
    cap = policy.reconnect_cap_after_hours if after_hours else policy.reconnect_cap_business_hours
    return rules.reconnect_fee(base, income_qualified=account.income_qualified, cap=cap), revenue_account


def _disconnected(account: ServiceAccount) -> bool:
    """Shut off and not reconnected (nor a reconnection ordered) since."""
    last = (
        ServiceOrder.objects.filter(account=account, kind__in=["disconnect", "reconnect"])
        .exclude(status=ServiceOrder.Status.CANCELLED)
        .order_by("-created_at", "-pk")
        .first()
    )
    return last is not None and last.kind == "disconnect" and last.status == ServiceOrder.Status.COMPLETED


@transaction.atomic
def reconnect_on_payment(
    *, account: ServiceAccount, acting_user, after_hours: bool = False
) -> ServiceOrder | None:
    """The past due paid: an open disconnect order is cancelled (the crew need not go), and a
    disconnected account gets a reconnect order with its fee (capped for the income-qualified)."""
    account = ServiceAccount.objects.select_for_update(no_key=True).get(pk=account.pk)
    on = core.city_today()
    if standing(account, on).past_due > ZERO:
        return None
    for order in ServiceOrder.objects.filter(
        account=account, kind="disconnect", status__in=ServiceOrder.OPEN
    ):
        ServiceOrder.objects.filter(pk=order.pk).update(
            status=ServiceOrder.Status.CANCELLED, cancelled_reason="Past due paid before the disconnection."
        )
        core.audit(actor=acting_user, action="utility.order_cancel", obj=order, reason="Past due paid")
    if not _disconnected(account):
        return None
    order = order_open(
        kind=ServiceOrder.Kind.RECONNECT,
        premise=account.premise,
        account=account,
        acting_user=acting_user,
        reason="Past due paid",
        after_hours=after_hours,
    )
    amount, revenue_account = reconnect_fee_for(account, after_hours=after_hours, on=on)
    if amount > ZERO:
        utility = core.policy_on(UtilityPolicy, on)
        charge = core.charge_assess(
            party=account.party,
            amount=amount,
            description=f"Reconnection fee{' (after hours)' if after_hours else ''}",
            receivable_account=utility.receivable_account,
            revenue_account=revenue_account or utility.fee_revenue_account,
            acting_user=acting_user,
            source=order,
            source_number=order.number,
        )
        order.fee_charges.add(charge)
    return order


def _account_of(charge: Charge) -> ServiceAccount | None:
    if charge.source_type_id is None:
        return None
    model = charge.source_type.model_class()
    if model is Bill:
        return ServiceAccount.objects.filter(bills__pk=charge.source_id).first()
    if model is LateFee:
        return ServiceAccount.objects.filter(late_fees__pk=charge.source_id).first()
    return None


@receiver(charge_settled, sender=Bill)
@receiver(charge_settled, sender=LateFee)
def _settled(sender, charge, acting_user, **kwargs):
    """A bill's charge or a late fee paid: when nothing is past due any more, reconnect."""
    account = _account_of(charge)
    if account is not None and acting_user is not None:
        reconnect_on_payment(account=account, acting_user=acting_user)
