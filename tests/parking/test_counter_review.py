"""The counter's plate find and the core's charge transfer, after a review: a plate in two
states asks for the state, a plate's find costs about the same for 3 or 30 citations, a NUL in
the find parameter is no error, and a transfer never moves another agency's share."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from revenue import services as core
from revenue.exceptions import RevenueError
from tests.conftest import D


def _basket_numbers(client):
    page = client.get(reverse("cashiering:counter"))
    return [ln["number"] for ln, _f, _i in page.context["pay_rows"]]


def test_a_plate_in_two_states_asks_for_the_state(client, clerk, open_session, cite):
    mine, other = cite(days=3, state="CA"), cite(days=3, state="NV")
    client.force_login(clerk)
    response = client.post(reverse("cashiering:basket"), {"action": "find", "q": "7ABC123"}, follow=True)
    assert "open citations in CA and NV: type the state too" in response.content.decode()
    assert _basket_numbers(client) == []
    client.post(reverse("cashiering:basket"), {"action": "find", "q": "NV 7ABC123"})
    assert _basket_numbers(client) == [other.number]
    assert mine.number not in _basket_numbers(client)


def test_a_plates_find_costs_about_the_same_for_3_or_30_citations(client, clerk, open_session, cite):
    for _ in range(3):
        cite(days=40, plate="1AAA111")  # each owes its late penalty today
    for _ in range(30):
        cite(days=3, plate="2BBB222")
    client.force_login(clerk)
    with CaptureQueriesContext(connection) as three:
        client.post(reverse("cashiering:basket"), {"action": "find", "q": "2BBB222"})
    client.post(reverse("cashiering:basket"), {"action": "clear"})
    with CaptureQueriesContext(connection) as thirty_no_penalty:
        client.post(reverse("cashiering:basket"), {"action": "find", "q": "2BBB222"})
    assert len(thirty_no_penalty) < 25, len(thirty_no_penalty)
    client.post(reverse("cashiering:basket"), {"action": "clear"})
    client.post(reverse("cashiering:basket"), {"action": "find", "q": "1AAA111"})
    assert len(_basket_numbers(client)) == 6  # three fines and three penalties
    assert len(three) < 25


def test_a_nul_in_the_counters_find_parameter_is_no_error(client, clerk, open_session):
    client.force_login(clerk)
    assert client.get(reverse("cashiering:counter"), {"find": "AB\x00C"}).status_code == 400  # issue 12


def test_a_transfer_refuses_a_charge_with_another_agencys_share(accounts, admin_user, party):
    charge = core.charge_assess(
        party=party,
        amount=D("100.00"),
        description="Fee with a State share",
        receivable_account=accounts["100-1210"],
        revenue_account=accounts["100-4150"],
        pass_through=(accounts["100-2210"], D("4.00")),
        acting_user=admin_user,
    )
    today = core.city_today()
    with pytest.raises(RevenueError, match="another agency's share"):
        core.charges_transfer(
            charges=[charge],
            into=[
                core.NewCharge(D("100.00"), today + datetime.timedelta(days=30), "Installment 1", "PLX-01")
            ],
            party=party,
            receivable_account=accounts["100-1210"],
            revenue_account=accounts["100-4150"],
            acting_user=admin_user,
            reason="Plan",
        )
    charge.refresh_from_db()
    assert charge.balance == D("100.00")
