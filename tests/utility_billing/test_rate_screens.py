"""The supervisor's rate screens: a schedule entered with its blocks as rows, refused with a
sentence on the form for a gap, an overlap, a first block not at 0, a negative price or letters
(nothing stored); who may add and withdraw; and the calculation preview, read-only."""

import datetime
import uuid
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from revenue import services as core
from revenue.models import AuditEvent
from utility_billing.models import RateBlock, RateSchedule

from .rates_setup import City, day

D = Decimal


@pytest.fixture
def city(accounts, admin_user):
    return City(admin_user)


def client_for(user):
    c = Client()
    c.force_login(user)
    return c


def tomorrow():
    return core.city_today() + datetime.timedelta(days=1)


def post_data(city, *, blocks, method="tiered", **extra):
    data = {
        "token": str(uuid.uuid4()),
        "service": city.water.pk,
        "rate_class": city.res.pk,
        "effective_from": tomorrow().isoformat(),
        "method": method,
        "block_basis": "fixed",
        "sewer_share_percent": "100",
        "winter_months": "12,1,2",
        f"fixed_{city.small.pk}": "18.50",
        f"fixed_{city.inch.pk}": "31.00",
    }
    for i, (low, high, price) in enumerate(blocks):
        data.update({f"block_{i}_from": low, f"block_{i}_to": high, f"block_{i}_price": price})
    data.update(extra)
    return data


GOOD = [("0", "10", "2.15"), ("10", "30", "3.40"), ("30", "", "4.85")]


def test_a_supervisor_enters_a_tiered_schedule(city, supervisor):
    c = client_for(supervisor)
    assert c.get(reverse("utility_billing:rates_new")).status_code == 200
    response = c.post(reverse("utility_billing:rates_new"), post_data(city, blocks=GOOD))
    schedule = RateSchedule.objects.get()
    assert response.status_code == 302 and response.url == reverse(
        "utility_billing:rates_detail", args=[schedule.pk]
    )
    assert [(b.start, b.price) for b in schedule.blocks.all()] == [
        (D("0"), D("2.15")),
        (D("10"), D("3.40")),
        (D("30"), D("4.85")),
    ]
    assert sorted((str(f.meter_size), f.amount) for f in schedule.fixed_charges.all()) == [
        ('1"', D("31.00")),
        ('5/8"', D("18.50")),
    ]
    assert AuditEvent.objects.filter(action="utility.rate_schedule_added").count() == 1
    page = c.get(reverse("utility_billing:rates_detail", args=[schedule.pk])).content.decode()
    assert "4.85" in page and "and up" in page
    listing = c.get(reverse("utility_billing:rates_list")).content.decode()
    assert "Coming" in listing


@pytest.mark.parametrize(
    ("blocks", "extra", "message"),
    [
        ([("0", "10", "2.15"), ("12", "", "3.40")], {}, "Gap between 10 and 12"),
        ([("0", "10", "2.15"), ("8", "", "3.40")], {}, "Blocks 1 and 2 overlap from 8 to 10"),
        ([("5", "10", "2.15"), ("10", "", "3.40")], {}, "The first block must start at 0"),
        ([("0", "10", "-2.15"), ("10", "", "3.40")], {}, "the price cannot be negative"),
        ([("0", "ten", "2.15"), ("10", "", "3.40")], {}, "must be a number, not “ten”"),
        ([("0", "10", "abc"), ("10", "", "3.40")], {}, "must be a number, not “abc”"),
        ([("0", "10", "2.15"), ("10", "20", "3.40")], {}, "The last block must be open-ended"),
        ([], {}, "Enter at least one block"),
        (GOOD, {"minimum_charge": "lots"}, "Enter a number, like 12.50."),
        (GOOD, {"minimum_charge": "-5"}, "Enter 0 or more."),
        (GOOD, {"effective_from": "2020-01-01"}, "A new rate takes effect today"),
        (GOOD, {"method": "uniform"}, "Usage blocks are for tiered rates and sewer"),
        (GOOD, {"method": "refuse"}, "Pricing by container is for refuse"),
    ],
)
def test_bad_input_is_refused_on_the_form_and_nothing_is_stored(city, supervisor, blocks, extra, message):
    response = client_for(supervisor).post(
        reverse("utility_billing:rates_new"), post_data(city, blocks=blocks, **extra)
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not RateSchedule.all_rows.exists() and not RateBlock.objects.exists()


def test_a_second_schedule_for_the_same_day_is_refused(city, supervisor):
    c = client_for(supervisor)
    c.post(reverse("utility_billing:rates_new"), post_data(city, blocks=GOOD))
    response = c.post(reverse("utility_billing:rates_new"), post_data(city, blocks=GOOD))
    assert "already has a schedule from" in response.content.decode()
    assert RateSchedule.objects.count() == 1


def test_a_double_submit_stores_one_schedule(city, supervisor):
    c = client_for(supervisor)
    data = post_data(city, blocks=GOOD)
    c.post(reverse("utility_billing:rates_new"), data)
    again = c.post(reverse("utility_billing:rates_new"), data)
    assert again.status_code == 302 and RateSchedule.objects.count() == 1


def test_a_clerk_reads_rates_but_cannot_add_one(city, clerk, auditor):
    for user in (clerk, auditor):
        c = client_for(user)
        assert c.get(reverse("utility_billing:rates_list")).status_code == 200
        assert c.get(reverse("utility_billing:rates_new")).status_code == 403
        assert c.post(reverse("utility_billing:rates_new"), post_data(city, blocks=GOOD)).status_code == 403
    assert not RateSchedule.objects.exists()
    with pytest.raises(core.NotAllowed):
        from utility_billing.services.rates import rate_schedule_add

        rate_schedule_add(
            service=city.water,
            rate_class=city.res,
            effective_from=tomorrow(),
            method="uniform",
            acting_user=clerk,
        )


def test_copy_fills_the_form_from_a_schedule(city, supervisor):
    source = city.schedule(
        "water", method="tiered", blocks=[("0", "1.25"), ("10", "2.50")], fixed=[(city.inch, "31")]
    )
    page = (
        client_for(supervisor)
        .get(reverse("utility_billing:rates_new") + f"?copy={source.pk}")
        .content.decode()
    )
    assert 'value="1.2500"' in page and 'value="10.00"' in page and 'value="31.00"' in page


def test_a_supervisor_withdraws_a_schedule_and_a_clerk_cannot(city, supervisor, clerk):
    sched = city.schedule("water", start=tomorrow().isoformat(), unit_price=D("1"))
    url = reverse("utility_billing:rates_withdraw", args=[sched.pk])
    assert client_for(clerk).post(url, {"reason": "typo"}).status_code == 403
    assert client_for(supervisor).post(url, {"reason": ""}).status_code == 400
    response = client_for(supervisor).post(url, {"reason": "typed the wrong price"})
    assert response.status_code == 302
    sched = RateSchedule.all_rows.get(pk=sched.pk)
    assert sched.is_withdrawn and sched.withdrawn_reason == "typed the wrong price"
    assert "Withdrawn" in client_for(supervisor).get(reverse("utility_billing:rates_list")).content.decode()


def _account_with_reads(city):
    city.schedule(
        "water", method="tiered", blocks=[("0", "1.00"), ("10", "2.00")], fixed=[(city.small, "20.00")]
    )
    p = city.premise()
    acct = city.account(p)
    m = city.meter(p)
    city.read(m, "2027-02-28", 100)
    city.read(m, "2027-03-31", 111)
    return acct


def test_the_preview_shows_the_calculation_line_by_line_and_posts_nothing(city, clerk):
    acct = _account_with_reads(city)
    before = AuditEvent.objects.count()
    page = client_for(clerk).get(
        reverse("utility_billing:rates_preview"),
        {"account": acct.number.lower(), "period_start": "2027-03-01", "period_end": "2027-03-31"},
    )
    text = page.content.decode()
    assert page.status_code == 200
    assert "Water fixed charge, 5/8&quot; meter" in text and "block 10–up HCF: 1" in text
    assert 'id="preview-total">$32.00' in text.replace("\n", "")
    assert AuditEvent.objects.count() == before


@pytest.mark.parametrize(
    ("params", "message"),
    [
        (
            {"account": "U999999", "period_start": "2027-03-01", "period_end": "2027-03-31"},
            "There is no utility account U999999",
        ),
        (
            {"account": "ACCT", "period_start": "2027-03-31", "period_end": "2027-03-01"},
            "must end on or after",
        ),
        (
            {"account": "ACCT", "period_start": "2027-03-01", "period_end": "2030-03-01"},
            "at most about a year",
        ),
        ({"account": "ACCT", "period_start": "march", "period_end": "2027-03-31"}, "Enter a valid date"),
    ],
)
def test_the_preview_says_what_is_wrong(city, supervisor, params, message):
    acct = _account_with_reads(city)
    params = {k: (acct.number if v == "ACCT" else v) for k, v in params.items()}
    page = client_for(supervisor).get(reverse("utility_billing:rates_preview"), params)
    assert page.status_code == 200 and message in page.content.decode()


def test_the_preview_names_a_missing_rate(city, supervisor):
    p = city.premise()
    acct = city.account(p, services=("water", "sewer"))
    city.schedule("water", unit_price=D("1"))
    page = client_for(supervisor).get(
        reverse("utility_billing:rates_preview"),
        {"account": acct.number, "period_start": "2027-03-01", "period_end": "2027-03-31"},
    )
    assert "No Sewer rate for Residential is in force on 03/01/2027" in page.content.decode()


def test_in_force_today_is_marked(city, supervisor):
    city.schedule("water", start="2020-01-01", unit_price=D("1"))
    city.schedule("water", start="2021-01-01", unit_price=D("2"))
    city.schedule("water", start=tomorrow().isoformat(), unit_price=D("3"))
    page = client_for(supervisor).get(reverse("utility_billing:rates_list")).content.decode()
    assert page.count('data-status="in_force"') == 1
    assert page.count('data-status="replaced"') == 1 and page.count('data-status="coming"') == 1
    assert day("2021-01-01")  # the one from 2021 is the one in force
