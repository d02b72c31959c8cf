"""The demo city's payables: departments, payment terms, the policy (2 % or $5.00 a unit over
the order's price, the W-9 rule holds), approval limits, vendors, this year's budget, and
requisitions and orders in each state, all through the services."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.contrib.auth.models import Group

from revenue import roles
from revenue import services as core
from revenue.models import Account

from . import services
from .models import ApprovalLimit, Budget, Department, PayablesPolicy, PaymentTerms, PurchaseOrder

DEPARTMENTS = [("public-works", "Public Works"), ("parks", "Parks and Recreation"), ("finance", "Finance"),
               ("water", "Water Utility")]  # fmt: skip
TERMS = [
    # code, name, discount %, discount days, net days
    ("net-30", "Net 30", "0", 0, 30),
    ("2-10-net-30", "2/10 net 30", "2.00", 10, 30),
    ("1-15-net-45", "1/15 net 45", "1.00", 15, 45),
    ("due-on-receipt", "Due on receipt", "0", 0, 0),
]
BUDGET = [
    # account, department, adopted
    ("100-5110", "public-works", "85000.00"),
    ("100-5120", "public-works", "240000.00"),
    ("100-5130", "public-works", "30000.00"),
    ("100-5210", "parks", "42000.00"),
    ("100-5220", "parks", "96000.00"),
    ("100-5310", "finance", "12000.00"),
    ("100-5320", "finance", "65000.00"),
    ("501-5110", "water", "180000.00"),
    ("501-5120", "water", "120000.00"),
]
LIMITS = [(roles.ASR_II, "5000.00"), (roles.SUPERVISOR, "100000.00")]


def load_payables(*, acting_user, since=datetime.date(2024, 7, 1)) -> PayablesPolicy:
    for code, name in DEPARTMENTS:
        Department.objects.create(code=code, name=name)
    for code, name, pct, days, net in TERMS:
        PaymentTerms.objects.create(
            code=code, name=name, discount_percent=Decimal(pct), discount_days=days, net_days=net
        )
    for role, amount in LIMITS:
        ApprovalLimit.objects.create(role=Group.objects.get(name=role), document="requisition", effective_from=since,
                                     max_amount=Decimal(amount), created_by=acting_user)  # fmt: skip
    return PayablesPolicy.objects.create(
        effective_from=since,
        payable_account=Account.objects.get(number="100-2010"),
        cash_account=Account.objects.get(number="100-1010"),
        discount_account=Account.objects.get(number="100-4960"),
        price_tolerance_percent=Decimal("2.00"),
        price_tolerance_amount=Decimal("5.00"),
        total_tolerance_amount=Decimal("1.00"),
        w9_rule=PayablesPolicy.W9Rule.HOLD,
        bank_routing="121000358",
        bank_account_number="000123456789",
        ach_company_id="1946000123",
        ach_company_name="ALDER BAY CITY",
        created_by=acting_user,
    )


VENDORS = [
    # name, terms, method, routing, account, 1099 box, status, reason
    ("Coastline Supply Co.", "2-10-net-30", "check", "", "", "", "active", ""),
    ("Bayview Landscaping Inc.", "net-30", "ach", "121000358", "4400917725", "NEC-1", "active", ""),
    ("Harbor Chemical Distributors", "1-15-net-45", "ach", "011000015", "99001234", "", "active", ""),
    ("Redwood Office Products", "net-30", "check", "", "", "", "hold", "Disputed statement balance, March"),
    ("Old Mill Hardware", "net-30", "check", "", "", "", "inactive", ""),
]


def load_demo_payables(*, users) -> dict:
    clerk, senior, supervisor = users["clerk1"], users["clerk2"], users["supervisor"]
    today = core.city_today()
    fy = core.fiscal_year_of(today)
    start = core.fiscal_year_bounds(fy)[0]
    accounts = {a.number: a for a in Account.objects.filter(number__in=[b[0] for b in BUDGET])}
    departments = {d.code: d for d in Department.objects.all()}
    for number, dept, amount in BUDGET:
        services.budget_adopt(fiscal_year=fy, account=accounts[number], department=departments[dept], amount=amount,
                              adopted_on=start, acting_user=supervisor)  # fmt: skip
    vendors = _load_vendors(senior=senior, since=start)
    amendment = services.amendment_request(budget=Budget.objects.get(fiscal_year=fy, account=accounts["100-5220"]),
                                           amount="12000.00", reason="Council resolution 2026-41: storm clean-up",
                                           acting_user=supervisor)  # fmt: skip
    services.amendment_decide(amendment=amendment, approve=True, acting_user=users["supervisor2"])
    day = max(start, today - datetime.timedelta(days=20))
    coastline, bayview = vendors["Coastline Supply Co."], vendors["Bayview Landscaping Inc."]

    def requisition(dept, vendor, lines, approve=True, approver=senior):
        req = services.requisition_create(department=departments[dept], vendor=vendor, acting_user=clerk,
                                          lines=[{**ln, "account": accounts[ln["account"]]} for ln in lines],
                                          justification="Demo")  # fmt: skip
        if approve:
            services.requisition_decide(requisition=req, approve=True, acting_user=approver)
        return req

    # an order half received: three-way match will bill against the 40 bags received
    req = requisition("public-works", coastline, [
        {"description": "Asphalt cold patch, 50 lb bag", "quantity": "80", "unit": "bag", "unit_price": "18.50", "account": "100-5110"},
        {"description": "Traffic cones, 28 in.", "quantity": "24", "unit": "each", "unit_price": "21.75", "account": "100-5110"},
    ])  # fmt: skip
    po1 = services.order_issue(requisition=req, vendor=coastline, acting_user=senior, order_date=day)
    lines = list(po1.lines.order_by("line_no"))
    services.receipt_record(order=po1, lines={lines[0].pk: "40", lines[1].pk: "24"}, received_by="R. Diaz, corp yard",
                            received_on=day, acting_user=users["field"])  # fmt: skip
    # a service contract received by amount
    req = requisition("parks", bayview, [
        {"description": "Monthly park maintenance, Marina Park", "quantity": "3", "unit": "month", "unit_price": "2400.00", "account": "100-5220"},
    ], approver=supervisor)  # fmt: skip
    services.order_issue(requisition=req, vendor=bayview, acting_user=senior, order_date=day)
    # an order closed short: what it still held was released
    req = requisition("finance", coastline, [
        {"description": "Copy paper, case", "quantity": "30", "unit": "case", "unit_price": "42.00", "account": "100-5310"},
    ])  # fmt: skip
    po3 = services.order_issue(requisition=req, vendor=coastline, acting_user=senior, order_date=day)
    services.receipt_record(order=po3, lines={po3.lines.get().pk: "20"}, received_by="Front desk", received_on=day,
                            acting_user=clerk)  # fmt: skip
    services.order_close(order=po3, reason="Vendor discontinued the item", acting_user=senior)
    # one waiting for a supervisor (above the senior clerk's limit) and one denied
    requisition("water", vendors["Harbor Chemical Distributors"], [
        {"description": "Sodium hypochlorite 12.5 %, tote", "quantity": "6", "unit": "tote", "unit_price": "1450.00", "account": "501-5110"},
    ], approve=False)  # fmt: skip
    denied = requisition("parks", None, [
        {"description": "Bench, recycled plastic", "quantity": "2", "unit": "each", "unit_price": "890.00", "account": "100-5210"},
    ], approve=False)  # fmt: skip
    services.requisition_decide(
        requisition=denied, approve=False, note="Not in this year's plan", acting_user=senior
    )
    return {"vendors": vendors, "orders": list(PurchaseOrder.objects.order_by("pk"))}


def _load_vendors(*, senior, since) -> dict:
    vendors = {}
    for i, (name, terms, method, routing, account, box, status, reason) in enumerate(VENDORS):
        vendor = services.vendor_create(
            acting_user=senior,
            party_data={"name": name, "address_line1": f"{200 + i * 41} Harbor Blvd", "city": "Alder Bay",
                        "state": "CA", "postal_code": "95000", "email": f"ap{i}@vendor.example.com",
                        "phone": f"(555) 010-{3000 + i * 11:04d}"},
            terms=PaymentTerms.objects.get(code=terms), payment_method=method, bank_routing=routing,
            bank_account=account, w9_on_file=since, is_1099=bool(box), box_1099=box,
            contact_name="Accounts receivable",
        )  # fmt: skip
        if status != "active":
            services.vendor_status_set(vendor=vendor, status=status, reason=reason, acting_user=senior)
        vendors[name] = vendor
    return vendors
