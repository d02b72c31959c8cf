"""Payables' fixtures: the demo city's chart of accounts and payables set-up (departments,
terms, the policy, approval limits), a vendor, this year's budget, and an order issued through
the services from an approved requisition."""

import datetime

import pytest

from payables import services
from payables.demo import load_payables
from payables.models import Department, PaymentTerms, Vendor
from revenue import services as core


@pytest.fixture
def payables_setup(accounts, admin_user, role_groups):
    return load_payables(acting_user=admin_user)


@pytest.fixture
def department(payables_setup):
    return Department.objects.get(code="public-works")


@pytest.fixture
def vendor(payables_setup, senior_clerk):
    return services.vendor_create(
        acting_user=senior_clerk,
        party_data={"name": "Coastline Supply Co.", "address_line1": "1 Wharf St", "city": "Alder Bay"},
        terms=PaymentTerms.objects.get(code="2-10-net-30"),
        payment_method=Vendor.Method.CHECK,
        w9_on_file=datetime.date(2024, 7, 1),
    )


@pytest.fixture
def fiscal_year():
    return core.fiscal_year_of(core.city_today())


@pytest.fixture
def budget(accounts, department, supervisor, fiscal_year):
    start = core.fiscal_year_bounds(fiscal_year)[0]
    return services.budget_adopt(fiscal_year=fiscal_year, account=accounts["100-5110"], department=department,
                                 amount="10000.00", adopted_on=start, acting_user=supervisor)  # fmt: skip


@pytest.fixture
def make_order(accounts, department, clerk, senior_clerk):
    """An order issued from a requisition approved by the senior clerk (within the limit)."""

    def make(vendor, lines=None, account="100-5110"):
        lines = lines or [
            {"description": "Cold patch, bag", "quantity": "80", "unit": "bag", "unit_price": "18.50"},
            {"description": "Traffic cone", "quantity": "24", "unit": "each", "unit_price": "21.75"},
        ]
        req = services.requisition_create(
            department=department, vendor=vendor, acting_user=clerk,
            lines=[{"account": accounts[account], **ln} for ln in lines],
        )  # fmt: skip
        services.requisition_decide(requisition=req, approve=True, acting_user=senior_clerk)
        return services.order_issue(requisition=req, vendor=vendor, acting_user=senior_clerk)

    return make
