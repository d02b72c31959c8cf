"""TOT reads: a period's returns and charges, the approval of an audit adjustment, what an
operator owes, and the filing status (due periods, missing returns, the non-filer list)."""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.db.models import F, OuterRef, Subquery, Sum
from django.db.models.functions import Coalesce

from revenue import services as core
from revenue.dates import add_months
from revenue.models import ApprovalRequest, Charge

from . import rules
from .models import ZERO, NonFilerNotice, Operator, TotPolicy, TotRate, TotReturn

# --------------------------------------------------------------------------- a period's returns


def current_return(
    operator: Operator, period_start: datetime.date, *, lock: bool = False
) -> TotReturn | None:
    qs = TotReturn.objects.filter(
        operator=operator, period_start=period_start, status=TotReturn.Status.CURRENT
    )
    if lock:
        qs = qs.select_for_update(no_key=True)
    return qs.first()


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


def approval_for(ret: TotReturn) -> ApprovalRequest | None:
    return (
        ApprovalRequest.objects.filter(
            target_type=ContentType.objects.get_for_model(TotReturn), target_id=ret.pk
        )
        .select_related("requested_by", "decided_by")
        .order_by("-pk")
        .first()
    )


def operator_owes(operator: Operator) -> Decimal:
    numbers = TotReturn.objects.filter(operator=operator).values_list("number", flat=True)
    return Charge.objects.filter(source_number__in=list(numbers)).balance_total()


# --------------------------------------------------------------------------- filing status

LOOKBACK_MONTHS = 12  # how far back the non-filer list looks for missing returns


def months_between(first: datetime.date, last: datetime.date) -> list[datetime.date]:
    """First days of the months from `first`'s month through `last`'s month."""
    out, day = [], first.replace(day=1)
    while day <= last:
        out.append(day)
        day = add_months(day, 1)
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


def with_paid_and_owed(returns):
    """Annotate returns with `paid` and `owed`: the payments applied to, and the balance of, the
    charges on each return's number (its tax, and penalties and interest assessed on it), in the
    same query."""

    def summed(expression):
        return Coalesce(
            Subquery(
                Charge.objects.filter(source_number=OuterRef("number"))
                .order_by()
                .values("source_number")
                .annotate(s=Sum(expression))
                .values("s")
            ),
            ZERO,
        )

    return returns.annotate(
        paid=summed(F("amount_paid")),
        owed=summed(F("amount") - F("amount_paid") - F("amount_adjusted")),
    )


def log_totals(returns) -> dict:
    """Tax, paid and owed of every return in a queryset: two aggregates, one over the returns and
    one over the charges on their numbers."""
    money = Charge.objects.filter(source_number__in=returns.values("number")).aggregate(
        paid=Sum("amount_paid"), owed=Sum(F("amount") - F("amount_paid") - F("amount_adjusted"))
    )
    tax = returns.aggregate(tax=Sum("tax"))["tax"]
    return {"tax": tax or ZERO, "paid": money["paid"] or ZERO, "owed": money["owed"] or ZERO}


def period_terms_table(periods) -> list[dict]:
    """Rate and due date of each period (first days of months), from the policies and rates
    loaded once; a period with no policy or rate in force is left out."""
    policies = policies_loaded()
    rates = list(TotRate.objects.order_by("-effective_from"))
    rows = []
    for first in periods:
        policy = in_force_of(policies, first)
        rate = next((r for r in rates if r.effective_from <= first), None)
        if policy is None or rate is None:
            continue
        rows.append(
            {
                "value": f"{first:%Y-%m}",
                "label": f"{first:%B %Y}",
                "rate": rate.percent,
                "due_on": rules.due_date(first, policy.due_months_after),
            }
        )
    return rows


def due_periods(
    operator: Operator,
    today: datetime.date,
    *,
    lookback_months: int = LOOKBACK_MONTHS,
    policies: list[TotPolicy] | None = None,
) -> list[datetime.date]:
    """Months whose return is due and past its due date, from the later of the operator's opening
    month and `lookback_months` months ago, to its closing month. `policies` (policies_loaded())
    saves the look-up when many operators are checked."""
    start = max(operator.opened_on.replace(day=1), add_months(today.replace(day=1), -lookback_months))
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
