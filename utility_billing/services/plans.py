"""Utility payment plans: a balance spread over months. The charges stay as they are (a bill's
water, sewer and refuse lines credit different revenue, so nothing is moved); the plan is a
schedule of installments against them. It is kept while what has been paid on its charges since
it began covers the installments due; it defaults (one UPDATE) when an installment is unpaid
more than the policy's days past due; paying its charges off completes it."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db import connection, transaction

from revenue import services as core
from revenue.dates import add_months
from revenue.models import ZERO, Charge, charge_balance_sql

from .. import collect_rules as rules
from ..collect_selectors import open_charges_oldest_first, policy_on
from ..models import PaymentPlan, PlanInstallment, ServiceAccount


def _number(on: datetime.date) -> str:
    return core.number_next(kind="UP", on=on)


@transaction.atomic
def plan_request(*, account: ServiceAccount, acting_user, note: str = "") -> PaymentPlan:
    """The customer asks for a payment plan (recorded; with a medical certification on file it
    stops a shut-off until the plan is set up or refused)."""
    if not acting_user.has_perm("utility_billing.manage_plans"):
        raise core.NotAllowed("Your role does not set up payment plans.")
    account = ServiceAccount.objects.select_for_update(no_key=True).get(pk=account.pk)
    if account.plans.filter(status__in=["requested", "active"]).exists():
        raise core.RevenueError(f"{account.number} already has a payment plan asked for or running.")
    today = core.city_today()
    plan = PaymentPlan.objects.create(
        number=_number(today), account=account, requested_on=today, note=note[:250], created_by=acting_user
    )
    core.audit(actor=acting_user, action="utility.plan_requested", obj=plan, reason=note)
    return plan


@transaction.atomic
def plan_set_up(
    *, account: ServiceAccount, months: int, first_due: datetime.date, acting_user, note: str = ""
) -> PaymentPlan:
    """Spread the account's open charges over `months` equal installments (the rest on the last),
    the first due on `first_due`, within the policy's months. A plan asked for becomes this one."""
    if not acting_user.has_perm("utility_billing.manage_plans"):
        raise core.NotAllowed("Your role does not set up payment plans.")
    account = ServiceAccount.objects.select_for_update(no_key=True).get(pk=account.pk)
    today = core.city_today()
    policy = policy_on(today)
    if not 1 <= months <= policy.plan_max_months:
        raise core.RevenueError(f"A plan runs from 1 to {policy.plan_max_months} months.")
    if first_due < today:
        raise core.RevenueError("The first installment cannot be due before today.")
    charges = open_charges_oldest_first(account)
    total = sum((c.balance for c in charges), ZERO)
    if total <= ZERO:
        raise core.RevenueError(f"{account.number} owes nothing: there is nothing to spread.")
    if account.plans.filter(status="active").exists():
        raise core.RevenueError(f"{account.number} already has a payment plan running.")
    plan = account.plans.filter(status="requested").first() or PaymentPlan(
        number=_number(today), account=account, requested_on=today, created_by=acting_user
    )
    plan.status, plan.starts_on, plan.months, plan.total = PaymentPlan.Status.ACTIVE, today, months, total
    plan.charge_ids, plan.note = [c.pk for c in charges], (note or plan.note)[:250]
    plan.save()
    PlanInstallment.objects.bulk_create(
        PlanInstallment(plan=plan, sequence=s, due_on=d, amount=a)
        for s, d, a in rules.plan_installments(total, months, first_due)
    )
    core.audit(
        actor=acting_user,
        action="utility.plan_set_up",
        obj=plan,
        after={"months": months, "total": str(total), "first_due": first_due.isoformat()},
        reason=note,
    )
    return plan


def plan_paid(plan: PaymentPlan) -> Decimal:
    """What has been paid (or otherwise settled) on the plan's charges since it was set up."""
    charges = Charge.objects.filter(pk__in=plan.charge_ids)
    return plan.total - sum((c.balance for c in charges), ZERO)


def plan_next_due(plan: PaymentPlan) -> list[tuple[PlanInstallment, Decimal, bool]]:
    """Each installment with what is still owed on it (paid amounts fill them in order) and whether kept."""
    paid, out = plan_paid(plan), []
    for inst in plan.installments.all():
        covered = min(inst.amount, max(paid, ZERO))
        paid -= covered
        out.append((inst, inst.amount - covered, covered == inst.amount))
    return out


@transaction.atomic
def plan_cancel(*, plan: PaymentPlan, acting_user, reason: str) -> PaymentPlan:
    if not acting_user.has_perm("utility_billing.manage_plans"):
        raise core.NotAllowed("Your role does not cancel payment plans.")
    if not reason.strip():
        raise core.RevenueError("Say why the plan is cancelled.")
    plan = PaymentPlan.objects.select_for_update(no_key=True).get(pk=plan.pk)
    if plan.status not in (PaymentPlan.Status.REQUESTED, PaymentPlan.Status.ACTIVE):
        raise core.RevenueError(f"{plan.number} is {plan.get_status_display().lower()} already.")
    plan.status = PaymentPlan.Status.CANCELLED
    plan.save(update_fields=["status"])
    core.audit(actor=acting_user, action="utility.plan_cancelled", obj=plan, reason=reason)
    return plan


# Active plans whose charges are paid off complete; then those with an installment due on or
# before the cut-off that the money paid on the plan's charges does not cover default. Set-based:
# cumulative installments against (total - what is still open on the plan's charges).
_PLAN_RUN = f"""
WITH paid AS (
    SELECT p.id, p.total - COALESCE(sum({charge_balance_sql("c")}), 0) AS paid
      FROM utility_billing_paymentplan p
      LEFT JOIN revenue_charge c ON c.id IN (SELECT jsonb_array_elements_text(p.charge_ids)::bigint)
     WHERE p.status = 'active'
     GROUP BY p.id
), done AS (
    UPDATE utility_billing_paymentplan p SET status = 'completed'
      FROM paid WHERE paid.id = p.id AND paid.paid >= p.total
    RETURNING p.id, 'completed' AS became
), late AS (
    UPDATE utility_billing_paymentplan p SET status = 'defaulted', defaulted_on = %(on)s
      FROM paid
     WHERE paid.id = p.id AND paid.paid < p.total
       AND EXISTS (SELECT 1 FROM utility_billing_planinstallment i
                    WHERE i.plan_id = p.id AND i.due_on <= %(latest_due)s
                      AND (SELECT sum(j.amount) FROM utility_billing_planinstallment j
                            WHERE j.plan_id = p.id AND j.sequence <= i.sequence) > paid.paid)
    RETURNING p.id, 'defaulted' AS became
)
SELECT * FROM done UNION ALL SELECT * FROM late
"""


def plans_review(*, on: datetime.date | None = None, acting_user) -> dict[str, list[int]]:
    """Complete the plans paid off and default those not kept for the policy's days (one
    statement, audited); returns the plan ids by what they became."""
    on = on or core.city_today()
    policy = policy_on(on)
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute(
            _PLAN_RUN, {"on": on, "latest_due": rules.plan_default_latest_due(on, policy.plan_default_days)}
        )
        out = {"completed": [], "defaulted": []}
        for pk, became in cur.fetchall():
            out[became].append(pk)
        for plan in PaymentPlan.objects.filter(pk__in=out["completed"] + out["defaulted"]):
            core.audit(
                actor=acting_user,
                action=f"utility.plan_{plan.status}",
                obj=plan,
                after={"on": on.isoformat()},
            )
    return out


def plan_first_due_default() -> datetime.date:
    return add_months(core.city_today(), 1)
