"""Bills as PDFs (WeasyPrint, through the core's render_pdf): one per account, and a run's bills
merged for the mail house in parts of BILLS_PER_PART. Each bill: the account number with its
barcode, the service address, previous balance, payments since, the current charges line by
line, a consumption chart of the last 13 periods (inline SVG drawn here, on the server), the due
date and a remittance stub whose barcode holds the account and bill numbers (bill_rules.stub_code)."""

from __future__ import annotations

from django.db.models import Prefetch

from revenue.documents import barcode_svg, render_pdf

from . import bill_selectors as selectors
from .bill_rules import BILLS_PER_PART, EXCEPTIONS, chart_bars, parts, stub_code
from .models import Bill, BillLine, BillRun

CHART_WIDTH, CHART_HEIGHT = 300, 80


def _mailing(bill: Bill) -> dict:
    """Where the bill goes: the account's mailing address when it has one, else the customer's."""
    a = bill.account
    if a.mail_line1:
        city = f"{a.mail_city}, {a.mail_state} {a.mail_postal_code}".strip(" ,")
        address = "\n".join(x for x in [a.mail_line1, a.mail_line2, city] if x)
        return {"to": None, "name": a.mail_name or a.party.name, "address": address}
    return {"to": a.party, "name": a.mail_name, "address": ""}


def bill_context(bill: Bill) -> dict:
    bars, top = chart_bars(selectors.consumption_history(bill), width=CHART_WIDTH, height=CHART_HEIGHT)
    return {
        "bill": bill,
        "lines": list(bill.lines.all()),
        "mailing": _mailing(bill),
        "account_barcode": barcode_svg(bill.account.number),
        "stub": stub_code(bill.account.number, bill.number),
        "stub_barcode": barcode_svg(stub_code(bill.account.number, bill.number)),
        "bars": bars,
        "chart_top": top,
        "chart_width": CHART_WIDTH,
        "chart_height": CHART_HEIGHT,
        "flags": [EXCEPTIONS[c] for c in bill.exceptions if c in EXCEPTIONS],
    }


def _bills():
    return Bill.objects.select_related("account__party", "account__premise", "run").prefetch_related(
        Prefetch("lines", queryset=BillLine.objects.order_by("sort_order", "pk"))
    )


def bill_pdf(bill: Bill, *, request=None) -> bytes:
    bill = _bills().get(pk=bill.pk)
    return render_pdf(
        "utility_billing/print/bills.html",
        {"bills": [bill_context(bill)], "title": bill.number},
        request=request,
    )


def run_parts(run: BillRun) -> int:
    return parts(run.bills.exclude(status=Bill.Status.TAKEN_BACK).count())


def run_bills_pdf(run: BillRun, part: int = 1, *, request=None) -> bytes:
    """One part of a run's bills for the mail house, in route order (the carrier's walk)."""
    bills = (
        _bills()
        .filter(run=run)
        .exclude(status=Bill.Status.TAKEN_BACK)
        .order_by("account__premise__route", "account__premise__route_sequence", "number")
    )[(part - 1) * BILLS_PER_PART : part * BILLS_PER_PART]
    return render_pdf(
        "utility_billing/print/bills.html",
        {"bills": [bill_context(b) for b in bills], "title": f"{run.number} part {part}"},
        request=request,
    )
