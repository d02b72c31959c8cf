"""Collection's test data: a small utility (policy, services, accounts) and posted bills with
their charges made through the core's charge_assess, as the bill run posts them (a bill is each
charge's source and its number the charge's document number)."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.db import transaction

from cashiering import demo as counter_demo
from cashiering import services as cs
from cashiering.models import Drawer
from revenue import services as core
from utility_billing.models import (
    Bill,
    BillingCycle,
    BillLine,
    DelinquencyPolicy,
    Premise,
    RateClass,
    Service,
    ServiceAccount,
    UtilityFee,
    UtilityPolicy,
)

D = Decimal
FROM = datetime.date(2020, 1, 1)


@pytest.fixture
def utility(accounts, admin_user):
    """The utility's set-up: water and sewer, one class and cycle, the policies from 2020."""
    water = Service.objects.create(
        code="water", name="Water", kind="water", revenue_account=accounts["501-4310"]
    )
    sewer = Service.objects.create(
        code="sewer", name="Sewer", kind="sewer", revenue_account=accounts["502-4410"], sort_order=1
    )
    UtilityPolicy.objects.create(
        effective_from=FROM,
        receivable_account=accounts["501-1210"],
        deposit_account=accounts["501-2300"],
        fee_revenue_account=accounts["501-4320"],
        created_by=admin_user,
    )
    policy = DelinquencyPolicy.objects.create(
        effective_from=FROM,
        grace_days=10,
        late_fee_current_percent=D("10"),
        late_fee_past_due_percent=D("1"),
        late_fee_revenue_account=accounts["501-4320"],
        notice_after_days=30,
        shutoff_days=60,
        notice_business_days=7,
        reconnect_cap_business_hours=D("50"),
        reconnect_cap_after_hours=D("150"),
        created_by=admin_user,
    )
    for kind, amount in (("reconnect", "100.00"), ("after_hours", "150.00")):
        UtilityFee.objects.create(
            kind=kind, effective_from=FROM, amount=D(amount), revenue_account=accounts["501-4320"],
            created_by=admin_user,
        )  # fmt: skip
    return {
        "water": water,
        "sewer": sewer,
        "class": RateClass.objects.create(code="res", name="Residential"),
        "cycle": BillingCycle.objects.create(code="c1", name="Cycle 1"),
        "policy": policy,
    }


@pytest.fixture
def make_account(utility, admin_user):
    made = []

    def make(name="Nguyen, Thao", address="42 Willow Way", **fields) -> ServiceAccount:
        n = len(made) + 1
        party = core.party_create(
            acting_user=admin_user, kind="person", name=name, address_line1=address, city="Alder Bay", state="CA",
            postal_code="95000",
        )  # fmt: skip
        premise = Premise.objects.create(
            number=f"P9{n:05d}", address_line1=address, city="Alder Bay", route="R1", route_sequence=n,
            cycle=utility["cycle"], rate_class=utility["class"], created_by=admin_user,
        )  # fmt: skip
        account = ServiceAccount.objects.create(
            number=f"U9{n:05d}", party=party, premise=premise, status="active", move_in=FROM,
            created_by=admin_user, **fields,
        )  # fmt: skip
        made.append(account)
        return account

    return make


@pytest.fixture
def make_bill(utility, admin_user):
    """A posted bill of the account due on a day: a water and a sewer line, each a core charge."""

    def make(account, due_on: datetime.date, water="60.00", sewer="40.00") -> Bill:
        with transaction.atomic():
            bill_date = due_on - datetime.timedelta(days=21)
            bill = Bill.objects.create(
                number=core.number_next(kind="B", on=bill_date), account=account, status="posted",
                period_start=bill_date - datetime.timedelta(days=30), period_end=bill_date - datetime.timedelta(days=1),
                bill_date=bill_date, due_on=due_on, current_charges=D(water) + D(sewer),
            )  # fmt: skip
            receivable = core.policy_on(UtilityPolicy, bill_date).receivable_account
            for order, (service, amount) in enumerate(((utility["water"], water), (utility["sewer"], sewer))):
                charge = core.charge_assess(
                    party=account.party, amount=amount, description=f"{service.name} {bill.period_end:%m/%Y}",
                    receivable_account=receivable, revenue_account=service.revenue_account, acting_user=admin_user,
                    source=bill, source_number=bill.number, assessed_on=bill_date, due_on=due_on,
                )  # fmt: skip
                BillLine.objects.create(
                    bill=bill, service=service, description=charge.description, amount=amount, sort_order=order,
                    charge=charge,
                )  # fmt: skip
        return bill

    return make


@pytest.fixture
def counter(accounts, fees, admin_user):
    counter_demo.load_counter(acting_user=admin_user)
    return {d.code: d for d in Drawer.objects.all()}


@pytest.fixture
def open_session(counter, clerk):
    return cs.session_open(
        drawer=counter["D1"], clerk=clerk, opening_counts={"b20": 5, "b5": 8, "b1": 10, "c25": 40}
    )
