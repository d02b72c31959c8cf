"""A small utility city for the rate tests: services, a rate class, a cycle, meter sizes, one
premise with an account and a meter, and helpers to add schedules and reads. Made with the ORM
because the premise and meter services are another part's (the demo city replaces this when it
is merged); the calculation under test reads these tables only."""

import datetime
from decimal import Decimal

from revenue import services as core
from revenue.models import Account
from utility_billing.models import (
    AccountService,
    BillingCycle,
    FixedCharge,
    Meter,
    MeterInstallation,
    MeterSize,
    Premise,
    RateBlock,
    RateClass,
    RateSchedule,
    Reading,
    RefuseRate,
    Service,
    ServiceAccount,
    Surcharge,
)

D = Decimal


def day(text: str) -> datetime.date:
    return datetime.date.fromisoformat(text)


class City:
    def __init__(self, user):
        self.user = user
        revenue = Account.objects.filter(type="revenue").first()
        self.water = Service.objects.create(
            code="water", name="Water", kind="water", revenue_account=revenue, sort_order=1
        )
        self.sewer = Service.objects.create(
            code="sewer", name="Sewer", kind="sewer", revenue_account=revenue, sort_order=2
        )
        self.refuse = Service.objects.create(
            code="refuse", name="Refuse", kind="refuse", revenue_account=revenue, sort_order=3
        )
        self.res = RateClass.objects.create(code="res", name="Residential")
        self.cycle = BillingCycle.objects.create(code="c1", name="Cycle 1")
        self.small = MeterSize.objects.create(code='5/8"', sort_order=1)
        self.inch = MeterSize.objects.create(code='1"', sort_order=2)
        self.party = core.party_create(
            acting_user=user, kind="person", name="Okafor, Ada", address_line1="7 Elm St"
        )
        self._n = 0

    def premise(self, *, units=1):
        self._n += 1
        return Premise.objects.create(
            number=f"P{self._n:06d}", address_line1=f"{self._n} Elm St", route="R1", cycle=self.cycle,
            rate_class=self.res, dwelling_units=units, created_by=self.user,
        )  # fmt: skip

    def account(self, premise, *, move_in="2026-01-01", move_out=None, services=("water",), cart=None):
        self._n += 1
        acct = ServiceAccount.objects.create(
            number=f"U{self._n:06d}", party=self.party, premise=premise, status="active",
            move_in=day(move_in), move_out=day(move_out) if move_out else None, created_by=self.user,
        )  # fmt: skip
        for code in services:
            AccountService.objects.create(
                account=acct, service=getattr(self, code), starts_on=day(move_in),
                container_gallons=cart[0] if cart and code == "refuse" else None,
                pickups_per_week=cart[1] if cart and code == "refuse" else None,
            )  # fmt: skip
        return acct

    def meter(self, premise, *, installed="2025-12-31", read=0, size=None, dials=6, multiplier="1"):
        self._n += 1
        meter = Meter.objects.create(
            serial=f"M{self._n:06d}", size=size or self.small, dials=dials, multiplier=D(multiplier),
            status="installed", premise=premise, created_by=self.user,
        )  # fmt: skip
        inst = MeterInstallation.objects.create(
            meter=meter, premise=premise, installed_on=day(installed), install_read=read, created_by=self.user
        )
        return inst

    def remove(self, inst, *, on, read):
        inst.removed_on, inst.removal_read = day(on), read
        inst.save()
        Meter.objects.filter(pk=inst.meter_id).update(status="removed", premise=None)
        return self.read(inst, on, read, kind="removal")

    def read(self, inst, on, value, *, kind="actual", status="accepted"):
        return Reading.objects.create(
            meter=inst.meter, installation=inst, premise=inst.premise, read_on=day(on), value=value,
            kind=kind, status=status, created_by=self.user,
        )  # fmt: skip

    def schedule(self, service, *, start="2026-01-01", method="uniform", blocks=(), fixed=(), **fields):
        sched = RateSchedule.objects.create(
            service=getattr(self, service), rate_class=self.res, effective_from=day(start), method=method,
            created_by=self.user, **fields,
        )  # fmt: skip
        for low, price in blocks:
            RateBlock.objects.create(schedule=sched, start=D(low), price=D(price))
        for size, amount in fixed:
            FixedCharge.objects.create(schedule=sched, meter_size=size, amount=D(amount))
        return sched

    def surcharge(self, sched, name, *, per_unit="0", per_month="0"):
        return Surcharge.objects.create(
            schedule=sched, name=name, per_unit=D(per_unit), per_month=D(per_month)
        )

    def refuse_rate(self, sched, gallons, pickups, per_month):
        return RefuseRate.objects.create(
            schedule=sched, container_gallons=gallons, pickups_per_week=pickups, per_month=D(per_month)
        )
