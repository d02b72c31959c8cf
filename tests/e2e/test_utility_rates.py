"""Utility rates in Chromium: a supervisor enters a tiered schedule on screen (a gap in the
blocks is refused on the form first), sees it in force, and previews an account's calculation
across the rate change, line by line, before anything is posted."""

import datetime
from decimal import Decimal

import pytest

from revenue import services as core
from tests.e2e.conftest import login
from tests.utility_billing.rates_setup import City
from utility_billing.models import RateSchedule
from utility_billing.services.calc import calculate

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_supervisor_enters_a_tiered_schedule_and_previews_a_calculation(
    browser, page, live_server, accounts, admin_user, supervisor
):
    city = City(admin_user)
    today = core.city_today()
    city.schedule("water", start="2020-01-01", method="tiered", blocks=[("0", "1.00"), ("10", "2.00")],
                  fixed=[(city.small, "20.00")])  # fmt: skip
    premise = city.premise()
    account = city.account(premise, move_in="2020-01-01")
    meter = city.meter(premise, installed="2019-12-31")
    start = today - datetime.timedelta(days=15)
    city.read(meter, (start - datetime.timedelta(days=1)).isoformat(), 1000)
    city.read(meter, today.isoformat(), 1042)

    login(page, live_server, "supervisor")
    page.click("#nav-utility")
    page.get_by_role("link", name="Rates", exact=True).click()
    page.click("#new-schedule")
    page.select_option("#id_service", str(city.water.pk))
    page.select_option("#id_rate_class", str(city.res.pk))
    page.fill("#id_effective_from", today.isoformat())
    page.select_option("#id_method", "tiered")
    rows = [("0", "10", "2.15"), ("12", "30", "3.40"), ("30", "", "4.85")]  # a gap between 10 and 12
    for i, (low, high, price) in enumerate(rows):
        page.fill(f"#id_block_{i}_from", low)
        page.fill(f"#id_block_{i}_to", high)
        page.fill(f"#id_block_{i}_price", price)
    page.fill(f"#id_fixed_{city.small.pk}", "18.50")
    page.click("#save-schedule")
    assert "Gap between 10 and 12" in page.locator("#form-errors").inner_text()
    assert RateSchedule.objects.count() == 1
    page.fill("#id_block_1_from", "10")  # what was typed stays on the form
    page.click("#save-schedule")
    page.wait_for_url("**/utility/rates/*/")
    assert "and up" in page.locator("#blocks").inner_text()
    assert "18.50" in page.locator("#fixed").inner_text()

    page.get_by_role("link", name="Rate schedules").click()
    in_force = page.locator('tr[data-status="in_force"]').inner_text()
    assert today.strftime("%m/%d/%Y") in in_force

    page.get_by_role("link", name="Calculation preview").click()
    page.fill("#id_account", account.number)
    page.fill("#id_period_start", start.isoformat())
    page.fill("#id_period_end", today.isoformat())
    page.click("#calculate")
    lines = page.locator("#preview-lines").inner_text()
    assert "rates from 01/01/2020" in lines and f"rates from {today:%m/%d/%Y}" in lines
    assert page.locator("#preview-usage").inner_text() == "42"
    calc = calculate(account=account, period_start=start, period_end=today)
    assert calc.total > Decimal("0")
    assert page.locator("#preview-total").inner_text() == f"${calc.total:,.2f}"
