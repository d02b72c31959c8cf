"""Blind close-out (a dated policy), the refusal that names the over/short, the drawer picker, the
description of miscellaneous revenue, the day's totals under their columns, wide tables that scroll."""

import datetime
import re
import uuid

import pytest
from django.urls import reverse

from cashiering import services as cs
from cashiering.models import CashieringPolicy
from cashiering.rules import over_short_sentence
from revenue import services
from revenue.models import Charge
from tests.conftest import D


@pytest.fixture
def blind_policy(counter, admin_user):
    """A later policy, in force from today, turns blind close-out on (the earlier one stays)."""
    earlier = CashieringPolicy.objects.get()
    earlier.pk, earlier.effective_from, earlier.blind_close_out = None, services.city_today(), True
    earlier.created_by = admin_user
    earlier.save()
    return earlier


@pytest.fixture
def took_cash(open_session, clerk, party, make_charge):
    charge = make_charge(party, "60.00")
    cs.receipt_issue(
        session=open_session,
        payer=party,
        acting_user=clerk,
        items=[cs.Item(charge=charge, amount=D("60.00"))],
        tenders=[cs.TenderIn("cash", D("60.00"))],
    )
    return open_session  # the drawer should hold 220.00 (160.00 float + 60.00)


def test_the_over_short_sentence():
    assert (
        over_short_sentence({"cash": D("-5.00"), "checks": D("0"), "cards": D("0")})
        == "The drawer is $5.00 short"
    )
    assert (
        over_short_sentence({"cash": D("7.25"), "checks": D("0"), "cards": D("0")})
        == "The drawer is $7.25 over"
    )
    assert (
        over_short_sentence({"cash": D("-10.00"), "checks": D("2.00"), "cards": D("0")})
        == "The drawer is $8.00 short (cash $10.00 short, checks $2.00 over)"
    )


def test_the_refusal_states_the_amount_short(took_cash, clerk):
    with pytest.raises(
        services.RevenueError, match=r"The drawer is \$6\.00 short: more than the \$5\.00 allowed"
    ):
        cs.session_close(
            session=took_cash,
            counted_counts={"b20": 8, "b5": 8, "b1": 4, "c25": 40},  # 214.00 of 220.00
            confirmed_check_ids=[],
            card_batch_total="0",
            explanation="",
            acting_user=clerk,
        )
    took_cash.refresh_from_db()
    assert took_cash.is_open


def test_blind_close_out_hides_what_is_expected_from_the_clerk_until_the_count_is_saved(
    blind_policy, took_cash, clerk, supervisor, client
):
    client.force_login(clerk)
    page = client.get(reverse("cashiering:close_out"))
    html = page.content.decode()
    assert page.context["blind"] and page.context["expected"] is None
    assert 'id="blind-note"' in html and 'id="expected"' not in html and "$220.00" not in html
    detail = client.get(took_cash.get_absolute_url()).content.decode()
    assert 'id="over-short"' not in detail and "$220.00" not in detail
    # a supervisor looking at the open drawer sees it
    client.force_login(supervisor)
    assert "$220.00" in client.get(took_cash.get_absolute_url()).content.decode()
    # the count is saved: now the clerk sees expected against counted
    client.force_login(clerk)
    counts = {"count_b20": "8", "count_b5": "8", "count_b1": "10", "count_c25": "40", "card_batch_total": "0"}
    response = client.post(reverse("cashiering:close_out"), counts)
    assert response.status_code == 302
    took_cash.refresh_from_db()
    assert took_cash.counted_cash == D("220.00") and not took_cash.is_open
    detail = client.get(took_cash.get_absolute_url()).content.decode()
    assert 'id="over-short"' in detail and "$220.00" in detail


def test_blind_close_out_is_off_under_a_policy_without_it(took_cash, clerk, client):
    client.force_login(clerk)
    page = client.get(reverse("cashiering:close_out"))
    assert not page.context["blind"] and 'id="expected"' in page.content.decode()


def test_a_blind_refusal_on_the_page_states_over_or_short(blind_policy, took_cash, clerk, client):
    client.force_login(clerk)
    counts = {"count_b20": "8", "count_b5": "8", "count_b1": "16", "count_c25": "40", "card_batch_total": "0"}
    page = client.post(reverse("cashiering:close_out"), counts)
    assert "The drawer is $6.00 over" in page.content.decode()


def test_the_drawer_picker_says_which_drawers_are_in_use_and_by_whom(open_session, senior_clerk, client):
    client.force_login(senior_clerk)
    html = client.get(reverse("cashiering:session_open")).content.decode()
    assert re.search(r"D1 Front counter window 1 — in use by Clerk1 since \d\d:\d\d</option>", html)
    assert "D2 Front counter window 2 — free" in html
    assert 'id="drawers-in-use"' in html and "D1 by Clerk1" in html
    page = client.get(reverse("cashiering:session_open"))
    assert page.context["form"].initial["drawer"] != open_session.drawer_id  # a free drawer is offered first


def test_miscellaneous_revenue_needs_a_bounded_description(open_session, clerk, fees, walk_in, client):
    client.force_login(clerk)
    basket = reverse("cashiering:basket")
    misc = {"action": "add_fee", "fee_type": fees["MISC"].pk, "quantity": "1", "amount": "12.50"}
    client.post(basket, misc)
    assert not client.session.get("counter_basket", {}).get("items")
    assert "describe what the money is for" in client.get(reverse("cashiering:counter")).content.decode()
    client.post(basket, {**misc, "description": "x" * 201})
    assert not client.session.get("counter_basket", {}).get("items")
    client.post(basket, {**misc, "description": "Lost library card replacement"})
    page = client.get(reverse("cashiering:counter"))
    assert "Miscellaneous revenue: Lost library card replacement" in page.content.decode()
    client.post(
        reverse("cashiering:pay"),
        {
            "token": str(uuid.uuid4()),
            "basket": page.context["basket"].signature,
            "pay-0": "12.50",
            "cash": "20.00",
        },
    )
    charge = Charge.objects.get(fee_type=fees["MISC"])
    assert charge.description == "Miscellaneous revenue: Lost library card replacement" and charge.is_settled
    # the service refuses a keyed fee with no description whoever calls it
    with pytest.raises(services.RevenueError, match="describe what the money is for"):
        cs.receipt_issue(
            session=open_session,
            payer=walk_in,
            acting_user=clerk,
            items=[cs.Item(fee_type=fees["MISC"], amount=D("5.00"))],
            tenders=[cs.TenderIn("cash", D("5.00"))],
        )


def test_the_days_totals_are_each_under_their_own_column(took_cash, clerk, supervisor, client):
    cs.session_close(
        session=took_cash,
        counted_counts={"b20": 8, "b5": 8, "b1": 4, "c25": 40},  # 6.00 short
        confirmed_check_ids=[],
        card_batch_total="0",
        explanation="Short six",
        acting_user=clerk,
    )
    client.force_login(supervisor)
    html = client.get(reverse("cashiering:day")).content.decode()
    head = re.search(r"<thead>(.*?)</thead>", html, re.S).group(1)
    first, second = re.findall(r"<tr>(.*?)</tr>", head, re.S)
    columns = []
    for cell in re.findall(r"<th([^>]*)>(.*?)</th>", first, re.S):
        span = int((re.search(r'colspan="(\d+)"', cell[0]) or ["", "1"])[1])
        columns += [re.sub("<[^>]+>", "", cell[1]).strip()] * span
    subtitles = iter(
        re.sub("<[^>]+>", "", c).strip() for c in re.findall(r"<th[^>]*>(.*?)</th>", second, re.S)
    )
    columns = [f"{c} {next(subtitles)}" if c in ("Cash", "Checks", "Cards") else c for c in columns]
    foot = re.search(r'<tr id="day-totals">(.*?)</tr>', html, re.S).group(1)
    totals = [re.sub("<[^>]+>", "", c).strip() for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", foot, re.S)]
    assert len(totals) == len(columns)
    by_column = dict(zip(columns, totals, strict=True))
    assert by_column["Cash Expected"] == "$220.00"
    assert by_column["Cash Counted"] == "$214.00" and by_column["Cash +/−"] == "($6.00)"
    assert by_column["Receipts"] == "1" and by_column["Checks Counted"] == "$0.00"


@pytest.mark.parametrize("name", ["day", "batch_list", "suspense_list"])
def test_wide_tables_scroll_in_a_focusable_region(name, counter, supervisor, client):
    client.force_login(supervisor)
    html = client.get(reverse(f"cashiering:{name}")).content.decode()
    assert re.search(
        r'<div class="table-responsive[^"]*" tabindex="0" role="region" aria-label="[^"]+">', html
    )


def test_a_blind_policy_is_dated_like_every_rule(blind_policy, counter):
    yesterday = services.city_today() - datetime.timedelta(days=1)
    assert not cs.policy_on(yesterday).blind_close_out and cs.policy_on(services.city_today()).blind_close_out


def test_a_supervisor_turns_blind_close_out_on_from_a_date_in_the_configuration(client, supervisor, counter):
    client.force_login(supervisor)
    day = services.city_today() + datetime.timedelta(days=30)
    response = client.post(
        "/admin/cashiering/cashieringpolicy/add/",
        {
            "effective_from": day.isoformat(),
            "over_short_explain_over": "5.00",
            "check_overpayment": "credit",
            "card_overpayment": "refuse",
            "no_checks_days": "180",
            "blind_close_out": "on",
        },
    )
    assert response.status_code == 302
    assert cs.policy_on(day).blind_close_out and not cs.policy_on(services.city_today()).blind_close_out
