"""The demo city's utility: what the other parts of utility billing and the screens rely on."""

import time

import pytest
from django.db.models import Count

from revenue.dates import city_today
from utility_billing import demo
from utility_billing.models import (
    BillingCycle,
    Meter,
    MeterInstallation,
    Premise,
    RateSchedule,
    Reading,
    ServiceAccount,
    ServiceOrder,
    UtilityPolicy,
)


@pytest.fixture
def utility(accounts, admin_user, field_crew):
    return demo.load_utility(acting_user=admin_user)


def test_the_utility_loads_in_a_few_seconds(accounts, admin_user, field_crew):
    started = time.monotonic()
    demo.load_utility(acting_user=admin_user)
    assert time.monotonic() - started < 15  # about a second on a quiet machine
    assert Premise.objects.count() == 300


def test_two_cycles_of_two_routes_each(utility):
    routes = {
        c.code: sorted(set(c.premises.values_list("route", flat=True))) for c in BillingCycle.objects.all()
    }
    assert routes == {"monthly": ["M1", "M2"], "bimonthly": ["B1", "B2"]}
    assert {c.code: c.months_per_period for c in BillingCycle.objects.all()} == {"monthly": 1, "bimonthly": 2}


def test_every_premise_has_a_meter_installed_and_13_months_of_reads(utility):
    installed = Meter.objects.filter(status=Meter.Status.INSTALLED)
    assert installed.count() == 300
    assert MeterInstallation.objects.filter(removed_on__isnull=True).count() == 300
    assert Meter.objects.filter(status=Meter.Status.STOCK).exists()
    per_meter = (
        Reading.objects.filter(kind="actual", status="accepted")
        .values("premise__cycle__code")
        .annotate(n=Count("id"), meters=Count("meter", distinct=True))
    )
    counts = {r["premise__cycle__code"]: r["n"] / r["meters"] for r in per_meter}
    assert counts == {"monthly": 13, "bimonthly": 7}
    first, last = demo.month_end(13), demo.month_end(1)
    reads = Reading.objects.filter(kind="actual", batch__isnull=True)  # today's demo read file aside
    assert reads.order_by("read_on").first().read_on == first
    assert reads.order_by("read_on").last().read_on == last
    winter = reads.filter(read_on__month__in=[12, 1, 2], premise__cycle__code="monthly")
    assert winter.values("premise").distinct().count() == 150  # every monthly premise has a winter


def test_reads_rise_except_where_the_register_rolls_over(utility):
    rolled = Meter.objects.get(dials=4)
    values = list(rolled.readings.order_by("read_on").values_list("value", flat=True))
    assert values[0] == 9900 and all(v < 10_000 for v in values)
    assert any(b < a for a, b in zip(values, values[1:], strict=False))  # it rolled over past 9999
    other = Meter.objects.filter(dials=6, status="installed").first()
    values = list(other.readings.order_by("read_on").values_list("value", flat=True))
    assert values == sorted(values) and values[-1] > values[0]


def test_rates_in_force_for_every_service_and_class(utility):
    today = city_today()
    for service in ("water", "sewer", "refuse"):
        for cls in ("residential", "commercial"):
            schedule = (
                RateSchedule.objects.filter(
                    service__code=service, rate_class__code=cls, effective_from__lte=today
                )
                .order_by("-effective_from")
                .first()
            )
            assert schedule is not None, (service, cls)
    water = RateSchedule.objects.filter(service__code="water", rate_class__code="residential")
    assert water.count() == 2  # a rate change this fiscal year: periods straddle it
    assert all(s.blocks.count() == 3 and s.fixed_charges.count() == 5 for s in water)
    sewer = RateSchedule.objects.get(service__code="sewer", rate_class__code="residential")
    assert sewer.method == "sewer_winter"
    assert UtilityPolicy.objects.get().deposit_account.number == "501-2300"


def test_one_account_in_each_interesting_state(utility):
    assert utility["final_account"].status == ServiceAccount.Status.FINAL
    assert utility["final_account"].move_out is not None
    assert utility["closed_account"].status == ServiceAccount.Status.CLOSED
    assert utility["successor_account"].premise == utility["closed_account"].premise
    assert utility["pending_account"].status == ServiceAccount.Status.PENDING
    assert ServiceAccount.objects.get(pk=utility["medical_account"].pk).medical_certificate_until
    assert ServiceAccount.objects.get(pk=utility["income_account"].pk).income_qualified
    tenant = ServiceAccount.objects.get(pk=utility["landlord_account"].pk)
    assert tenant.notify_landlord and tenant.landlord and not tenant.is_owner
    assert ServiceAccount.objects.get(pk=utility["email_account"].pk).bill_by_email
    assert ServiceAccount.objects.get(pk=utility["mailed_account"].pk).mail_line1


def test_the_field_crew_has_open_orders_today(utility, field_crew):
    mine = ServiceOrder.objects.filter(assigned_to=field_crew, status__in=ServiceOrder.OPEN)
    assert mine.count() >= 5
    assert {o.premise.route for o in mine} >= {"M1", "M2"}
    kinds = set(ServiceOrder.objects.values_list("kind", flat=True))
    assert {"start", "reread", "meter_change", "disconnect", "stop"} <= kinds
    assert ServiceOrder.objects.filter(status="completed").exists()
