"""The demo city's vendor invoices, through the services: one matched and approved (posted, the
encumbrance relieved), one over the order's price and held pending the vendor's quote, one for a
service billed above the contract and disputed with a discrepancy letter."""

from __future__ import annotations

import datetime

from revenue import services as core

from .models import PurchaseOrder, Vendor
from .services import receipt_record
from .services.invoice_approval import invoice_approve
from .services.invoice_entry import NewLine, invoice_enter
from .services.invoice_exceptions import invoice_dispute, invoice_hold
from .services.invoice_match import invoice_match


def _lines(order, rows):
    by_no = {ln.line_no: ln for ln in order.lines.all()}
    return [
        NewLine(description=by_no[n].description, quantity=q, unit_price=p, po_line=by_no[n])
        for n, q, p in rows
    ]


def load_demo_invoices(*, users) -> dict:
    clerk, senior = users["clerk1"], users["clerk2"]
    today = core.city_today()
    coastline = Vendor.objects.get(party__name="Coastline Supply Co.")
    bayview = Vendor.objects.get(party__name="Bayview Landscaping Inc.")
    supplies = PurchaseOrder.objects.filter(vendor=coastline, status="open").order_by("pk").first()
    contract = PurchaseOrder.objects.filter(vendor=bayview, status="open").order_by("pk").first()
    dated = max(supplies.order_date, today - datetime.timedelta(days=10))

    approved = invoice_enter(
        vendor=coastline, order=supplies, number="CS-10417", invoice_date=dated, received_on=today,
        lines=_lines(supplies, [(1, "40", "18.50")]), freight="35.00", total="775.00", acting_user=clerk,
    )  # fmt: skip
    invoice_match(invoice=approved, acting_user=clerk)
    invoice_approve(invoice=approved, acting_user=senior)

    held = invoice_enter(
        vendor=coastline, order=supplies, number="CS-10452", invoice_date=dated, received_on=today,
        lines=_lines(supplies, [(2, "24", "22.50")]), total="540.00", acting_user=clerk,
    )  # fmt: skip
    invoice_match(invoice=held, acting_user=clerk)
    invoice_hold(invoice=held, reason="Asked Coastline for the quote behind $22.50 a cone",
                 follow_up_on=today + datetime.timedelta(days=7), acting_user=clerk)  # fmt: skip

    month = contract.lines.get(line_no=1)
    receipt_record(order=contract, lines={month.pk: "1"}, received_by="Parks superintendent",
                   received_on=dated, acting_user=users["field"])  # fmt: skip
    disputed = invoice_enter(
        vendor=bayview, order=contract, number="BL-7781", invoice_date=dated, received_on=today,
        lines=_lines(contract, [(1, "1", "2475.00")]), total="2475.00", acting_user=clerk,
    )  # fmt: skip
    invoice_match(invoice=disputed, acting_user=clerk)
    letter = invoice_dispute(
        invoice=disputed, respond_by=today + datetime.timedelta(days=14), acting_user=clerk
    )
    return {"approved": approved, "held": held, "disputed": disputed, "letter": letter}
