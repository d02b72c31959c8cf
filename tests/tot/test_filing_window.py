"""Which months a return may be filed for: every month since the operator opened (late filers and
audits go back years), unless the TOT policy in force sets a limit; a refused month says why."""

import datetime
import uuid
from decimal import Decimal as D

import pytest
from django.urls import reverse

from revenue import services as core
from revenue.dates import add_months
from tot import rules
from tot import services as ts
from tot.demo import load_tot
from tot.models import TotPolicy, TotReturn

d = datetime.date


@pytest.fixture
def old_policy(accounts, fees, admin_user):
    """The demo TOT policy in force since 2019, with no limit: any month since opening."""
    return load_tot(acting_user=admin_user, since=d(2019, 1, 1))


@pytest.fixture
def old_inn(old_policy, other_party, admin_user):
    return ts.operator_create(
        acting_user=admin_user,
        party=other_party,
        certificate_number="TOT-0420",
        name="Old Pier Inn",
        kind="hotel",
        location="1 Pier Rd",
        rooms=12,
        opened_on=d(2020, 3, 10),
    )


def _months_back(n):
    return add_months(core.city_today().replace(day=1), -n)


def _limit(old_policy, months, admin_user):
    """A later policy (from today) that accepts returns at most `months` back."""
    fields = {
        f.name: getattr(old_policy, f.name)
        for f in TotPolicy._meta.concrete_fields
        if f.name not in ("id", "effective_from", "created_at", "filing_limit_months")
    }
    return TotPolicy.objects.create(**fields, effective_from=core.city_today(), filing_limit_months=months)


def test_the_earliest_period_is_the_opening_month_or_the_limit_whichever_is_later():
    today = d(2026, 12, 2)
    assert rules.earliest_period(opened_on=d(2020, 3, 10), today=today, limit_months=None) == d(2020, 3, 1)
    assert rules.earliest_period(opened_on=d(2020, 3, 10), today=today, limit_months=48) == d(2022, 12, 1)
    assert rules.earliest_period(opened_on=d(2025, 5, 31), today=today, limit_months=48) == d(2025, 5, 1)


def test_a_late_filer_files_a_month_more_than_two_years_back(old_inn, clerk):
    period = _months_back(30)
    ret = ts.return_file(
        operator=old_inn,
        period=period,
        gross_rents="5000.00",
        received_on=core.city_today(),
        acting_user=clerk,
    )
    assert ret.period_start == period and ret.tax == rules.tax_on(ret.taxable_rents, ret.rate_percent)
    window = ts.filing_window(old_inn, core.city_today())
    assert window.earliest == d(2020, 3, 1) and not window.limited
    assert window.periods()[0] == _months_back(1) and window.periods()[-1] == d(2020, 3, 1)


def test_the_form_offers_every_month_since_opening_and_files_one_thirty_months_back(client, clerk, old_inn):
    client.force_login(clerk)
    url = reverse("tot:return_new", args=[old_inn.certificate_number])
    page = client.get(url).content.decode()
    thirty = _months_back(30)
    assert f'value="{thirty:%Y-%m}"' in page and 'value="2020-03"' in page
    assert 'value="2020-02"' not in page  # before the opening
    assert "every month since the operator opened" in page
    response = client.post(
        url,
        {
            "token": str(uuid.uuid4()),
            "period": f"{thirty:%Y-%m}",
            "received_on": core.city_today().isoformat(),
            "gross_rents": "5000.00",
        },
        follow=True,
    )
    ret = TotReturn.objects.get()
    assert ret.period_start == thirty
    assert f"filed for {thirty:%B %Y}" in response.content.decode()


def test_a_limit_in_the_policy_refuses_older_months_and_says_why(
    client, clerk, old_inn, old_policy, admin_user
):
    limit = _limit(old_policy, 48, admin_user)
    too_old = _months_back(49)
    with pytest.raises(core.RevenueError, match="more than 48 months back") as refused:
        ts.return_file(
            operator=old_inn,
            period=too_old,
            gross_rents="5000.00",
            received_on=core.city_today(),
            acting_user=clerk,
        )
    assert f"accepts returns for {_months_back(48):%B %Y} on" in str(refused.value)
    assert f"{limit.effective_from:%m/%d/%Y}" in str(refused.value)
    client.force_login(clerk)
    url = reverse("tot:return_new", args=[old_inn.certificate_number])
    page = client.get(url).content.decode()
    assert f'value="{_months_back(48):%Y-%m}"' in page and f'value="{too_old:%Y-%m}"' not in page
    assert "accepts 48 months back" in page
    response = client.post(
        url,
        {
            "token": str(uuid.uuid4()),
            "period": f"{too_old:%Y-%m}",
            "received_on": core.city_today().isoformat(),
            "gross_rents": "5000.00",
        },
    )
    assert response.status_code == 200 and "more than 48 months back" in response.content.decode()
    assert not TotReturn.objects.exists()
    # within the limit it is filed
    ret = ts.return_file(
        operator=old_inn,
        period=_months_back(48),
        gross_rents="5000.00",
        received_on=core.city_today(),
        acting_user=clerk,
    )
    assert ret.period_start == _months_back(48)


def test_a_month_before_the_opening_is_refused_with_the_opening_date(client, clerk, old_inn):
    client.force_login(clerk)
    response = client.post(
        reverse("tot:return_new", args=[old_inn.certificate_number]),
        {
            "token": str(uuid.uuid4()),
            "period": "2020-01",
            "received_on": core.city_today().isoformat(),
            "gross_rents": "5000.00",
        },
    )
    assert "opened on 03/10/2020, after January 2020" in response.content.decode()
    bad = client.post(
        reverse("tot:return_new", args=[old_inn.certificate_number]),
        {"token": str(uuid.uuid4()), "period": "2020-13", "received_on": "2020-02-01", "gross_rents": "1"},
    )
    assert "Choose the month of the return" in bad.content.decode()
    assert not TotReturn.objects.exists()


def test_the_returns_log_shows_paid_and_owed_from_sql(client, auditor, hotel, file_return, pay):
    june = file_return(hotel, (2026, 6), "10000.00", d(2026, 7, 10))  # tax 1,000.00 at 10%
    july = file_return(hotel, (2026, 7), "1000.00", d(2026, 8, 10))  # tax 120.00 at 12%
    pay(june, "400.00", d(2026, 7, 20))
    pay(july, "120.00", d(2026, 8, 20))
    client.force_login(auditor)
    response = client.get(reverse("tot:return_log"))
    rows = {r.number: (r.tax, r.paid, r.owed) for r in response.context["returns"]}
    assert rows == {
        june.number: (D("1000.00"), D("400.00"), D("600.00")),
        july.number: (D("120.00"), D("120.00"), D("0.00")),
    }
    page = response.content.decode()
    assert '<th class="text-end">Paid</th><th class="text-end">Owed</th>' in page
    assert 'id="sum-paid">$520.00<' in page and 'id="sum-owed">$600.00<' in page
