"""Late charges: the penalties and interest a period's tax carries on the day it is paid, brought
up to that day when the counter finds a return's number."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.dispatch import receiver

from revenue import services as core
from revenue.exceptions import RevenueError
from revenue.models import Charge, Payment, PaymentApplication
from revenue.signals import charges_requested

from .. import rules
from ..models import ZERO, TotPolicy, TotReturn
from ..selectors import chain, current_return, period_charges
from .periods import policy_on
from .returns import period_label


def tax_payments(
    ret: TotReturn, policy: TotPolicy, charges: list[Charge]
) -> list[tuple[datetime.date, Decimal]]:
    tax_ids = [c.pk for c in charges if c.revenue_account_id == policy.tax_revenue_account_id]
    rows = (
        PaymentApplication.objects.filter(charge_id__in=tax_ids, payment__status=Payment.Status.POSTED)
        .values_list("payment__received_on", "amount")
        .order_by("payment__received_on")
    )
    return list(rows)


def late_lines(ret: TotReturn, on: datetime.date) -> list[rules.LateLine]:
    """The penalties and interest the period's tax carries when paid in full on `on` (nothing
    written). `ret` may be any return of the period; the current one's tax counts."""
    current = (
        ret if ret.status == TotReturn.Status.CURRENT else current_return(ret.operator, ret.period_start)
    )
    if current is None:
        return []
    policy = policy_on(current.period_start)
    charges = period_charges(current)
    return rules.late_lines(
        tax=current.tax,
        due_on=current.due_on,
        on=on,
        rules=rules.LateRules.of(policy),
        payments=tax_payments(current, policy, charges),
    )


@dataclass
class LateView:
    """A return's late charges on a day, against what is already assessed."""

    on: datetime.date
    lines: list[rules.LateLine]
    assessed_penalties: Decimal
    assessed_interest: Decimal

    @property
    def total(self) -> Decimal:
        return sum((ln.amount for ln in self.lines), ZERO)

    @property
    def assessed(self) -> Decimal:
        return self.assessed_penalties + self.assessed_interest

    @property
    def to_add(self) -> Decimal:
        return max(self.total - self.assessed, ZERO)


def assessed_late(rows: list[TotReturn], charges: list[Charge], policy: TotPolicy) -> tuple[Decimal, Decimal]:
    """(penalties, interest) assessed on the period, less what an amendment or audit adjustment
    that lowered the tax took back. A waiver or write-off by a supervisor still counts as
    assessed, so that the counter does not assess it again."""
    penalties = sum(
        (c.amount for c in charges if c.revenue_account_id == policy.penalty_revenue_account_id), ZERO
    ) - sum((r.penalties_taken_back for r in rows), ZERO)
    interest = sum(
        (c.amount for c in charges if c.revenue_account_id == policy.interest_revenue_account_id), ZERO
    ) - sum((r.interest_taken_back for r in rows), ZERO)
    return penalties, interest


def late_view(ret: TotReturn, on: datetime.date) -> LateView:
    lines = late_lines(ret, on)
    policy = policy_on(ret.period_start)
    penalties, interest = assessed_late(chain(ret), period_charges(ret), policy)
    return LateView(on=on, lines=lines, assessed_penalties=penalties, assessed_interest=interest)


@transaction.atomic
def penalties_to_date(*, ret: TotReturn, on: datetime.date, acting_user) -> list[Charge]:
    """Assess what the period owes by `on` in penalties and interest and is not assessed yet, each
    as its own charge on the current return's number. Never repeats a line: interest that has
    grown adds only the increment. (An amendment that lowers the tax takes back what was assessed
    beyond the new figure; see _take_back_late.)"""
    ret = TotReturn.objects.select_for_update(no_key=True).select_related("operator__party").get(pk=ret.pk)
    current = (
        ret if ret.status == TotReturn.Status.CURRENT else current_return(ret.operator, ret.period_start)
    )
    if current is None:
        return []
    if current.pk != ret.pk:
        current = (
            TotReturn.objects.select_for_update(no_key=True)
            .select_related("operator__party")
            .get(pk=current.pk)
        )
    view = late_view(current, on)
    policy = policy_on(current.period_start)
    made: list[Charge] = []

    def assess(amount, account, label):
        made.append(
            core.charge_assess(
                party=current.operator.party,
                amount=amount,
                description=f"{label}, TOT {period_label(current.period_start)}",
                receivable_account=policy.receivable_account,
                revenue_account=account,
                acting_user=acting_user,
                source=current,
                source_number=current.number,
                assessed_on=min(on, core.city_today()),
                due_on=on,
            )
        )

    assessed = view.assessed_penalties
    cumulative = ZERO
    for line in (ln for ln in view.lines if ln.key != "interest"):
        cumulative += line.amount
        extra = cumulative - max(assessed, cumulative - line.amount)
        if extra > 0:
            assess(extra, policy.penalty_revenue_account, line.label)
            assessed += extra
    interest = next((ln for ln in view.lines if ln.key == "interest"), None)
    if interest is not None and interest.amount > view.assessed_interest:
        label = f"{interest.label} to {on:%m/%d/%Y}"
        if view.assessed_interest:
            label += f" (less {view.assessed_interest:,.2f} assessed before)"
        assess(interest.amount - view.assessed_interest, policy.interest_revenue_account, label)
    if made:
        core.audit(
            actor=acting_user,
            action="tot_return.late_charges",
            obj=current,
            after={"on": on, "charges": [f"{c.description}: {c.amount}" for c in made]},
        )
    return made


@receiver(charges_requested)
def _late_charges_at_the_counter(
    sender, number: str, on: datetime.date, acting_user, **kwargs
) -> list[str] | None:
    """The counter found a return's number: bring its penalties and interest up to today first,
    and answer with the numbers of every return of the period (original, amendments, audit
    adjustments) that has open charges, so that the whole period is paid on one receipt whichever
    of its numbers the clerk typed (late charges go on the current return's number)."""
    ret = TotReturn.objects.filter(number__iexact=(number or "").strip()).first()
    if ret is None or ret.status not in (TotReturn.Status.CURRENT, TotReturn.Status.SUPERSEDED):
        return None
    try:
        with transaction.atomic():
            penalties_to_date(ret=ret, on=on, acting_user=acting_user)
    except RevenueError:
        pass  # no policy in force: the counter still shows the tax
    numbers: list[str] = []
    for charge in period_charges(ret):
        if not charge.is_settled and charge.source_number not in numbers:
            numbers.append(charge.source_number)
    return numbers
