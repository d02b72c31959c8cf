"""Monthly statistics on collections: by month and revenue account, year over year."""

import datetime

import pytest
from django.urls import reverse

from receivables.reports import collections_chart as chart
from receivables.selectors import collections_by_month
from revenue import services
from tests.conftest import D


@pytest.fixture
def payments(accounts, make_charge, party, other_party, admin_user, undeposited):
    """FY2025 (Jul 2024 - Jun 2025) and FY2024 collections on two revenue accounts."""
    misc = make_charge(party, "500.00", revenue="100-4150")
    alarm = make_charge(other_party, "500.00", revenue="100-4157")

    def pay(charge, amount, on, extra="0.00"):
        return services.payment_post(
            party=charge.party,
            amount=D(amount) + D(extra),
            applications=[(charge, D(amount))],
            debit_account=undeposited,
            acting_user=admin_user,
            received_on=on,
        )

    pay(misc, "60.00", datetime.date(2024, 8, 15), extra="10.00")  # $10 left as credit: not collected
    pay(alarm, "40.00", datetime.date(2023, 8, 20))  # FY2024 August
    pay(alarm, "150.00", datetime.date(2025, 3, 1))
    pay(misc, "25.00", datetime.date(2024, 6, 30))  # FY2024 June, the year's last day
    pay(misc, "99.00", datetime.date(2025, 7, 1))  # FY2026: not in either year
    bounced = pay(misc, "30.00", datetime.date(2024, 9, 5))
    services.payment_reverse(
        payment=bounced, acting_user=admin_user, reason="Returned check", on=datetime.date(2024, 10, 2)
    )
    return accounts


def test_collections_by_month_and_account_year_over_year(payments):
    stats = collections_by_month(2025)
    assert stats.months[0] == datetime.date(2024, 7, 1) and stats.months[-1] == datetime.date(2025, 6, 1)
    rows = {r.account.number: r for r in stats.rows}
    assert set(rows) == {"100-4150", "100-4157"}
    misc, alarm = rows["100-4150"], rows["100-4157"]
    #                 Jul  Aug    Sep    Oct     ...  Mar (index 8)
    assert misc.this_year[:4] == [D("0"), D("60.00"), D("30.00"), D("-30.00")]
    assert misc.last_year[11] == D("25.00")  # June 2024
    assert misc.this_total == D("60.00") and misc.last_total == D("25.00") and misc.change == D("35.00")
    assert alarm.this_year[8] == D("150.00") and alarm.last_year[1] == D("40.00")
    assert alarm.change == D("110.00") and alarm.change_pct == D("275.0")
    assert stats.month_this[1] == D("60.00") and stats.month_last[1] == D("40.00")
    assert stats.total_this == D("210.00")
    assert stats.total_last == D("65.00")
    assert stats.total_change == D("145.00")
    assert sum(stats.month_change, D("0")) == stats.total_change


def test_reversal_counts_in_the_month_it_happened(payments):
    stats = collections_by_month(2025)
    by_month = dict(zip(stats.months, stats.month_this, strict=True))
    assert by_month[datetime.date(2024, 9, 1)] == D("30.00")
    assert by_month[datetime.date(2024, 10, 1)] == D("-30.00")


def test_the_next_year_sees_this_year_as_last_year(payments):
    stats = collections_by_month(2026)
    assert stats.total_this == D("99.00")
    assert stats.total_last == D("210.00")


def test_chart_has_two_bars_a_month(payments):
    geometry = chart(collections_by_month(2025))
    assert len(geometry["bars"]) == 24
    assert all(b["h"] >= 0 for b in geometry["bars"])


def test_statistics_page_and_xlsx(client, payments, supervisor, auditor):
    client.force_login(auditor)
    page = client.get(reverse("receivables:statistics"), {"fiscal_year": "2025"})
    assert page.status_code == 200
    assert b"<svg" in page.content and b"$210.00" in page.content and b"$65.00" in page.content
    xlsx = client.get(reverse("receivables:statistics_xlsx"), {"fiscal_year": "2025"})
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    bad = client.get(reverse("receivables:statistics"), {"fiscal_year": "abc"})
    assert bad.status_code == 200 and b"Enter a fiscal year" in bad.content


def test_statistics_refused_to_a_counter_clerk(client, clerk):
    client.force_login(clerk)
    assert client.get(reverse("receivables:statistics")).status_code == 403


def test_statistics_get_parameters_with_nul_are_not_500(client, supervisor):
    client.force_login(supervisor)
    client.raise_request_exception = False
    checks = [
        (reverse("receivables:statistics"), {"fiscal_year": "2026\x00"}),
        (reverse("receivables:statistics_xlsx"), {"fiscal_year": "\x00"}),
    ]
    for url, params in checks:
        assert client.get(url, params).status_code == 400, (
            url,
            params,
        )  # a NUL is refused before any view, changing nothing
    assert client.get(reverse("receivables:statistics"), {"fiscal_year": "\u00b2"}).status_code == 200
