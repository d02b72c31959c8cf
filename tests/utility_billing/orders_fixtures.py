"""A small utility of its own for the service-order tests: the policy, water and sewer, a rate
class, a cycle, two meter sizes, the fee table, a premise with an installed meter and a customer.
(Imported by the test modules, not a conftest: the other parts have fixtures of their own.)"""

import datetime
from decimal import Decimal

import pytest

from revenue import services as core
from utility_billing import services as ub
from utility_billing.models import BillingCycle, MeterSize, RateClass, Service, UtilityFee, UtilityPolicy

SINCE = datetime.date(2024, 1, 1)
FEES = [
    # kind, size code (None: any size), amount
    ("establish", None, "35.00"),
    ("connection", '5/8"', "1200.00"),
    ("connection", '1"', "2000.00"),
    ("capacity", None, "800.00"),
    ("meter_install", None, "300.00"),
    ("sewer_connection", None, "1500.00"),
    ("sewer_capacity", None, "0.00"),  # the city charges none: not charged
    ("meter_test", None, "40.00"),
    ("reconnect", None, "50.00"),
    ("after_hours", None, "100.00"),
]


def utility_setup(accounts, admin_user) -> dict:
    """The set-up itself (also called by the browser test, which has no access to this conftest)."""
    UtilityPolicy.objects.create(
        effective_from=SINCE,
        receivable_account=accounts["501-1210"],
        deposit_account=accounts["501-2300"],
        fee_revenue_account=accounts["501-4320"],
        created_by=admin_user,
    )
    Service.objects.create(code="water", name="Water", kind="water", revenue_account=accounts["501-4310"])
    Service.objects.create(code="sewer", name="Sewer", kind="sewer", revenue_account=accounts["502-4410"])
    sizes = {code: MeterSize.objects.create(code=code, sort_order=i) for i, code in enumerate(['5/8"', '1"'])}
    for kind, size, amount in FEES:
        UtilityFee.objects.create(
            kind=kind, meter_size=sizes.get(size), amount=Decimal(amount), effective_from=SINCE,
            created_by=admin_user,
        )  # fmt: skip
    return {
        "class": RateClass.objects.create(code="res", name="Residential"),
        "commercial": RateClass.objects.create(code="com", name="Commercial"),
        "cycle": BillingCycle.objects.create(code="c1", name="Cycle 1"),
        "cycle2": BillingCycle.objects.create(code="c2", name="Cycle 2", months_per_period=2),
        "sizes": sizes,
    }


@pytest.fixture
def utility(accounts, admin_user):
    return utility_setup(accounts, admin_user)


def premise_setup(utility, admin_user, address="12 Cypress Ln", route="R1", meter_serial="M100", read=1000):
    premise = ub.premise_create(
        acting_user=admin_user, address_line1=address, city="Alder Bay", route=route,
        cycle=utility["cycle"], rate_class=utility["class"],
    )  # fmt: skip
    if meter_serial:
        meter = ub.meter_add(serial=meter_serial, size=utility["sizes"]['5/8"'], acting_user=admin_user)
        ub.meter_install(meter=meter, premise=premise, on=SINCE, read=read, acting_user=admin_user)
    return premise


@pytest.fixture
def make_premise(utility, admin_user):
    def make(**kw):
        return premise_setup(utility, admin_user, **kw)

    return make


@pytest.fixture
def premise(make_premise):
    return make_premise()


@pytest.fixture
def pay(admin_user, undeposited):
    """Pay charges in full at the counter (cash)."""

    def pay(party, charges):
        total = sum((c.balance for c in charges), Decimal(0))
        return core.payment_post(
            party=party, amount=total, applications=[(c, c.balance) for c in charges], acting_user=admin_user,
            debit_account=undeposited,
        )  # fmt: skip

    return pay


def walk(order, *, clerk, crew, on=None):
    """Schedule the order for today and give it to the crew member."""
    on = on or core.city_today()
    order = ub.order_schedule(order=order, on=on, acting_user=clerk)
    return ub.order_assign(order=order, to=crew, acting_user=clerk)
