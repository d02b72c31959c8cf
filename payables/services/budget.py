"""The budget: adopted per fiscal year and expense account (for a department), and amended up
or down by a supervisor's request that another supervisor approves."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone

from revenue import services as core
from revenue.models import Account

from ..errors import PayablesError
from ..models import Budget, BudgetAmendment, Department

APPROVE_AMENDMENT = "payables.approve_budgetamendment"


@transaction.atomic
def budget_adopt(
    *, fiscal_year: int, account: Account, department: Department, amount, acting_user,
    adopted_on: datetime.date | None = None, note: str = "",
) -> Budget:  # fmt: skip
    """The adopted budget of one expense account for a fiscal year."""
    amount = core.money(amount, field="The adopted amount", allow_zero=True)
    if account.type != Account.Type.EXPENSE or not account.active:
        raise PayablesError(f"{account} is not an active expense account: a budget is adopted for expenses.")
    if not 2000 <= int(fiscal_year) <= 2100:
        raise PayablesError("Enter a fiscal year such as 2027.")
    try:
        with transaction.atomic():
            budget = Budget.objects.create(
                fiscal_year=fiscal_year, account=account, department=department, adopted=amount,
                adopted_on=adopted_on or core.city_today(), note=note[:250], created_by=acting_user,
            )  # fmt: skip
    except IntegrityError as exc:
        raise PayablesError(f"FY{fiscal_year} already has a budget for {account}: amend it instead.") from exc
    core.audit(actor=acting_user, action="payables.budget_adopted", obj=budget, after={"adopted": amount})
    return budget


def budget_total(budget: Budget, *, on: datetime.date | None = None) -> Decimal:
    """Adopted plus the approved amendments in force by `on` (default: all of them)."""
    rows = budget.amendments.filter(status=BudgetAmendment.Status.APPROVED)
    if on:
        rows = rows.filter(effective_on__lte=on)
    return budget.adopted + sum((a.amount for a in rows), Decimal("0.00"))


@transaction.atomic
def amendment_request(
    *, budget: Budget, amount, reason: str, acting_user, effective_on: datetime.date | None = None
) -> BudgetAmendment:
    """Ask to add to (or, negative, take from) a budget; nothing changes until it is approved."""
    try:
        amount = Decimal(str(amount).replace(",", "").replace("$", "").strip())
    except Exception as exc:  # noqa: BLE001 - any unparsable text is the same refusal
        raise PayablesError("Enter the amendment in dollars and cents, negative to reduce.") from exc
    if not amount.is_finite() or amount == 0 or amount != amount.quantize(core.CENT):
        raise PayablesError("An amendment is a non-zero amount in dollars and cents.")
    core.money(abs(amount), field="The amendment")
    if not (reason or "").strip():
        raise PayablesError("Say why the budget is amended (the council action or the transfer).")
    budget = Budget.objects.select_for_update().get(pk=budget.pk)
    if budget_total(budget) + amount < 0:
        raise PayablesError(f"The amendment would take {budget.account} below zero.")
    start, end = core.fiscal_year_bounds(budget.fiscal_year)
    effective_on = effective_on or max(min(core.city_today(), end), start)
    if not start <= effective_on <= end:
        raise PayablesError(f"An amendment of FY{budget.fiscal_year} takes effect within that year.")
    amendment = BudgetAmendment.objects.create(
        budget=budget,
        amount=amount,
        effective_on=effective_on,
        reason=reason.strip()[:250],
        requested_by=acting_user,
    )
    core.audit(actor=acting_user, action="payables.amendment_requested", obj=budget,
               after={"amount": amount, "effective_on": effective_on}, reason=reason)  # fmt: skip
    return amendment


@transaction.atomic
def amendment_decide(
    *, amendment: BudgetAmendment, approve: bool, acting_user, note: str = ""
) -> BudgetAmendment:
    """A supervisor other than the one who asked approves or denies an amendment."""
    if not acting_user.has_perm(APPROVE_AMENDMENT):
        raise core.NotAllowed("Only a supervisor approves a budget amendment.")
    amendment = BudgetAmendment.objects.select_for_update().get(pk=amendment.pk)
    if amendment.status != BudgetAmendment.Status.PENDING:
        raise core.AlreadyDecided("This amendment was already decided.")
    if amendment.requested_by_id == acting_user.pk:
        raise core.NotAllowed("Another supervisor must approve the amendment you asked for.")
    if approve and budget_total(amendment.budget) + amendment.amount < 0:
        raise PayablesError("Approving it would take the budget below zero.")
    amendment.status = BudgetAmendment.Status.APPROVED if approve else BudgetAmendment.Status.DENIED
    amendment.decided_by = acting_user
    amendment.decided_at = timezone.now()
    amendment.decision_note = (note or "")[:250]
    amendment.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    core.audit(actor=acting_user, action=f"payables.amendment_{amendment.status}", obj=amendment.budget,
               after={"amount": amendment.amount, "status": amendment.status}, reason=note)  # fmt: skip
    return amendment
