"""What the invoice audit's tests stand on: accounts, terms, the policy, a vendor, an order with
its encumbrance, receipts and returns. Fixed amounts; import the fixtures into a test module."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from payables import models as pm
from payables.services import invoice_entry
from revenue import services as core
from revenue.models import Account

D = Decimal


@pytest.fixture
def pay_accounts(accounts):
    expense, _ = Account.objects.get_or_create(
        number="100-6110",
        defaults={
            "name": "Operating supplies",
            "type": Account.Type.EXPENSE,
            "fund": accounts["100-1010"].fund,
        },
    )
    repairs, _ = Account.objects.get_or_create(
        number="100-6120",
        defaults={"name": "Repairs", "type": Account.Type.EXPENSE, "fund": accounts["100-1010"].fund},
    )
    return {
        "payable": accounts["100-2010"],
        "cash": accounts["100-1010"],
        "supplies": expense,
        "repairs": repairs,
    }


@pytest.fixture
def audit_terms(db):
    return {
        "2/10 net 30": pm.PaymentTerms.objects.create(
            code="2-10-net-30", name="2/10 net 30", discount_percent=D("2"), discount_days=10, net_days=30
        ),
        "net 30": pm.PaymentTerms.objects.create(code="net-30", name="net 30", net_days=30),
    }


@pytest.fixture
def audit_policy(pay_accounts, admin_user):
    return pm.PayablesPolicy.objects.create(
        effective_from=datetime.date(2020, 7, 1),
        payable_account=pay_accounts["payable"],
        cash_account=pay_accounts["cash"],
        discount_account=pay_accounts["supplies"],
        default_match="three_way",
        price_tolerance_percent=D("5"),
        price_tolerance_amount=D("25.00"),
        quantity_tolerance_percent=D("0"),
        total_tolerance_amount=D("20.00"),
        w9_rule="warn",
        created_by=admin_user,
    )


@pytest.fixture
def audit_department(db):
    return pm.Department.objects.create(code="pw", name="Public Works")


@pytest.fixture
def audit_vendor(admin_user, audit_terms):
    party = core.party_create(
        acting_user=admin_user,
        kind="business",
        name="Acme Paving Supply Inc",
        address_line1="12 Quarry Rd",
        city="Alder Bay",
        state="CA",
        postal_code="95002",
    )
    return pm.Vendor.objects.create(
        party=party,
        terms=audit_terms["2/10 net 30"],
        contact_name="Dana Lee",
        contact_email="ar@acme.example",
        w9_on_file=datetime.date(2024, 1, 5),
        created_by=admin_user,
    )


def make_order(*, vendor, department, terms, lines, match="three_way", user, number="PO2027-000001"):
    """An open order with its lines (description, quantity, unit price, account[, by amount])
    and the encumbrance of each line."""
    order = pm.PurchaseOrder.objects.create(
        number=number,
        vendor=vendor,
        department=department,
        order_date=core.city_today() - datetime.timedelta(days=30),
        terms=terms,
        match=match,
        created_by=user,
    )
    total = D(0)
    for n, (description, qty, price, account, *rest) in enumerate(lines, start=1):
        by_amount = bool(rest and rest[0])
        amount = (D(qty) * D(price)).quantize(D("0.01"))
        line = pm.PurchaseOrderLine.objects.create(
            order=order,
            line_no=n,
            description=description,
            quantity=D(qty),
            unit_price=D(price),
            amount=amount,
            account=account,
            receive_by="amount" if by_amount else "quantity",
        )
        pm.Encumbrance.objects.create(
            po_line=line,
            account=account,
            fiscal_year=core.fiscal_year_of(order.order_date),
            entry_date=order.order_date,
            kind="encumber",
            amount=amount,
            created_by=user,
        )
        total += amount
    order.total = total
    order.save(update_fields=["total"])
    return order


_receipts = {"n": 0}


def receive(order, quantities: dict[int, str], *, user, kind="receipt", amounts=None):
    """Record a receipt (or a return: negative quantities) of order lines by line number."""
    _receipts["n"] += 1
    receipt = pm.Receipt.objects.create(
        number=f"RC2027-{_receipts['n']:06d}",
        order=order,
        kind=kind,
        received_on=core.city_today() - datetime.timedelta(days=5),
        received_by="Warehouse",
        created_by=user,
    )
    for line_no, qty in quantities.items():
        line = order.lines.get(line_no=line_no)
        quantity = D(qty)
        amount = D((amounts or {}).get(line_no) or (quantity * line.unit_price).quantize(D("0.01")))
        pm.ReceiptLine.objects.create(receipt=receipt, po_line=line, quantity=quantity, amount=amount)
    return receipt


def bill(order, rows: dict[int, tuple], *, user, number="INV-1001", freight="0", tax="0", total=None, **kw):
    """Enter an invoice on the order: {line_no: (quantity, unit price[, amount])}."""
    lines = []
    subtotal = D(0)
    for line_no, row in rows.items():
        po_line = order.lines.get(line_no=line_no)
        qty, price, *amount = row
        amount = D(amount[0]) if amount else (D(qty) * D(price)).quantize(D("0.01"))
        subtotal += amount
        lines.append(
            invoice_entry.NewLine(
                description=po_line.description,
                quantity=qty,
                unit_price=price,
                amount=amount,
                po_line=po_line,
            )
        )
    today = core.city_today()
    return invoice_entry.invoice_enter(
        vendor=order.vendor,
        order=order,
        number=number,
        invoice_date=kw.pop("invoice_date", today - datetime.timedelta(days=3)),
        received_on=kw.pop("received_on", today),
        lines=lines,
        freight=freight,
        tax=tax,
        total=total if total is not None else subtotal + D(freight) + D(tax),
        acting_user=user,
        **kw,
    )
