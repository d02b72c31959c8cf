"""Filing a month's return: its figures checked, the tax at the period's rate, assessed as a
charge due on the period's due date."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction

from revenue import services as core
from revenue.exceptions import NotAllowed, RevenueError
from revenue.models import Charge

from .. import rules
from ..models import ZERO, Operator, TotPolicy, TotReturn
from ..selectors import current_return
from .periods import PeriodTerms, filing_window, period_terms

FIGURES = ["gross_rents", "exempt_long_stay", "exempt_government", "exempt_other", "exempt_other_reason"]
RETURN_FIELDS = [*FIGURES, "taxable_rents", "rate_percent", "tax", "due_on", "received_on", "status"]


@dataclass(frozen=True)
class Figures:
    gross_rents: Decimal
    exempt_long_stay: Decimal
    exempt_government: Decimal
    exempt_other: Decimal
    exempt_other_reason: str

    @property
    def taxable(self) -> Decimal:
        return self.gross_rents - self.exempt_long_stay - self.exempt_government - self.exempt_other


def _amount(value, label: str) -> Decimal:
    if value in (None, ""):
        return ZERO
    try:
        amount = value if isinstance(value, Decimal) else Decimal(str(value).strip().replace(",", ""))
    except (InvalidOperation, ValueError) as exc:
        raise RevenueError(f"{label} must be an amount of dollars and cents.") from exc
    if amount.is_finite() and amount < 0:
        raise RevenueError(f"{label} cannot be negative.")
    return core.money(amount, field=label, allow_zero=True)


def figures_check(
    *, gross_rents, exempt_long_stay=ZERO, exempt_government=ZERO, exempt_other=ZERO, exempt_other_reason=""
) -> Figures:
    """The return's figures, or a RevenueError naming what is wrong."""
    f = Figures(
        gross_rents=_amount(gross_rents, "Gross rents"),
        exempt_long_stay=_amount(exempt_long_stay, "Long-stay exemption"),
        exempt_government=_amount(exempt_government, "Government exemption"),
        exempt_other=_amount(exempt_other, "Other exemption"),
        exempt_other_reason=(exempt_other_reason or "").strip(),
    )
    exempt = f.exempt_long_stay + f.exempt_government + f.exempt_other
    if exempt > f.gross_rents:
        raise RevenueError(
            f"The exemptions ({exempt:,.2f}) are more than the gross rents ({f.gross_rents:,.2f})."
        )
    if f.exempt_other and not f.exempt_other_reason:
        raise RevenueError("Say what the other exemption is for.")
    if not f.exempt_other and f.exempt_other_reason:
        f = Figures(f.gross_rents, f.exempt_long_stay, f.exempt_government, f.exempt_other, "")
    return f


@dataclass
class Preview:
    """What a return for a period comes to (nothing written)."""

    terms: PeriodTerms
    figures: Figures | None = None
    lines: list[tuple[str, Decimal]] = field(default_factory=list)

    @property
    def tax(self) -> Decimal:
        return rules.tax_on(self.figures.taxable, self.terms.rate.percent) if self.figures else ZERO


def return_preview(*, period, figures: Figures | None = None) -> Preview:
    terms = period_terms(period)
    p = Preview(terms=terms, figures=figures)
    if figures:
        p.lines = [("Gross rents", figures.gross_rents)]
        if figures.exempt_long_stay:
            p.lines.append((f"Less stays over {terms.policy.long_stay_days} days", -figures.exempt_long_stay))
        if figures.exempt_government:
            p.lines.append(("Less officials on government business", -figures.exempt_government))
        if figures.exempt_other:
            p.lines.append((f"Less other: {figures.exempt_other_reason}", -figures.exempt_other))
        p.lines.append(("Taxable rents", figures.taxable))
        p.lines.append((f"Tax at {rules.percent_text(terms.rate.percent)}%", p.tax))
    return p


def _check_period(operator: Operator, terms: PeriodTerms, received_on: datetime.date, today) -> None:
    if terms.end >= today:
        raise RevenueError(
            f"The period {terms.start:%B %Y} has not ended yet; a return can be filed from "
            f"{terms.end + datetime.timedelta(days=1):%m/%d/%Y}."
        )
    if received_on > today:
        raise RevenueError("The received date is in the future.")
    if received_on <= terms.end:
        raise RevenueError(f"The received date is before the end of the period ({terms.end:%m/%d/%Y}).")
    if terms.end < operator.opened_on:
        raise RevenueError(
            f"{operator.name} opened on {operator.opened_on:%m/%d/%Y}, after {terms.start:%B %Y}."
        )
    if operator.closed_on and terms.start > operator.closed_on:
        raise RevenueError(
            f"{operator.name} closed on {operator.closed_on:%m/%d/%Y}, before {terms.start:%B %Y}."
        )
    refusal = filing_window(operator, today).refusal(terms.start)
    if refusal:
        raise RevenueError(refusal)


def new_row(
    *, operator, terms: PeriodTerms, figures: Figures, kind, status, received_on, acting_user, note=""
):
    row = TotReturn(
        number=core.number_next(kind="TOT", on=received_on),
        operator=operator,
        period_start=terms.start,
        period_end=terms.end,
        kind=kind,
        status=status,
        gross_rents=figures.gross_rents,
        exempt_long_stay=figures.exempt_long_stay,
        exempt_government=figures.exempt_government,
        exempt_other=figures.exempt_other,
        exempt_other_reason=figures.exempt_other_reason,
        taxable_rents=figures.taxable,
        rate_percent=terms.rate.percent,
        tax=rules.tax_on(figures.taxable, terms.rate.percent),
        due_on=terms.due_on,
        received_on=received_on,
        note=note,
        created_by=acting_user,
    )
    return row


def lock_operator(operator: Operator) -> Operator:
    return Operator.objects.select_for_update(no_key=True).select_related("party").get(pk=operator.pk)


def period_label(start: datetime.date) -> str:
    return f"{start:%B %Y}"


@transaction.atomic
def return_file(
    *,
    operator: Operator,
    period,
    gross_rents,
    exempt_long_stay=ZERO,
    exempt_government=ZERO,
    exempt_other=ZERO,
    exempt_other_reason: str = "",
    received_on: datetime.date,
    acting_user,
    note: str = "",
) -> TotReturn:
    """File an operator's return for a month: the tax at the period's rate, assessed as a charge
    due on the period's due date (no charge when the tax is zero)."""
    if not acting_user.has_perm("tot.file_return"):
        raise NotAllowed("Your role cannot file TOT returns.")
    today = core.city_today()
    operator = lock_operator(operator)  # one filing per operator at a time
    figures = figures_check(
        gross_rents=gross_rents,
        exempt_long_stay=exempt_long_stay,
        exempt_government=exempt_government,
        exempt_other=exempt_other,
        exempt_other_reason=exempt_other_reason,
    )
    terms = period_terms(period)
    if not isinstance(received_on, datetime.date):
        raise RevenueError("Enter the date the city received the return.")
    _check_period(operator, terms, received_on, today)
    existing = current_return(operator, terms.start)
    if existing is not None:
        raise RevenueError(
            f"{period_label(terms.start)} was already filed on {existing.received_on:%m/%d/%Y} "
            f"({existing.number}): file an amended return instead."
        )
    ret = new_row(
        operator=operator,
        terms=terms,
        figures=figures,
        kind=TotReturn.Kind.ORIGINAL,
        status=TotReturn.Status.CURRENT,
        received_on=received_on,
        acting_user=acting_user,
        note=note,
    )
    try:
        with transaction.atomic():
            ret.save()
    except IntegrityError as exc:  # a second clerk filed the same period a moment ago
        raise RevenueError(
            f"{period_label(terms.start)} was just filed by someone else: file an amended return instead."
        ) from exc
    if ret.tax:
        assess_tax(ret, ret.tax, terms.policy, acting_user, f"TOT {period_label(terms.start)}")
    core.audit(
        actor=acting_user,
        action="tot_return.filed",
        obj=ret,
        after=core.snapshot(ret, RETURN_FIELDS),
    )
    return ret


def assess_tax(ret: TotReturn, amount: Decimal, policy: TotPolicy, acting_user, description: str) -> Charge:
    return core.charge_assess(
        party=ret.operator.party,
        amount=amount,
        description=f"{description}, {ret.operator.name} ({ret.operator.certificate_number})",
        receivable_account=policy.receivable_account,
        revenue_account=policy.tax_revenue_account,
        acting_user=acting_user,
        source=ret,
        source_number=ret.number,
        assessed_on=core.city_today(),
        due_on=ret.due_on,
    )
