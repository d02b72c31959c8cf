"""Fixtures of the reads tests: a cycle, a read policy, and premises with an installed meter, an
account and a history of monthly reads (imported by each reads test module)."""

from __future__ import annotations

import datetime
import itertools
from decimal import Decimal

import pytest

from revenue import services as core
from utility_billing.models import (
    BillingCycle,
    Meter,
    MeterInstallation,
    MeterSize,
    Premise,
    RateClass,
    Reading,
    ReadPolicy,
    ServiceAccount,
)

_numbers = itertools.count(1)


def today() -> datetime.date:
    return core.city_today()


def months_ago(n: int, day_offset: int = 0) -> datetime.date:
    return today() - datetime.timedelta(days=30 * n + day_offset)


@pytest.fixture
def utility(admin_user):
    cycle = BillingCycle.objects.create(code="c1", name="Cycle 1")
    rate_class = RateClass.objects.create(code="res", name="Residential")
    size = MeterSize.objects.create(code='5/8"')
    policy = ReadPolicy.objects.create(
        effective_from=datetime.date(2020, 1, 1),
        high_percent=Decimal(200),
        low_percent=Decimal(25),
        recent_periods=3,
        min_units=Decimal(2),
        read_window_days=10,
        created_by=admin_user,
    )
    return {"cycle": cycle, "rate_class": rate_class, "size": size, "policy": policy}


@pytest.fixture
def site(utility, party, admin_user):
    """A premise on route R1 with meter `serial` installed 14 months ago at `start`, an active
    account (or none), and monthly accepted actual reads of `monthly` units each 30 days from
    13 months ago to one month ago (the last 30 days before today unread)."""

    def make(
        serial="M1", *, monthly=10, months=13, start=1000, account=True, dials=6, multiplier=1, route="R1"
    ):
        n = next(_numbers)
        premise = Premise.objects.create(
            number=f"P{n:06d}", address_line1=f"{n} Elm St", route=route, route_sequence=n,
            cycle=utility["cycle"], rate_class=utility["rate_class"], created_by=admin_user,
        )  # fmt: skip
        meter = Meter.objects.create(
            serial=serial, size=utility["size"], dials=dials, multiplier=multiplier,
            status=Meter.Status.INSTALLED, premise=premise, created_by=admin_user,
        )  # fmt: skip
        installed = months_ago(months + 1)
        inst = MeterInstallation.objects.create(
            meter=meter, premise=premise, installed_on=installed, install_read=start, created_by=admin_user
        )
        if account:
            ServiceAccount.objects.create(
                number=f"U{n:06d}", party=party, premise=premise, status=ServiceAccount.Status.ACTIVE,
                move_in=installed, created_by=admin_user,
            )  # fmt: skip
        value = start
        for k in range(months, 0, -1):
            value = (value + monthly) % 10**dials
            Reading.objects.create(
                meter=meter, installation=inst, premise=premise, read_on=months_ago(k), value=value,
                kind=Reading.Kind.ACTUAL, source=Reading.Source.FILE, created_by=admin_user,
            )  # fmt: skip
        meter.last_value = value
        return meter

    return make
