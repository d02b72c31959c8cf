"""Payment plans for people who qualify as indigent: late penalties waived, the fines moved into
monthly installments charged to the person, a processing fee; completed when paid in full and
reopened when a payment is reversed. Plans default in parking.services.runs."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.dispatch import receiver

from revenue import services as core
from revenue.exceptions import NotAllowed
from revenue.models import Charge, Party
from revenue.money import ZERO
from revenue.signals import charge_reopened, charge_settled

from .. import rules, selectors
from ..models import Citation, PaymentPlan
from .citations import citation_lock

FIRST_DUE_WITHIN_DAYS = 62  # "within two months"


def _plan_request_check(*, citations, first_due_on, qualification, on, acting_user) -> None:
    if not acting_user.has_perm("parking.arrange_plan"):
        raise NotAllowed("Setting up a payment plan needs a Senior Account Service Representative.")
    if not (qualification or "").strip():
        raise rules.RuleError("Record how the person qualifies (e.g. the public benefit received).")
    if not citations:
        raise rules.RuleError("Choose the citations to put on the plan.")
    if first_due_on < on:
        raise rules.RuleError("The first installment cannot be due in the past.")
    if first_due_on > on + datetime.timedelta(days=FIRST_DUE_WITHIN_DAYS):
        raise rules.RuleError("The first installment must be due within two months.")


def _lock_open_citations(citations: list[Citation]) -> list[Citation]:
    """The charges first, then the citations (each in key order): the order a payment takes them.
    Only open citations with no contest pending go on a plan."""
    core.lock_charges(
        Charge.objects.filter(source_number__in=[c.number for c in citations]).values_list("pk", flat=True)
    )
    locked = [citation_lock(c) for c in sorted(citations, key=lambda c: c.pk)]
    for c in locked:
        if c.status != Citation.Status.OPEN:
            raise rules.RuleError(
                f"{c.number} is {c.get_status_display().lower()}: only open citations go on a plan."
            )
        if selectors.has_pending_contest(c):
            raise rules.RuleError(f"{c.number} has a contest pending: decide it first.")
    return locked


def _waive_late_penalties(citations: list[Citation], policy, acting_user) -> None:
    for c in citations:
        for charge in c.charges():
            if charge.revenue_account_id == policy.penalty_revenue_account_id and charge.balance:
                core.charge_adjust(
                    charge=charge,
                    amount=charge.balance,
                    kind="waiver",
                    acting_user=acting_user,
                    reason="Payment plan: late penalties waived",
                )


def _move_fines_into_installments(*, plan, citations, fines, schedule, policy, acting_user) -> None:
    """The fines' balances become the plan's installments, charged to the person."""
    n = len(schedule)
    numbers = ", ".join(c.number for c in citations)
    core.charges_transfer(
        charges=fines,
        into=[
            core.NewCharge(
                amount=amount,
                due_on=due,
                description=f"Installment {i} of {n}, citations {numbers}"[:250],
                source_number=f"{plan.number}-{i:02d}",
            )
            for i, (due, amount) in enumerate(schedule, start=1)
        ],
        party=plan.party,
        receivable_account=policy.citation_receivable_account,
        revenue_account=policy.fine_revenue_account,
        acting_user=acting_user,
        reason=f"Payment plan {plan.number}",
        source=plan,
    )


def _assess_plan_fee(*, plan, policy, on, acting_user) -> None:
    if policy.plan_fee > ZERO:
        core.charge_assess(
            party=plan.party,
            amount=policy.plan_fee,
            description=f"{selectors.PLAN_FEE_DESCRIPTION}, {plan.number}",
            receivable_account=policy.citation_receivable_account,
            revenue_account=policy.plan_fee_revenue_account,
            source=plan,
            source_number=f"{plan.number}-01",
            assessed_on=on,
            due_on=plan.first_due_on,
            acting_user=acting_user,
        )


@transaction.atomic
def plan_create(
    *,
    party: Party,
    citations: list[Citation],
    months: int | None,
    first_due_on: datetime.date,
    qualification: str,
    acting_user,
    on: datetime.date | None = None,
) -> PaymentPlan:
    """A payment plan for a person who qualifies as indigent: late penalties waived, the fines
    moved into monthly installments (charges of the person), and the processing fee."""
    on = on or core.city_today()
    _plan_request_check(
        citations=citations,
        first_due_on=first_due_on,
        qualification=qualification,
        on=on,
        acting_user=acting_user,
    )
    policy = selectors.policy_on(on)
    locked = _lock_open_citations(citations)
    _waive_late_penalties(locked, policy, acting_user)
    fines = [ch for c in locked for ch in c.charges() if ch.balance]
    principal = sum((ch.balance for ch in fines), ZERO)
    schedule = rules.plan_schedule(principal, None if months is None else int(months), first_due_on, policy)
    plan = PaymentPlan.objects.create(
        number=core.number_next(kind="PL", on=on),
        party=party,
        qualification=qualification.strip(),
        principal=principal,
        fee=policy.plan_fee,
        installment=schedule[0][1],
        months=len(schedule),
        first_due_on=first_due_on,
        created_by=acting_user,
    )
    Citation.objects.filter(pk__in=[c.pk for c in locked]).update(
        status=Citation.Status.IN_PLAN, status_on=on, plan=plan
    )
    _move_fines_into_installments(
        plan=plan, citations=locked, fines=fines, schedule=schedule, policy=policy, acting_user=acting_user
    )
    _assess_plan_fee(plan=plan, policy=policy, on=on, acting_user=acting_user)
    core.audit(
        actor=acting_user,
        action="parking.plan_created",
        obj=plan,
        after={"principal": str(principal), "months": len(schedule), "citations": [c.number for c in locked]},
        reason=qualification,
    )
    return plan


@receiver(charge_settled, sender=PaymentPlan)
def _plan_paid(sender, charge: Charge, acting_user, **kwargs) -> None:
    plan = PaymentPlan.objects.select_for_update(no_key=True).get(pk=charge.source_id)
    if plan.status != PaymentPlan.Status.COMPLETED and selectors.plan_owed(plan) == ZERO:
        plan.status, plan.status_on = PaymentPlan.Status.COMPLETED, core.city_today()
        plan.save(update_fields=["status", "status_on"])
        plan.citations.update(status=Citation.Status.PAID, status_on=plan.status_on)
        core.audit(actor=acting_user, action="parking.plan_completed", obj=plan)


@receiver(charge_reopened, sender=PaymentPlan)
def _plan_reopened(sender, charge: Charge, acting_user, **kwargs) -> None:
    plan = PaymentPlan.objects.select_for_update(no_key=True).get(pk=charge.source_id)
    if plan.status == PaymentPlan.Status.COMPLETED:
        plan.status, plan.status_on = PaymentPlan.Status.ACTIVE, None
        plan.save(update_fields=["status", "status_on"])
        plan.citations.update(status=Citation.Status.IN_PLAN)
        core.audit(actor=acting_user, action="parking.plan_reopened", obj=plan)
