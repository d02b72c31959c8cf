"""A purchase order encumbers its lines, an approved invoice relieves what it bills, a change
moves the encumbrance, closing the order releases what is left; budget against actual reads
the encumbrance ledger and the core ledger, and agrees with the trial balance."""

from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from payables import services
from payables.errors import BadLine, WrongStatus
from payables.models import Encumbrance, Invoice, InvoiceLine
from payables.selectors.budget import budget_actual
from revenue import services as core
from tests.conftest import D, balance_of


def _approve_invoice(order, po_line, *, quantity, unit_price, accounts, clerk, supervisor):
    """What the invoice audit's approval does to the ledger and the encumbrance (the audit's own
    service is pay-audit's): Dr expense, Cr accounts payable, relieve the order line."""
    amount = (D(quantity) * D(unit_price)).quantize(D("0.01"))
    today = core.city_today()
    invoice = Invoice.objects.create(
        vendor=order.vendor, number=f"INV-{po_line.pk}-{quantity}", normalized_number=f"INV{po_line.pk}{quantity}".replace(".", ""),
        order=order, invoice_date=today, received_on=today, terms=order.terms, due_on=today, subtotal=amount,
        total=amount, status="approved", approved_by=supervisor, approved_at=timezone.now(),
        created_by=clerk,
    )  # fmt: skip
    InvoiceLine.objects.create(invoice=invoice, line_no=1, po_line=po_line, description=po_line.description,
                               quantity=D(quantity), unit_price=D(unit_price), amount=amount, account=po_line.account)  # fmt: skip
    core.journal_post(
        lines=[core.Line(account=po_line.account, debit=amount), core.Line(account=accounts["100-2010"], credit=amount)],
        memo=f"Invoice {invoice.number}", acting_user=supervisor, source=invoice,
    )  # fmt: skip
    relieved = services.encumbrance_relieve(invoice=invoice, acting_user=supervisor)
    return invoice, relieved


@pytest.mark.django_db
def test_an_order_encumbers_each_line_and_closing_releases_what_is_left(
    vendor, budget, make_order, senior_clerk
):
    order = make_order(vendor)
    assert order.total == D("1480.00") + D("522.00")
    assert services.order_open_encumbrance(order) == order.total
    rows = Encumbrance.objects.filter(po_line__order=order)
    assert sorted(r.amount for r in rows) == [D("522.00"), D("1480.00")]
    assert {r.kind for r in rows} == {"encumber"}
    report = budget_actual()
    line = next(ln for ln in report.lines if ln.account_number == "100-5110")
    assert (line.budget, line.encumbered, line.spent, line.available) == (
        D("10000.00"), D("2002.00"), D("0.00"), D("7998.00"))  # fmt: skip

    released = services.order_close(order=order, reason="Complete", acting_user=senior_clerk)
    assert released == D("2002.00")
    assert services.order_open_encumbrance(order) == 0
    order.refresh_from_db()
    assert order.status == "closed" and order.closed_by == senior_clerk
    with pytest.raises(WrongStatus):
        services.order_close(order=order, reason="again", acting_user=senior_clerk)


@pytest.mark.django_db
def test_an_invoice_relieves_what_it_bills_and_closing_releases_the_rest(
    vendor, budget, make_order, accounts, clerk, supervisor, senior_clerk
):
    order = make_order(vendor)
    cones = order.lines.get(line_no=2)
    patch = order.lines.get(line_no=1)
    _invoice, relieved = _approve_invoice(order, patch, quantity="50", unit_price="18.50", accounts=accounts,
                                          clerk=clerk, supervisor=supervisor)  # fmt: skip
    assert relieved == D("925.00")
    assert services.open_by_line([patch.pk, cones.pk]) == {patch.pk: D("555.00"), cones.pk: D("522.00")}
    # billing above what the line holds relieves only what it holds (the rest is spent, not relieved)
    _invoice, relieved = _approve_invoice(order, cones, quantity="25", unit_price="21.75", accounts=accounts,
                                          clerk=clerk, supervisor=supervisor)  # fmt: skip
    assert relieved == D("522.00")

    line = next(ln for ln in budget_actual().lines if ln.account_number == "100-5110")
    assert line.encumbered == D("555.00")
    assert line.spent == D("925.00") + D("543.75") == balance_of(accounts["100-5110"])
    assert line.available == D("10000.00") - D("555.00") - D("1468.75")

    assert services.order_close(order=order, reason="Rest not needed", acting_user=senior_clerk) == D(
        "555.00"
    )
    line = next(ln for ln in budget_actual().lines if ln.account_number == "100-5110")
    assert line.encumbered == 0 and line.spent == balance_of(accounts["100-5110"])


@pytest.mark.django_db
def test_a_change_moves_the_encumbrance_and_is_audited(vendor, budget, make_order, senior_clerk, field_crew):
    order = make_order(vendor)
    patch = order.lines.get(line_no=1)
    services.receipt_record(order=order, lines={patch.pk: "30"}, received_by="Yard", acting_user=field_crew)
    services.order_change(order=order, changes={patch.pk: {"quantity": "60"}}, reason="Less needed",
                          acting_user=senior_clerk)  # fmt: skip
    order.refresh_from_db()
    assert order.revision == 1 and order.total == D("1110.00") + D("522.00")
    assert services.order_open_encumbrance(order) == order.total
    change = Encumbrance.objects.get(po_line=patch, kind="change")
    assert change.amount == D("-370.00")
    trail = core.audit_trail(order).filter(action="payables.order_changed").get()
    assert trail.before == {
        "1": {"quantity": "80.000", "unit_price": "18.50", "description": "Cold patch, bag"}
    }
    assert trail.after["1"]["quantity"] == "60"
    with pytest.raises(BadLine, match="already received"):
        services.order_change(
            order=order, changes={patch.pk: {"quantity": "20"}}, reason="x", acting_user=senior_clerk
        )


@pytest.mark.django_db
def test_the_encumbrance_ledger_is_append_only(vendor, budget, make_order):
    make_order(vendor)
    row = Encumbrance.objects.first()
    with pytest.raises(IntegrityError), transaction.atomic():
        Encumbrance.objects.filter(pk=row.pk).update(amount=Decimal("1.00"))
    with pytest.raises(IntegrityError), transaction.atomic():
        Encumbrance.objects.filter(pk=row.pk).delete()
