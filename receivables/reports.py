"""Receivables' reports, each a core `Report` (columns defined once, for the page, the .xlsx
and, where there is one, the PDF), and the geometry of the collections chart."""

from __future__ import annotations

from decimal import Decimal

from django.utils import timezone

from revenue import services as core
from revenue.documents import Column
from revenue.models import ZERO, Party
from revenue.reporting import Report

from .models import DunningRun
from .selectors import Aging, CollectionStatistics, Statement


def aging_report(aging: Aging, *, party: Party | None = None) -> Report:
    """Every invoice owed on the aging's date, its days past due and its balance in its bucket."""
    n = len(aging.labels)
    rows = [
        [
            inv.party_number,
            inv.party_name,
            inv.number,
            inv.invoice_date,
            inv.due_on,
            inv.days_past_due,
            *inv.amounts(n),
            inv.balance,
        ]
        for inv in aging.invoices
    ]
    return Report(
        title=f"Receivables aging as of {aging.as_of:%m/%d/%Y}",
        subtitle=f"{len(aging.customers)} customers, {len(rows)} invoices"
        + (f" — {party.name}" if party else ""),
        columns=[
            Column("Customer no.", width=11),
            Column("Customer", width=30),
            Column("Invoice", width=15),
            Column("Invoice date", "date", 12),
            Column("Due", "date", 12),
            Column("Days past due", "int", 9),
            *[Column(label, "money", 12) for label in aging.labels],
            Column("Balance", "money", 13),
        ],
        rows=rows,
        totals=["Total", "", "", None, None, None, *aging.totals, aging.total],
        filename=f"aging-{aging.as_of:%Y-%m-%d}",
        sheet_name="Aging",
    )


def dunning_runs_report(runs: list[DunningRun]) -> Report:
    """The latest dunning runs: their date, who ran them, the past-due invoices, letters and fees."""

    def when(moment) -> str:
        return f"{timezone.localtime(moment):%m/%d/%Y %H:%M:%S}" if moment else "running"

    return Report(
        title="Past-due notice runs",
        subtitle=f"The latest {len(runs)} runs",
        columns=[
            Column("As of", "date", 12),
            Column("Started", width=20),
            Column("By", width=14),
            Column("Past due", "int", 10),
            Column("Done", "int", 10),
            Column("Letters", "int", 10),
            Column("Fees", "money", 12),
            Column("Finished", width=20),
        ],
        rows=[
            [
                r.run_on,
                when(r.started_at),
                r.started_by.username,
                r.candidates,
                r.done,
                r.letters,
                r.fees,
                when(r.finished_at),
            ]
            for r in runs
        ],
        filename="past-due-runs",
        sheet_name="Runs",
    )


def referrals_report(rows: list, *, show_all: bool) -> Report:
    """The invoices referred to collections (still open, or all), with the customer's contact."""
    return Report(
        title="Invoices referred to collections",
        subtitle=f"{len(rows)} invoices" + ("" if show_all else ", still open"),
        columns=[
            Column("Customer no.", width=11),
            Column("Customer", width=30),
            Column("Address", width=34),
            Column("Phone", width=15),
            Column("Email", width=26),
            Column("Invoice", width=15),
            Column("Invoice date", "date", 12),
            Column("Due", "date", 12),
            Column("Referred", "date", 12),
            Column("Status", width=14),
            Column("Total", "money", 12),
            Column("Balance", "money", 12),
            Column("Last follow-up", "date", 14),
            Column("Follow-up note", width=40),
        ],
        rows=[
            [
                r.party.number,
                r.party.name,
                r.party.address,
                r.party.phone,
                r.party.email,
                r.number,
                r.invoice_date,
                r.due_on,
                r.collections_referred_on,
                r.get_status_display(),
                r.total,
                r.balance,
                timezone.localdate(r.last_followup_at) if r.last_followup_at else None,
                r.last_followup_note or "",
            ]
            for r in rows
        ],
        totals=[
            "Total",
            "",
            "",
            "",
            "",
            "",
            None,
            None,
            None,
            "",
            sum((r.total for r in rows), ZERO),
            sum((r.balance for r in rows), ZERO),
            None,
            "",
        ],  # fmt: skip
        filename=f"collections-referrals-{core.city_today():%Y-%m-%d}",
        sheet_name="Referrals",
    )


def collections_report(stats: CollectionStatistics) -> Report:
    """Collections of a fiscal year by month and revenue account, with the year before's totals."""
    year = stats.fiscal_year
    rows = [
        [r.account.number, r.account.name, *r.this_year, r.this_total, r.last_total, r.change]
        for r in stats.rows
    ]
    rows.append(["", f"All accounts, FY{year - 1} by month", *stats.month_last, stats.total_last, None, None])
    return Report(
        title=f"Collections by month and revenue account, FY{year} with FY{year - 1}",
        subtitle="Payments applied to charges by the month received; reversals count back in their month.",
        columns=[
            Column("Account", width=11),
            Column("Name", width=34),
            *[Column(f"{m:%b %Y}", "money", 12) for m in stats.months],
            Column(f"FY{year}", "money", 14),
            Column(f"FY{year - 1}", "money", 14),
            Column("Change", "money", 13),
        ],
        rows=rows,
        totals=[
            "",
            f"Total FY{year}",
            *stats.month_this,
            stats.total_this,
            stats.total_last,
            stats.total_change,
        ],
        filename=f"collections-FY{year}",
        sheet_name=f"FY{year}",
    )


def statement_report(st: Statement) -> Report:
    """A customer's statement of account: opening balance, each movement with the running
    balance, and the closing balance (the page and the PDF add the aging of the closing balance)."""
    rows = [[st.start, "", "Opening balance", None, None, st.opening]]
    rows += [[r.date, r.number, r.description, r.charge, r.credit, r.balance] for r in st.rows]
    return Report(
        title="Statement of account",
        subtitle=f"{st.party.name} ({st.party.number}) · {st.start:%m/%d/%Y} to {st.end:%m/%d/%Y}",
        columns=[
            Column("Date", "date", 12),
            Column("Document", width=16),
            Column("Description", width=44),
            Column("Charges", "money", 14),
            Column("Payments and credits", "money", 14),
            Column("Balance", "money", 14),
        ],
        rows=rows,
        totals=[st.end, "", "Closing balance", st.total_charges, st.total_credits, st.closing],
        filename=f"statement-{st.party.number}-{st.end:%Y%m%d}",
        sheet_name="Statement",
    )


def nice_ceiling(value: Decimal) -> Decimal:
    """The round number a chart's axis ends at: 1, 2, 2.5 or 5 times a power of ten, at least value."""
    if value <= 0:
        return Decimal("100")
    power = Decimal(10) ** (len(str(int(value))) - 1)
    for step in (1, 2, Decimal("2.5"), 5, 10):
        if value <= power * step:
            return power * step
    return power * 10


def collections_chart(stats: CollectionStatistics, *, width: int = 720, height: int = 220) -> dict:
    """Geometry of an inline SVG bar chart (no script): two bars a month, this year and last."""
    left, bottom, top = 64, 24, 10
    plot_h = height - bottom - top
    peak = nice_ceiling(max([*stats.month_this, *stats.month_last, ZERO]))
    slot = (width - left - 8) / 12
    bar = slot * 0.36

    def h(v: Decimal) -> float:
        return round(float(max(v, ZERO) / peak) * plot_h, 1)

    bars = []
    for i, m in enumerate(stats.months):
        x = left + i * slot + slot * 0.12
        for j, (value, css) in enumerate(((stats.month_last[i], "last"), (stats.month_this[i], "this"))):
            bh = h(value)
            bars.append(
                {
                    "x": round(x + j * bar, 1),
                    "y": round(top + plot_h - bh, 1),
                    "w": round(bar, 1),
                    "h": bh,
                    "css": css,
                    "value": value,
                    "month": m,
                }
            )
    ticks = [
        {"y": round(top + plot_h - plot_h * k / 4, 1), "value": (peak * k / 4).quantize(Decimal("1"))}
        for k in range(5)
    ]
    labels = [{"x": round(left + i * slot + slot / 2, 1), "month": m} for i, m in enumerate(stats.months)]
    return {
        "width": width,
        "height": height,
        "left": left,
        "base": top + plot_h,
        "bars": bars,
        "ticks": ticks,
        "labels": labels,
        "label_y": height - 6,
    }
