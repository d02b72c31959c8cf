"""TOT non-filers: who is on the list, the due dates it shows, its queries, and notices sent
once even when two clerks send at once."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from revenue import services as core
from revenue.dates import add_months
from tot import selectors
from tot import services as ts
from tot.models import NonFilerNotice
from tot.services import nonfilers as nonfiler_service

D = Decimal
d = datetime.date


def test_closed_and_suspended_operators_reach_the_nonfiler_list(hotel, file_return, admin_user, other_party):
    today = core.city_today()
    closed_on = add_months(today.replace(day=1), -3) + datetime.timedelta(days=9)
    common = {"party": other_party, "kind": "motel", "location": "1 Pier", "rooms": 3}
    closed = ts.operator_create(
        acting_user=admin_user, certificate_number="TOT-C1", name="Closed Inn", status="closed",
        opened_on=d(2025, 1, 1), closed_on=closed_on, **common,
    )  # fmt: skip
    suspended = ts.operator_create(
        acting_user=admin_user, certificate_number="TOT-S1", name="Suspended Lodge", status="suspended",
        opened_on=d(2025, 1, 1), **common,
    )  # fmt: skip
    rows = {m.operator: m.periods for m in selectors.nonfilers(today)}
    assert set(rows) == {hotel, closed, suspended}
    assert rows[closed] == selectors.missing_periods(closed, today) and rows[closed]
    assert max(rows[closed]) == closed_on.replace(day=1)
    assert rows[suspended] == rows[hotel]
    assert len(ts.nonfiler_notices_send(acting_user=admin_user)) == sum(len(p) for p in rows.values())


def _operators(n, party, user, start=0):
    for i in range(start, start + n):
        ts.operator_create(
            acting_user=user, party=party, certificate_number=f"TOT-Q{i}", name=f"Inn {i}", kind="motel",
            location="1 Pier", rooms=3, opened_on=d(2025, 1, 1),
        )  # fmt: skip


def _queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("name", ["tot:nonfilers", "tot:nonfiler_notices_pdf"])
def test_the_nonfiler_pages_do_not_query_per_operator(
    client, senior_clerk, tot_policy, other_party, admin_user, name
):
    client.force_login(senior_clerk)
    url = reverse(name)
    _operators(1, other_party, admin_user)
    _queries(client, url)  # warm up (session, content types)
    one = _queries(client, url)
    _operators(9, other_party, admin_user, start=1)
    ten = _queries(client, url)
    assert ten - one < 5, (one, ten)


def test_due_dates_match_the_policy_in_force(tot_policy):
    periods = [d(2023, 12, 1), d(2026, 6, 1)]
    assert selectors.due_dates(periods) == {
        d(2023, 12, 1): None,
        d(2026, 6, 1): ts.period_terms((2026, 6)).due_on,
    }


def test_two_clerks_sending_notices_at_once_count_only_what_each_inserted(
    monkeypatch, hotel, senior_clerk, supervisor
):
    today = core.city_today()
    stale = selectors.nonfilers(today)  # what the second clerk saw before the first clerk's commit
    assert stale and all(m.new_periods for m in stale)
    first = ts.nonfiler_notices_send(acting_user=senior_clerk, on=today)
    assert first and len(first) == NonFilerNotice.objects.count()
    assert all(n.pk for n in first)
    monkeypatch.setattr(nonfiler_service, "nonfilers", lambda on=None: stale)
    assert ts.nonfiler_notices_send(acting_user=supervisor, on=today) == []
    assert NonFilerNotice.objects.count() == len(first)
    assert set(NonFilerNotice.objects.values_list("created_by", flat=True)) == {senior_clerk.pk}
