"""The counter's reports, each a core `Report` (columns defined once, for every format)."""

from __future__ import annotations

import datetime

from revenue.documents import Column
from revenue.models import ZERO
from revenue.reporting import Report

from .selectors import TENDER_GROUPS, counted_totals, day_mail_exceptions


def day_reconciliation(day: datetime.date, sessions: list) -> Report:
    """The daily cash reconciliation: each drawer's receipts and voids, and per tender group what
    it should hold, what was counted and the over/short; totals over the closed sessions."""
    columns = [
        Column("Drawer", width=8),
        Column("Clerk", width=18),
        Column("Status", width=14),
        Column("Receipts", "int", 9),
        Column("Voids", "int", 7),
    ]
    for k in TENDER_GROUPS:
        columns += [
            Column(f"{k.title()} expected", "money", 14),
            Column(f"{k.title()} counted", "money", 14),
            Column(f"{k.title()} over/short", "money", 14),
        ]
    columns.append(Column("Signed off by", width=16))
    rows = []
    for s in sessions:
        row = [
            s.drawer.code,
            s.clerk.get_full_name() or s.clerk.username,
            s.get_status_display(),
            s.receipt_count,
            s.void_count,
        ]
        diffs = s.over_short()
        for k in TENDER_GROUPS:
            row += [getattr(s, f"expected_{k}"), getattr(s, f"counted_{k}"), diffs.get(k)]
        row.append(s.signed_off_by.username if s.signed_off_by else "")
        rows.append(row)
    counted = counted_totals(sessions)
    closed = [s for s in sessions if s.counted_cash is not None]
    totals = ["Total", "", "", sum(s.receipt_count for s in sessions), sum(s.void_count for s in sessions)]
    for k in TENDER_GROUPS:
        totals += [
            sum((getattr(s, f"expected_{k}") for s in closed), ZERO),
            counted[k],
            sum((s.over_short()[k] for s in closed), ZERO),
        ]
    totals.append("")
    return Report(
        "Daily cash reconciliation",
        columns=columns,
        rows=rows,
        totals=totals,
        subtitle=f"{day:%m/%d/%Y}",
        filename=f"day-{day:%Y-%m-%d}",
        sheet_name="Day",
    )


def day_exceptions(day: datetime.date) -> Report:
    """The day's mail payment exceptions: overage to credit, suspense, returned, suspense resolved."""
    rows = day_mail_exceptions(day)
    return Report(
        "Mail payment exceptions",
        columns=[
            Column("Exception", width=20),
            Column("Batch / item", width=16),
            Column("Check", width=10),
            Column("Name on check", width=22),
            Column("Payer", width=22),
            Column("Amount", "money", 12),
            Column("Receipt / item", width=16),
            Column("Note", width=36),
        ],
        rows=rows,
        totals=["Total", "", "", "", "", sum((r[5] for r in rows), ZERO), "", ""] if rows else None,
        subtitle=f"{day:%m/%d/%Y}",
        filename=f"day-exceptions-{day:%Y-%m-%d}",
        sheet_name="Exceptions",
    )
