"""TOT operations: operators, returns (file, amend, audit adjustment with approval), the late
penalties and interest brought up to the day of payment, the non-filer list and its notices,
and the report by operator and month. Every change runs in one transaction with an audit row;
a refusal is a RevenueError with a sentence for the clerk and changes nothing."""

from __future__ import annotations

import datetime
import re
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, connection, transaction
from django.db.models import Sum
from django.db.models.signals import post_save
from django.dispatch import receiver

from revenue import services as core
from revenue.exceptions import NotAllowed, RevenueError
from revenue.models import (
    Account,
    ApprovalRequest,
    Charge,
    JournalLine,
    Party,
    Payment,
    PaymentApplication,
)
from revenue.signals import charges_requested

from . import rules
from .models import ZERO, NonFilerNotice, Operator, TotPolicy, TotRate, TotReturn

FIGURES = ["gross_rents", "exempt_long_stay", "exempt_government", "exempt_other", "exempt_other_reason"]
RETURN_FIELDS = [*FIGURES, "taxable_rents", "rate_percent", "tax", "due_on", "received_on", "status"]
CERTIFICATE_RE = re.compile(r"[A-Z0-9-]{1,20}")
CERTIFICATE_RULE = (
    "A certificate number has up to 20 letters A to Z, digits 0 to 9 and dashes "
    "(no accented letters, spaces or other signs)."
)
MAX_ROOMS = 100_000
OPERATOR_FIELDS = ["name", "kind", "location", "rooms", "status", "opened_on", "closed_on", "party_id"]


# --------------------------------------------------------------------------- configuration


def policy_on(day: datetime.date) -> TotPolicy:
    policy = core.in_force(TotPolicy.objects.all(), day)
    if policy is None:
        raise RevenueError(f"No TOT policy is in force on {day:%m/%d/%Y}; a supervisor must set one.")
    return policy


def rate_on(day: datetime.date) -> TotRate:
    rate = core.in_force(TotRate.objects.all(), day)
    if rate is None:
        raise RevenueError(f"No TOT rate is in force for periods beginning {day:%m/%d/%Y}.")
    return rate


def period_of(period) -> tuple[datetime.date, datetime.date]:
    """(first day, last day) of a monthly period given as (year, month) or any date in it."""
    if isinstance(period, datetime.date):
        year, month = period.year, period.month
    else:
        try:
            year, month = (int(x) for x in period)
        except (TypeError, ValueError) as exc:
            raise RevenueError("The period must be a year and a month.") from exc
    if not (1 <= month <= 12) or not (2000 <= year <= 2200):
        raise RevenueError("The period must be a month of a year from 2000 on.")
    return rules.period_bounds(year, month)


@dataclass(frozen=True)
class PeriodTerms:
    start: datetime.date
    end: datetime.date
    policy: TotPolicy
    rate: TotRate
    due_on: datetime.date


def period_terms(period) -> PeriodTerms:
    """The rules a period is taxed by: the policy and the rate in force on its first day."""
    start, end = period_of(period)
    policy = policy_on(start)
    return PeriodTerms(
        start=start,
        end=end,
        policy=policy,
        rate=rate_on(start),
        due_on=rules.due_date(start, policy.due_months_after),
    )


# --------------------------------------------------------------------------- operators


@transaction.atomic
def operator_create(*, acting_user, party: Party, **data) -> Operator:
    if not acting_user.has_perm("tot.add_operator"):
        raise NotAllowed("Your role cannot add TOT operators.")
    operator = Operator(party=party, created_by=acting_user, **data)
    _operator_check(operator)
    try:
        with transaction.atomic():
            operator.save()
    except IntegrityError as exc:
        raise RevenueError(f"Certificate number {operator.certificate_number} is already in use.") from exc
    core.audit(
        actor=acting_user,
        action="tot_operator.created",
        obj=operator,
        after=core.snapshot(operator, ["certificate_number", *OPERATOR_FIELDS]),
    )
    return operator


@transaction.atomic
def operator_update(*, operator: Operator, acting_user, **data) -> Operator:
    if not acting_user.has_perm("tot.change_operator"):
        raise NotAllowed("Your role cannot change TOT operators.")
    operator = Operator.objects.select_for_update(no_key=True).get(pk=operator.pk)
    before = core.snapshot(operator, OPERATOR_FIELDS)
    for key, value in data.items():
        if key not in ("certificate_number", "created_by", "pk", "id"):
            setattr(operator, key, value)
    _operator_check(operator)
    after = core.snapshot(operator, OPERATOR_FIELDS)
    if before != after:
        operator.save()
        core.audit(actor=acting_user, action="tot_operator.updated", obj=operator, before=before, after=after)
    return operator


def _operator_check(operator: Operator) -> None:
    operator.certificate_number = (operator.certificate_number or "").strip().upper()
    if not operator.certificate_number:
        raise RevenueError("The certificate number is required.")
    if not CERTIFICATE_RE.fullmatch(operator.certificate_number):
        raise RevenueError(CERTIFICATE_RULE)
    if not isinstance(operator.rooms, int) or isinstance(operator.rooms, bool) or operator.rooms < 1:
        raise RevenueError("An operator has at least one room or unit.")
    if operator.rooms > MAX_ROOMS:
        raise RevenueError(f"An operator has at most {MAX_ROOMS:,} rooms or units.")
    if operator.closed_on and operator.closed_on < operator.opened_on:
        raise RevenueError("The closing date is before the opening date.")
    if operator.status == Operator.Status.CLOSED and not operator.closed_on:
        raise RevenueError("A closed operator needs its closing date.")
    if operator.closed_on and operator.status != Operator.Status.CLOSED:
        raise RevenueError("Set the status to Closed when there is a closing date (or clear the date).")


# --------------------------------------------------------------------------- returns


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


def current_return(
    operator: Operator, period_start: datetime.date, *, lock: bool = False
) -> TotReturn | None:
    qs = TotReturn.objects.filter(
        operator=operator, period_start=period_start, status=TotReturn.Status.CURRENT
    )
    if lock:
        qs = qs.select_for_update(no_key=True)
    return qs.first()


def _new_row(
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


def _lock_operator(operator: Operator) -> Operator:
    return Operator.objects.select_for_update(no_key=True).select_related("party").get(pk=operator.pk)


def _period_label(start: datetime.date) -> str:
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
    operator = _lock_operator(operator)  # one filing per operator at a time
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
            f"{_period_label(terms.start)} was already filed on {existing.received_on:%m/%d/%Y} "
            f"({existing.number}): file an amended return instead."
        )
    ret = _new_row(
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
            f"{_period_label(terms.start)} was just filed by someone else: file an amended return instead."
        ) from exc
    if ret.tax:
        _assess_tax(ret, ret.tax, terms.policy, acting_user, f"TOT {_period_label(terms.start)}")
    core.audit(
        actor=acting_user,
        action="tot_return.filed",
        obj=ret,
        after=core.snapshot(ret, RETURN_FIELDS),
    )
    return ret


def _assess_tax(ret: TotReturn, amount: Decimal, policy: TotPolicy, acting_user, description: str) -> Charge:
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


def chain(ret: TotReturn) -> list[TotReturn]:
    """Every return that has counted for the period (original, amendments, approved audits)."""
    return list(
        TotReturn.objects.filter(operator_id=ret.operator_id, period_start=ret.period_start)
        .exclude(status__in=[TotReturn.Status.PENDING, TotReturn.Status.DENIED])
        .order_by("pk")
    )


def period_charges(ret: TotReturn) -> list[Charge]:
    """The charges of a period's returns (tax, differences, penalties, interest), oldest first."""
    numbers = [r.number for r in chain(ret)] or [ret.number]
    return list(
        Charge.objects.filter(source_number__in=numbers).select_related("revenue_account").order_by("pk")
    )


def _tax_payments(
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
        payments=_tax_payments(current, policy, charges),
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


def _assessed_late(
    rows: list[TotReturn], charges: list[Charge], policy: TotPolicy
) -> tuple[Decimal, Decimal]:
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
    penalties, interest = _assessed_late(chain(ret), period_charges(ret), policy)
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
                description=f"{label}, TOT {_period_label(current.period_start)}",
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


# --------------------------------------------------------------------------- amendments and audits


def _credit_on_account(
    *, new: TotReturn, account, amount: Decimal, what: str, label: str, acting_user, reason
):
    """What was paid beyond the new figure goes to the operator's credit on account (Dr the
    revenue it was paid to, Cr customer credit), the entry's source being the new return."""
    party = core.lock_party(new.operator.party)
    memo = f"TOT {label} {new.number}: {what} paid beyond the new figure"
    core.journal_post(
        lines=[
            core.Line(account=account, debit=amount, party=party, memo=memo),
            core.Line(
                account=core.account_for_role(Account.Role.CUSTOMER_CREDIT),
                credit=amount,
                party=party,
                memo=f"Refund due on {new.number}",
            ),
        ],
        memo=memo,
        acting_user=acting_user,
        source=new,
    )
    core.audit(
        actor=acting_user,
        action="tot_return.credited",
        obj=new,
        after={"credit": amount, "of": what},
        reason=reason,
    )


def _take_back_late(*, new: TotReturn, policy: TotPolicy, acting_user, reason: str, label: str) -> None:
    """The tax went down: work the late lines out again for the new tax as of the last day the
    late charges were brought up to, and take back what was assessed beyond them, penalties and
    interest separately: the open part is waived (newest charge first), and the part already
    paid goes to the operator's credit on account. What is taken back is kept on the new return
    so that the counter assesses again only what grows beyond the new figure."""
    charges = period_charges(new)
    late_ids = (policy.penalty_revenue_account_id, policy.interest_revenue_account_id)
    late = [c for c in charges if c.revenue_account_id in late_ids]
    if not late:
        return
    as_of = max(c.due_on for c in late)  # the day penalties_to_date last figured them for
    lines = rules.late_lines(
        tax=new.tax,
        due_on=new.due_on,
        on=as_of,
        rules=rules.LateRules.of(policy),
        payments=_tax_payments(new, policy, charges),
    )
    owed = {
        "penalties": sum((ln.amount for ln in lines if ln.key != "interest"), ZERO),
        "interest": sum((ln.amount for ln in lines if ln.key == "interest"), ZERO),
    }
    rows = chain(new)
    assessed = dict(zip(("penalties", "interest"), _assessed_late(rows, charges, policy), strict=True))
    changed = []
    for key, account, field_name in (
        ("penalties", policy.penalty_revenue_account, "penalties_taken_back"),
        ("interest", policy.interest_revenue_account, "interest_taken_back"),
    ):
        excess = assessed[key] - owed[key]
        if excess <= 0:
            continue
        mine = core.lock_charges(c.pk for c in late if c.revenue_account_id == account.pk)
        waived = ZERO
        for charge in sorted(mine.values(), key=lambda c: -c.pk):  # newest first
            part = min(excess - waived, charge.balance)
            if part > 0:
                core.charge_adjust(
                    charge=charge,
                    amount=part,
                    kind=ApprovalRequest.Kind.WAIVER,
                    acting_user=acting_user,
                    reason=f"TOT {label} {new.number} lowered the tax: {reason}"[:250],
                )
                waived += part
        credited_before = (
            JournalLine.objects.filter(
                entry__source_type=ContentType.objects.get_for_model(TotReturn),
                entry__source_id__in=[r.pk for r in rows],
                account=account,
                debit__gt=0,
            ).aggregate(total=Sum("debit"))["total"]
            or ZERO
        )
        paid = sum((c.amount_paid for c in mine.values()), ZERO) - credited_before
        credit = min(excess - waived, max(paid, ZERO))
        if credit > 0:
            _credit_on_account(
                new=new,
                account=account,
                amount=credit,
                what=key,
                label=label,
                acting_user=acting_user,
                reason=reason,
            )
        if waived + credit > 0:
            setattr(new, field_name, getattr(new, field_name) + waived + credit)
            changed.append(field_name)
    if changed:
        new.save(update_fields=changed)
        core.audit(
            actor=acting_user,
            action="tot_return.late_taken_back",
            obj=new,
            after={
                "as_of": as_of,
                "penalties": new.penalties_taken_back,
                "interest": new.interest_taken_back,
            },
            reason=reason,
        )


def _difference(*, old: TotReturn, new: TotReturn, acting_user, reason: str) -> None:
    """Settle the change in tax between the old and the new figures: more tax is a charge on the
    new number (due on the period's due date, so lateness runs from it); less tax waives the open
    tax balance, and what was already paid beyond the new tax goes to the operator's credit on
    account (Dr TOT revenue, Cr customer credit); the penalties and interest assessed on tax no
    longer owed are taken back the same way (_take_back_late)."""
    policy = policy_on(new.period_start)
    diff = new.tax - old.tax
    label = "amended return" if new.kind == TotReturn.Kind.AMENDED else "audit adjustment"
    if diff > 0:
        _assess_tax(
            new, diff, policy, acting_user, f"TOT {_period_label(new.period_start)} {label}: more tax"
        )
        return
    if diff == 0:
        return
    left = -diff
    tax_charges = [c for c in period_charges(new) if c.revenue_account_id == policy.tax_revenue_account_id]
    locked = core.lock_charges(c.pk for c in tax_charges)
    for charge in sorted(locked.values(), key=lambda c: -c.pk):  # newest first
        part = min(left, charge.balance)
        if part > 0:
            core.charge_adjust(
                charge=charge,
                amount=part,
                kind=ApprovalRequest.Kind.WAIVER,
                acting_user=acting_user,
                reason=f"TOT {label} {new.number}: {reason}"[:250],
            )
            left -= part
    if left > 0:
        _credit_on_account(
            new=new,
            account=policy.tax_revenue_account,
            amount=left,
            what="tax",
            label=label,
            acting_user=acting_user,
            reason=reason,
        )
    _take_back_late(new=new, policy=policy, acting_user=acting_user, reason=reason, label=label)


def _supersede(*, old: TotReturn, new: TotReturn, acting_user, reason: str) -> TotReturn:
    """The new row becomes the period's current return in place of the old (same transaction)."""
    before = core.snapshot(old, RETURN_FIELDS)
    old.status = TotReturn.Status.SUPERSEDED
    old.save(update_fields=["status"])
    new.status = TotReturn.Status.CURRENT
    new.supersedes = old
    new.save()
    core.audit(
        actor=acting_user,
        action="tot_return.superseded",
        obj=old,
        before={"status": before["status"]},
        after={"status": old.status, "by": new.number},
        reason=reason,
    )
    _difference(old=old, new=new, acting_user=acting_user, reason=reason)
    core.audit(
        actor=acting_user,
        action=f"tot_return.{new.kind}",
        obj=new,
        before=before,
        after=core.snapshot(new, RETURN_FIELDS) | {"supersedes": old.number},
        reason=reason,
    )
    return new


def _figures(data: dict) -> Figures:
    return figures_check(**{k: data.get(k, ZERO if k != "exempt_other_reason" else "") for k in FIGURES})


@transaction.atomic
def return_amend(
    *, current: TotReturn, reason: str, acting_user, received_on: datetime.date | None = None, **figures
) -> TotReturn:
    """An amended return from the operator: a new row (kind amended) that supersedes the current one."""
    if not acting_user.has_perm("tot.file_return"):
        raise NotAllowed("Your role cannot file TOT returns.")
    if not (reason or "").strip():
        raise RevenueError("Say why the return is amended.")
    operator, old = _lock_current(
        current,
        not_current="amend the current one.",
        pending="An audit adjustment of this period is waiting for approval; it must be decided first.",
    )
    today = core.city_today()
    received_on = received_on or today
    if received_on > today:
        raise RevenueError("The received date is in the future.")
    if received_on < old.received_on:
        raise RevenueError(
            f"The amended return cannot be received before the return it amends ({old.received_on:%m/%d/%Y})."
        )
    new_figures = _figures(figures)
    terms = period_terms(old.period_start)
    new = _new_row(
        operator=operator,
        terms=terms,
        figures=new_figures,
        kind=TotReturn.Kind.AMENDED,
        status=TotReturn.Status.CURRENT,
        received_on=received_on,
        acting_user=acting_user,
        note=reason.strip(),
    )
    new.due_on = old.due_on
    return _supersede(old=old, new=new, acting_user=acting_user, reason=reason.strip())


def _lock_current(current: TotReturn, *, pending: str, not_current: str = "") -> tuple[Operator, TotReturn]:
    """Lock the operator and the return a change starts from: it must still be the period's current
    return, with no audit adjustment of the period waiting."""
    operator = _lock_operator(current.operator)
    old = TotReturn.objects.select_for_update(no_key=True).get(pk=current.pk)
    if old.status != TotReturn.Status.CURRENT:
        raise RevenueError(
            f"{old.number} is not the current return for its period{'; ' + not_current if not_current else '.'}"
        )
    if TotReturn.objects.filter(
        operator=operator, period_start=old.period_start, status=TotReturn.Status.PENDING
    ).exists():
        raise RevenueError(pending)
    return operator, old


@transaction.atomic
def audit_adjustment_request(*, current: TotReturn, reason: str, acting_user, **figures) -> TotReturn:
    """An audit adjustment waits for a supervisor's approval as a pending row (never current)."""
    if not acting_user.has_perm("tot.adjust_return"):
        raise NotAllowed("Only a Revenue Supervisor can make TOT audit adjustments.")
    if not (reason or "").strip():
        raise RevenueError("Say what the audit found.")
    operator, old = _lock_current(
        current, pending=f"An audit adjustment for {_period_label(current.period_start)} is already waiting."
    )
    new_figures = _figures(figures)
    terms = period_terms(old.period_start)
    pending = _new_row(
        operator=operator,
        terms=terms,
        figures=new_figures,
        kind=TotReturn.Kind.AUDIT,
        status=TotReturn.Status.PENDING,
        received_on=core.city_today(),
        acting_user=acting_user,
        note=reason.strip(),
    )
    pending.due_on = old.due_on
    pending.save()
    core.audit(
        actor=acting_user,
        action="tot_return.audit_requested",
        obj=pending,
        after=core.snapshot(pending, RETURN_FIELDS) | {"adjusts": old.number, "tax_was": old.tax},
        reason=reason,
    )
    core.approval_request(
        kind=ApprovalRequest.Kind.OVERRIDE,
        target=pending,
        reason=f"TOT audit adjustment {_period_label(old.period_start)}, {operator.name}: tax "
        f"{old.tax:,.2f} → {pending.tax:,.2f}. {reason.strip()}",
        acting_user=acting_user,
        amount=None,
    )
    return pending


@core.approval_handler(ApprovalRequest.Kind.OVERRIDE, TotReturn)
def _approve_audit_adjustment(request: ApprovalRequest, acting_user) -> None:
    pending = TotReturn.objects.select_for_update(no_key=True).get(pk=request.target_id)
    if pending.status != TotReturn.Status.PENDING:
        raise RevenueError(f"{pending.number} is no longer waiting for approval.")
    _lock_operator(pending.operator)
    old = current_return(pending.operator, pending.period_start, lock=True)
    if old is None:
        raise RevenueError("The period has no current return to adjust.")
    _supersede(old=old, new=pending, acting_user=acting_user, reason=pending.note)


@receiver(post_save, sender=ApprovalRequest)
def _audit_adjustment_denied(sender, instance: ApprovalRequest, **kwargs) -> None:
    """A denied audit adjustment's pending row is marked denied in the same transaction."""
    if instance.status != ApprovalRequest.Status.DENIED or instance.kind != ApprovalRequest.Kind.OVERRIDE:
        return
    if instance.target_type.model_class() is not TotReturn:
        return
    TotReturn.objects.filter(pk=instance.target_id, status=TotReturn.Status.PENDING).update(
        status=TotReturn.Status.DENIED
    )


def approval_for(ret: TotReturn) -> ApprovalRequest | None:
    return (
        ApprovalRequest.objects.filter(
            target_type=ContentType.objects.get_for_model(TotReturn), target_id=ret.pk
        )
        .select_related("requested_by", "decided_by")
        .order_by("-pk")
        .first()
    )


# --------------------------------------------------------------------------- filing status


def months_between(first: datetime.date, last: datetime.date) -> list[datetime.date]:
    """First days of the months from `first`'s month through `last`'s month."""
    out, day = [], first.replace(day=1)
    while day <= last:
        out.append(day)
        day = rules.add_months(day, 1)
    return out


def policies_loaded() -> list[TotPolicy]:
    """Every TOT policy, latest first, for working out which is in force without a query a day."""
    return list(TotPolicy.objects.order_by("-effective_from"))


def in_force_of(policies: list[TotPolicy], day: datetime.date) -> TotPolicy | None:
    """core.in_force over rows already loaded (latest first)."""
    return next((p for p in policies if p.effective_from <= day), None)


def due_dates(
    periods, *, policies: list[TotPolicy] | None = None
) -> dict[datetime.date, datetime.date | None]:
    """The due date of each period (first days of months), None when no policy is in force."""
    policies = policies_loaded() if policies is None else policies
    out = {}
    for first in periods:
        policy = in_force_of(policies, first)
        out[first] = None if policy is None else rules.due_date(first, policy.due_months_after)
    return out


def due_periods(
    operator: Operator,
    today: datetime.date,
    *,
    lookback_months: int = 12,
    policies: list[TotPolicy] | None = None,
) -> list[datetime.date]:
    """Months whose return is due and past its due date, from the later of the operator's opening
    month and `lookback_months` months ago, to its closing month. `policies` (policies_loaded())
    saves the look-up when many operators are checked."""
    start = max(operator.opened_on.replace(day=1), rules.add_months(today.replace(day=1), -lookback_months))
    end = today if operator.closed_on is None else min(today, operator.closed_on)
    due = due_dates(months_between(start, end), policies=policies)
    return [first for first, due_on in due.items() if due_on is not None and due_on < today]


@dataclass
class Missing:
    operator: Operator
    periods: list[datetime.date]
    noticed: dict[datetime.date, datetime.date]  # period -> day noticed

    @property
    def new_periods(self) -> list[datetime.date]:
        return [p for p in self.periods if p not in self.noticed]


def missing_periods(operator: Operator, today: datetime.date | None = None) -> list[datetime.date]:
    today = today or core.city_today()
    filed = set(
        TotReturn.objects.filter(operator=operator, status=TotReturn.Status.CURRENT).values_list(
            "period_start", flat=True
        )
    )
    return [p for p in due_periods(operator, today) if p not in filed]


def nonfilers(today: datetime.date | None = None) -> list[Missing]:
    """Operators (active, suspended or closed: a closed one owes the months up to its closing)
    missing a current return for a month whose due date has passed."""
    today = today or core.city_today()
    operators = list(Operator.objects.select_related("party"))
    policies = policies_loaded()
    filed = set(
        TotReturn.objects.filter(operator__in=operators, status=TotReturn.Status.CURRENT).values_list(
            "operator_id", "period_start"
        )
    )
    noticed = defaultdict(dict)
    for n in NonFilerNotice.objects.filter(operator__in=operators):
        noticed[n.operator_id][n.period_start] = n.sent_on
    out = []
    for op in operators:
        periods = [p for p in due_periods(op, today, policies=policies) if (op.pk, p) not in filed]
        if periods:
            out.append(Missing(op, periods, {p: d for p, d in noticed[op.pk].items() if p in periods}))
    return out


@transaction.atomic
def nonfiler_notices_send(*, acting_user, on: datetime.date | None = None) -> list[NonFilerNotice]:
    """Record a notice for every missing period not noticed before (never the same period twice)."""
    if not (acting_user.has_perm("tot.view_tot_reports") and acting_user.has_perm("tot.file_return")):
        raise NotAllowed("Your role cannot send non-filer notices.")
    on = on or core.city_today()
    rows = [
        NonFilerNotice(operator=m.operator, period_start=p, sent_on=on, created_by=acting_user)
        for m in nonfilers(on)
        for p in m.new_periods
    ]
    made = _insert_new_notices(rows)
    for m in {r.operator_id: r.operator for r in made}.values():
        core.audit(
            actor=acting_user,
            action="tot_operator.nonfiler_notice",
            obj=m,
            after={"periods": [f"{r.period_start:%Y-%m}" for r in made if r.operator_id == m.pk], "on": on},
        )
    return made


def _insert_new_notices(rows: list[NonFilerNotice]) -> list[NonFilerNotice]:
    """Insert the notices, skipping any period another clerk noticed meanwhile, and return only
    the rows this call inserted (INSERT … ON CONFLICT DO NOTHING RETURNING; bulk_create with
    ignore_conflicts would hand back every row, inserted or not)."""
    table = connection.ops.quote_name(NonFilerNotice._meta.db_table)
    inserted = {}
    with connection.cursor() as cursor:
        for i in range(0, len(rows), 1000):
            batch = rows[i : i + 1000]
            values = ", ".join(["(%s, %s, %s, %s)"] * len(batch))
            cursor.execute(
                f"INSERT INTO {table} (operator_id, period_start, sent_on, created_by_id) VALUES {values} "
                "ON CONFLICT (operator_id, period_start) DO NOTHING RETURNING id, operator_id, period_start",
                [x for r in batch for x in (r.operator_id, r.period_start, r.sent_on, r.created_by_id)],
            )
            inserted.update({(op_id, period): pk for pk, op_id, period in cursor.fetchall()})
    made = []
    for r in rows:
        pk = inserted.get((r.operator_id, r.period_start))
        if pk is not None:
            r.pk = pk
            r._state.adding = False
            made.append(r)
    return made


# --------------------------------------------------------------------------- the report


@dataclass
class ReportRow:
    operator: Operator
    period: datetime.date
    number: str
    tax: Decimal = ZERO
    tax_collected: Decimal = ZERO
    late_assessed: Decimal = ZERO
    late_collected: Decimal = ZERO

    @property
    def balance(self) -> Decimal:
        return self.tax + self.late_assessed - self.tax_collected - self.late_collected


def tot_report(year: int) -> tuple[list[ReportRow], dict[str, Decimal]]:
    """Tax assessed (the current return's tax) and collected (payments on the period's tax, less
    what went back to credit on account) per operator and month of the year, with penalties and
    interest assessed (net of waivers) and collected."""
    start, end = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    returns = list(
        TotReturn.objects.filter(period_start__range=(start, end))
        .exclude(status__in=[TotReturn.Status.PENDING, TotReturn.Status.DENIED])
        .select_related("operator")
        .order_by("operator__name", "period_start", "pk")
    )
    by_number = {r.number: r for r in returns}
    key_of = {r.number: (r.operator_id, r.period_start) for r in returns}
    rows: dict[tuple, ReportRow] = {}
    for r in returns:
        row = rows.setdefault(key_of[r.number], ReportRow(r.operator, r.period_start, r.number))
        if r.status == TotReturn.Status.CURRENT:
            row.number, row.tax = r.number, r.tax
    tax_accounts = set(TotPolicy.objects.values_list("tax_revenue_account_id", flat=True))
    charges = Charge.objects.filter(source_number__in=list(by_number)).values(
        "pk", "source_number", "revenue_account_id", "amount", "amount_adjusted"
    )
    charge_key = {}
    for c in charges:
        key = key_of[c["source_number"]]
        is_tax = c["revenue_account_id"] in tax_accounts
        charge_key[c["pk"]] = (key, is_tax)
        if not is_tax:
            rows[key].late_assessed += c["amount"] - c["amount_adjusted"]
    paid = (
        PaymentApplication.objects.filter(
            charge_id__in=list(charge_key), payment__status=Payment.Status.POSTED
        )
        .values("charge_id")
        .annotate(total=Sum("amount"))
    )
    for p in paid:
        key, is_tax = charge_key[p["charge_id"]]
        if is_tax:
            rows[key].tax_collected += p["total"]
        else:
            rows[key].late_collected += p["total"]
    # what went back to credit on account when a return lowered the tax: the entry debits the
    # revenue it was paid to (tax, penalty or interest) and credits the customer credit account
    source = {
        "entry__source_type": ContentType.objects.get_for_model(TotReturn),
        "entry__source_id__in": [r.pk for r in returns],
    }
    credit_entries = JournalLine.objects.filter(**source, account__role=Account.Role.CUSTOMER_CREDIT).values(
        "entry_id"
    )
    credited = (
        JournalLine.objects.filter(**source, entry_id__in=credit_entries, debit__gt=0)
        .values("entry__source_id", "account_id")
        .annotate(total=Sum("debit"))
    )
    by_pk = {r.pk: r for r in returns}
    for c in credited:
        row = rows[key_of[by_pk[c["entry__source_id"]].number]]
        if c["account_id"] in tax_accounts:
            row.tax_collected -= c["total"] or ZERO
        else:  # penalties or interest taken back though paid: no longer assessed, nor kept
            row.late_assessed -= c["total"] or ZERO
            row.late_collected -= c["total"] or ZERO
    ordered = sorted(rows.values(), key=lambda r: (r.operator.name, r.period))
    totals = {
        "tax": sum((r.tax for r in ordered), ZERO),
        "tax_collected": sum((r.tax_collected for r in ordered), ZERO),
        "late_assessed": sum((r.late_assessed for r in ordered), ZERO),
        "late_collected": sum((r.late_collected for r in ordered), ZERO),
        "balance": sum((r.balance for r in ordered), ZERO),
    }
    return ordered, totals


def operator_owes(operator: Operator) -> Decimal:
    numbers = TotReturn.objects.filter(operator=operator).values_list("number", flat=True)
    charges = Charge.objects.filter(source_number__in=list(numbers))
    return sum((c.balance for c in charges), ZERO)
