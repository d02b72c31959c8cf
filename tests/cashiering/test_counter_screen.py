"""The counter screen (issue 11): a post after the drawer closed, alerts on the payer, one search."""

import uuid

import pytest
from django.urls import reverse

from cashiering.models import Receipt
from tests.conftest import D


@pytest.fixture
def at_counter(client, clerk, open_session):
    client.force_login(clerk)
    return client


def _find(client, q):
    return client.post(reverse("cashiering:basket"), {"action": "find", "q": q}, follow=True)


def _pay_data(client, lines, **tenders):
    signature = client.get(reverse("cashiering:counter")).context["basket"].signature
    return {
        "token": str(uuid.uuid4()),
        "basket": signature,
        **{f"pay-{i}": v for i, v in enumerate(lines)},
        **tenders,
    }


def _close_drawer(client):
    """The close-out, as another tab sends it: the float counted back exactly."""
    response = client.post(
        reverse("cashiering:close_out"),
        {"count_b20": "5", "count_b5": "8", "count_b1": "10", "count_c25": "40", "card_batch_total": "0"},
    )
    assert response.status_code == 302


def test_a_receipt_posted_after_the_drawer_closed_says_so_and_keeps_the_basket(
    at_counter, counter, party, make_charge
):
    charge = make_charge(party, "42.00")
    _find(at_counter, charge.source_number)
    data = _pay_data(at_counter, ["42.00"], cash="50.00")  # the pay form, filled in the first tab
    _close_drawer(at_counter)  # the drawer closed in a second tab
    response = at_counter.post(reverse("cashiering:pay"), data, follow=True)
    assert response.redirect_chain[-1][0] == reverse("cashiering:session_open")
    body = response.content.decode()
    assert "The payment was NOT taken" in body and 'role="alert"' in body
    assert "Open a drawer to take payments." not in body  # not the plain word for a fresh start
    assert not Receipt.objects.exists()
    # a new drawer opened: the basket is there, and posts
    at_counter.post(reverse("cashiering:session_open"), {"drawer": counter["D2"].pk, "count_b20": "5"})
    page = at_counter.get(reverse("cashiering:counter"))
    assert [ln["charge"] for ln, _f, _i in page.context["pay_rows"]] == [charge]
    at_counter.post(reverse("cashiering:pay"), _pay_data(at_counter, ["42.00"], cash="50.00"))
    assert Receipt.objects.get().total == D("42.00")
