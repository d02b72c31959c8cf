"""TOT reports, each a `Report` that `report_response` serves as the page and the .xlsx."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.db.models import Sum

from revenue.dates import city_today
from revenue.documents import Column
from revenue.models import Account, Charge, JournalLine, Payment, PaymentApplication
from revenue.reporting import Report

from .models import ZERO, Operator, TotPolicy, TotReturn

SUMMED = ("tax", "tax_collected", "late_assessed", "late_collected", "balance")


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


def _sums(rows, names=SUMMED) -> dict[str, Decimal]:
    return {name: sum((getattr(r, name) for r in rows), ZERO) for name in names}


@dataclass
class TotReport(Report):
    """The report by operator and month; the page groups its rows by operator (`groups`) and
    adds the months of the year for all operators (`months`). `sums` holds the totals by name."""

    year: int = 0
    groups: list[dict] = field(default_factory=list)
    months: list[dict] = field(default_factory=list)
    sums: dict[str, Decimal] = field(default_factory=dict)


def _period_rows(returns: list[TotReturn]) -> dict[tuple, ReportRow]:
    """One row per operator and period, carrying the current return's number and tax."""
    rows: dict[tuple, ReportRow] = {}
    for r in returns:
        row = rows.setdefault(
            (r.operator_id, r.period_start), ReportRow(r.operator, r.period_start, r.number)
        )
        if r.status == TotReturn.Status.CURRENT:
            row.number, row.tax = r.number, r.tax
    return rows


def _add_charges_and_payments(rows, returns, tax_accounts) -> None:
    """Penalties and interest assessed (net of waivers), and what was paid on tax and on them."""
    key_of = {r.number: (r.operator_id, r.period_start) for r in returns}
    charges = Charge.objects.filter(source_number__in=list(key_of)).values(
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


def _less_credited_back(rows, returns, tax_accounts) -> None:
    """What went back to credit on account when a return lowered the tax: the entry debits the
    revenue it was paid to (tax, penalty or interest) and credits the customer credit account."""
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
        ret = by_pk[c["entry__source_id"]]
        row = rows[(ret.operator_id, ret.period_start)]
        if c["account_id"] in tax_accounts:
            row.tax_collected -= c["total"] or ZERO
        else:  # penalties or interest taken back though paid: no longer assessed, nor kept
            row.late_assessed -= c["total"] or ZERO
            row.late_collected -= c["total"] or ZERO


def tot_rows(year: int) -> list[ReportRow]:
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
    rows = _period_rows(returns)
    tax_accounts = set(TotPolicy.objects.values_list("tax_revenue_account_id", flat=True))
    _add_charges_and_payments(rows, returns, tax_accounts)
    _less_credited_back(rows, returns, tax_accounts)
    return sorted(rows.values(), key=lambda r: (r.operator.name, r.period))


def tot_by_operator(year: int) -> TotReport:
    """TOT by operator and month of a calendar year: the page (grouped by operator, with the
    months of the year) and the .xlsx (one row per operator and month)."""
    rows = tot_rows(year)
    sums = _sums(rows)
    by_operator: dict[Operator, list[ReportRow]] = {}
    for r in rows:
        by_operator.setdefault(r.operator, []).append(r)
    months = []
    for m in range(1, 13):
        in_month = [r for r in rows if r.period.month == m]
        months.append({"month": datetime.date(year, m, 1), **_sums(in_month, ("tax", "tax_collected"))})
    return TotReport(
        title=f"TOT by operator and month, {year}",
        subtitle=f"Periods January–December {year}; current returns; collections to {city_today():%m/%d/%Y}",
        columns=[
            Column("Certificate", width=14),
            Column("Operator", width=30),
            Column("Period", width=10),
            Column("Return", width=16),
            Column("Tax assessed", "money"),
            Column("Tax collected", "money"),
            Column("Penalties and interest", "money", width=16),
            Column("P&I collected", "money"),
            Column("Balance", "money"),
        ],
        rows=[
            [
                r.operator.certificate_number,
                r.operator.name,
                f"{r.period:%Y-%m}",
                r.number,
                r.tax,
                r.tax_collected,
                r.late_assessed,
                r.late_collected,
                r.balance,
            ]
            for r in rows
        ],
        totals=["Total", "", "", "", *(sums[name] for name in SUMMED)],
        filename=f"tot-{year}",
        sheet_name=f"TOT {year}",
        year=year,
        groups=[{"operator": op, "rows": rs, **_sums(rs)} for op, rs in by_operator.items()],
        months=months,
        sums=sums,
    )
