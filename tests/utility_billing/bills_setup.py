"""A small utility for the bill-run tests, made through the models and the core (the demo city
is ub-deposits'): the utility fund's accounts, water and sewer, one cycle, a policy, and accounts
at premises. Bills are stored with `store_bills` from calculations written out here in the rate
engine's contract shape (lines, usage, estimated, exceptions, total), so that the runs' own work
(storage, register, posting, take-back, PDFs) is tested whatever the engine's rates are."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from revenue import services as core
from utility_billing.models import (
    BillingCycle,
    MeterSize,
    Premise,
    RateClass,
    Service,
    ServiceAccount,
    UtilityPolicy,
)

D = Decimal
PERIOD = (datetime.date(2026, 10, 1), datetime.date(2026, 10, 31))
BILL_DATE = datetime.date(2026, 11, 3)


@dataclass
class Line:
    service: Service
    description: str
    quantity: Decimal
    rate: Decimal
    amount: Decimal
    sort_order: int = 0
    schedule: object = None


@dataclass
class Calc:
    lines: list[Line]
    usage: Decimal = D(0)
    estimated: bool = False
    exceptions: list[str] = field(default_factory=list)

    @property
    def total(self) -> Decimal:
        return sum((ln.amount for ln in self.lines), D(0))


@dataclass
class Utility:
    water: Service
    sewer: Service
    cycle: BillingCycle
    rate_class: RateClass
    size: MeterSize
    policy: UtilityPolicy
    accounts: list[ServiceAccount]

    def calc(self, water: str, sewer: str = "0", usage: str = "10", **kw) -> Calc:
        lines = [
            Line(self.water, "Water usage", D(usage), D("3.50"), D(water), 1),
            Line(self.sewer, "Sewer service", D(usage), D("2.00"), D(sewer), 2),
        ]
        return Calc(lines=[ln for ln in lines if ln.amount], usage=D(usage), **kw)


def make_utility(*, accounts, acting_user, count: int = 3, emails: bool = False) -> Utility:
    water = Service.objects.create(
        code="water", name="Water", kind="water", revenue_account=accounts["501-4310"], sort_order=1
    )
    sewer = Service.objects.create(
        code="sewer", name="Sewer", kind="sewer", revenue_account=accounts["502-4410"], sort_order=2
    )
    cycle = BillingCycle.objects.create(code="c1", name="Cycle 1")
    rate_class = RateClass.objects.create(code="res", name="Residential")
    size = MeterSize.objects.create(code='5/8"')
    policy = UtilityPolicy.objects.create(
        effective_from=datetime.date(2020, 1, 1),
        receivable_account=accounts["501-1210"],
        deposit_account=accounts["501-2300"],
        fee_revenue_account=accounts["501-4320"],
        due_days=21,
        created_by=acting_user,
    )
    made = []
    for i in range(count):
        party = core.party_create(
            acting_user=acting_user,
            kind="person",
            name=f"Customer {i + 1}",
            address_line1=f"{100 + i} Elm St",
            city="Alder Bay",
            state="CA",
            postal_code="95000",
            email=f"customer{i + 1}@example.com" if emails else "",
        )
        premise = Premise.objects.create(
            number=f"P{i + 1:06d}", address_line1=f"{100 + i} Elm St", city="Alder Bay", route="R1",
            route_sequence=i, cycle=cycle, rate_class=rate_class, created_by=acting_user,
        )  # fmt: skip
        made.append(
            ServiceAccount.objects.create(
                number=f"U{i + 1:06d}",
                party=party,
                premise=premise,
                status="active",
                move_in=datetime.date(2025, 1, 1),
                bill_by_email=emails,
                created_by=acting_user,
            )  # fmt: skip
        )
    return Utility(water, sewer, cycle, rate_class, size, policy, made)
