"""Parking's reports, each a core `Report` whose columns are defined here once for the page, the
.xlsx and any later format: citations by month and violation, permits issued by month and type,
and the tag inventory's reconciliation."""

from __future__ import annotations

import datetime
from collections import defaultdict

from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from revenue import services as core
from revenue.documents import Column
from revenue.models import Charge
from revenue.money import ZERO
from revenue.reporting import Report

from . import selectors
from .models import Citation, Permit, by_code

# --------------------------------------------------------------------------- citations


def citation_figures(start: datetime.date, end: datetime.date) -> list[dict]:
    """Citations issued in [start, end] by month and violation: issued (count, amount), paid,
    dismissed, on a plan, and outstanding (open) with what is still owed."""
    qs = (
        Citation.objects.filter(issued_on__range=(start, end))
        .annotate(month=TruncMonth("issued_on"))
        .values("month", "violation__code", "violation__description")
        .annotate(
            issued=Count("id"),
            amount=Sum("fine"),
            paid=Count("id", filter=Q(status=Citation.Status.PAID)),
            dismissed=Count("id", filter=Q(status=Citation.Status.DISMISSED)),
            in_plan=Count("id", filter=Q(status=Citation.Status.IN_PLAN)),
            outstanding=Count("id", filter=Q(status=Citation.Status.OPEN)),
        )
        .order_by("month", by_code("violation__code"))  # codes by their number
    )
    owed = {
        row["source_id"]: row["balance"]
        for row in Charge.objects.filter(
            source_type__app_label="parking",
            source_type__model="citation",
            source_id__in=Citation.objects.filter(
                issued_on__range=(start, end), status=Citation.Status.OPEN
            ).values("pk"),
        )
        .with_balance()
        .values("source_id")
        .annotate(balance=Sum("open_balance"))
    }
    owed_by_key = defaultdict(lambda: ZERO)
    for pk, month, code in (
        Citation.objects.filter(pk__in=list(owed))
        .annotate(month=TruncMonth("issued_on"))
        .values_list("pk", "month", "violation__code")
    ):
        owed_by_key[(month, code)] += owed[pk]
    return [{**r, "owed": owed_by_key[(r["month"], r["violation__code"])]} for r in qs]


CITATION_KEYS = ("issued", "amount", "paid", "dismissed", "in_plan", "outstanding", "owed")


def citation_report(start: datetime.date, end: datetime.date) -> Report:
    rows = citation_figures(start, end)
    totals = [sum((r[k] or 0 for r in rows), 0) for k in CITATION_KEYS]
    return Report(
        title="Parking citations by month and violation",
        subtitle=f"Issued {start:%m/%d/%Y} to {end:%m/%d/%Y}; status as of {core.city_today():%m/%d/%Y}",
        columns=[
            Column("Month", "text", 10),
            Column("Violation", "text", 12),
            Column("Description", "text", 32),
            Column("Issued", "int", 9),
            Column("Fines issued", "money", 14),
            Column("Paid", "int", 8),
            Column("Dismissed", "int", 10),
            Column("On a plan", "int", 10),
            Column("Outstanding", "int", 12),
            Column("Still owed", "money", 14),
        ],
        rows=[
            [r["month"].strftime("%Y-%m"), r["violation__code"], r["violation__description"]]
            + [r[k] for k in CITATION_KEYS]
            for r in rows
        ],
        totals=["Total", "", "", *totals],
        filename=f"parking-citations-{start:%Y%m%d}-{end:%Y%m%d}",
        sheet_name="Citations",
    )


# --------------------------------------------------------------------------- permits


def permits_issued(start: datetime.date, end: datetime.date) -> list[dict]:
    """Permits issued in a date range (city time), by month and type: new, renewals,
    replacements, and the fees."""
    tz = timezone.get_current_timezone()
    low = datetime.datetime.combine(start, datetime.time.min, tzinfo=tz)
    high = datetime.datetime.combine(end + datetime.timedelta(days=1), datetime.time.min, tzinfo=tz)
    return list(
        Permit.objects.filter(issued_at__gte=low, issued_at__lt=high)
        .annotate(month=TruncMonth("issued_at", tzinfo=tz))
        .values("month", "permit_type__code", "permit_type__name")
        .annotate(
            new=Count("pk", filter=Q(kind=Permit.Kind.NEW)),
            renewals=Count("pk", filter=Q(kind=Permit.Kind.RENEWAL)),
            replacements=Count("pk", filter=Q(kind=Permit.Kind.REPLACEMENT)),
            total=Count("pk"),
            fees=Sum("fee"),
        )
        .order_by("month", "permit_type__name")
    )


PERMIT_KEYS = ("new", "renewals", "replacements", "total", "fees")


def permit_report(start: datetime.date, end: datetime.date) -> Report:
    rows = permits_issued(start, end)
    return Report(
        title="Parking permits issued",
        subtitle=f"{start:%m/%d/%Y} to {end:%m/%d/%Y}, by month of issue and permit type",
        columns=[
            Column("Month", width=12),
            Column("Permit type", width=26),
            Column("New", "int", 9),
            Column("Renewals", "int", 10),
            Column("Replacements", "int", 13),
            Column("Issued", "int", 10),
            Column("Fees", "money", 14),
        ],
        rows=[[f"{r['month']:%Y-%m}", r["permit_type__name"]] + [r[k] for k in PERMIT_KEYS] for r in rows],
        totals=["Total", "", *(sum((r[k] for r in rows), 0) for k in PERMIT_KEYS[:-1])]
        + [sum((r["fees"] for r in rows), ZERO)],
        filename=f"permits-issued-{start:%Y%m%d}-{end:%Y%m%d}",
        sheet_name="Permits issued",
        notes=["Permits whose payment was later reversed are not counted."],
    )


# --------------------------------------------------------------------------- tag inventory


def _inventory_line(name: str, prefix: str, counts: dict, expected: int) -> list:
    return [
        name,
        prefix,
        *(counts[f] for f in ("received", "issued", "returned", "void", "lost", "stolen", "in_stock")),
        expected,
        "yes" if expected == counts["in_stock"] else "NO",
    ]


def inventory_report() -> Report:
    rows = selectors.inventory()
    today = core.city_today()
    return Report(
        title="Permit tag inventory",
        subtitle=f"As of {today:%m/%d/%Y}",
        columns=[
            Column("Permit type", width=26),
            Column("Prefix", width=8),
            Column("Received", "int", 11),
            Column("Issued", "int", 10),
            Column("Returned", "int", 10),
            Column("Void", "int", 10),
            Column("Lost", "int", 10),
            Column("Stolen", "int", 10),
            Column("On hand (counted)", "int", 16),
            Column("Received less out", "int", 16),
            Column("Reconciles", width=11),
        ],
        rows=[
            _inventory_line(
                r.permit_type.name,
                r.permit_type.serial_prefix,
                {f: getattr(r, f) for f in selectors.INVENTORY_FIELDS},
                r.expected_on_hand,
            )
            for r in rows
        ],
        totals=_inventory_line(
            "Total", "", selectors.inventory_totals(rows), sum(r.expected_on_hand for r in rows)
        ),
        filename=f"permit-inventory-{today:%Y-%m-%d}",
        sheet_name="Inventory",
    )
