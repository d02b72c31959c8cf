"""Aging as of any date: balances as they stood then, buckets exact to the day."""

import datetime

import pytest
from django.urls import reverse

from receivables.selectors import aging, bucket_labels, bucket_of
from revenue import services
from tests.conftest import D

from .factories import due_days_ago, make_invoice, pay

DAY = datetime.timedelta(days=1)
JAN = datetime.date(2025, 1, 10)  # due 02/09/2025 on net 30


@pytest.fixture
def invoice(ar_policy, party, admin_user):
    return make_invoice(party, "300.00", "200.00", invoice_date=JAN, acting_user=admin_user)


def test_bucket_labels_follow_the_policy_edges():
    assert bucket_labels([30, 60, 90]) == ["Current", "1–30", "31–60", "61–90", "Over 90"]


@pytest.mark.parametrize(
    ("days", "label"),
    [
        (-5, "Current"),
        (0, "Current"),
        (1, "1–30"),
        (29, "1–30"),
        (30, "1–30"),
        (31, "31–60"),
        (60, "31–60"),
        (61, "61–90"),
        (90, "61–90"),
        (91, "Over 90"),
    ],
)
def test_bucket_edges_are_exact_to_the_day(invoice, days, label):
    as_of = invoice.due_on + datetime.timedelta(days=days)
    report = aging(as_of)
    (row,) = report.invoices
    assert row.days_past_due == days
    assert report.labels[row.bucket] == label
    assert report.totals[report.labels.index(label)] == D("500.00")
    assert report.total == D("500.00")


def test_bucket_of_with_other_edges():
    assert [bucket_of(d, [15, 45]) for d in (0, 15, 16, 45, 46)] == [0, 1, 2, 2, 3]


def test_invoice_not_yet_issued_on_the_date_is_not_in_the_aging(invoice):
    assert aging(JAN - DAY).invoices == []
    assert aging(JAN).total == D("500.00")


def test_paid_yesterday_still_owed_the_day_before(invoice, admin_user, undeposited):
    paid_on = invoice.due_on + datetime.timedelta(days=40)
    pay(invoice, "500.00", on=paid_on, acting_user=admin_user, undeposited=undeposited)
    before = aging(paid_on - DAY)
    assert before.total == D("500.00")
    assert before.invoices[0].bucket == 2  # 31-60
    assert aging(paid_on).invoices == []
    assert aging(paid_on + DAY).total == D("0.00")


def test_partial_payments_reduce_the_balance_from_their_date(invoice, admin_user, undeposited):
    first = invoice.due_on + datetime.timedelta(days=10)
    second = invoice.due_on + datetime.timedelta(days=20)
    pay(invoice, "120.00", on=first, acting_user=admin_user, undeposited=undeposited)
    pay(invoice, "80.50", on=second, acting_user=admin_user, undeposited=undeposited)
    assert aging(first - DAY).total == D("500.00")
    assert aging(first).total == D("380.00")
    assert aging(second).total == D("299.50")
    (row,) = aging(second).invoices
    assert row.balance == D("299.50")
    assert row.total == D("500.00")


def test_payment_reversed_later_counts_until_its_reversal(invoice, admin_user, undeposited):
    paid_on = invoice.due_on + datetime.timedelta(days=5)
    payment = pay(invoice, "500.00", on=paid_on, acting_user=admin_user, undeposited=undeposited)
    reversed_on = paid_on + datetime.timedelta(days=12)
    services.payment_reverse(payment=payment, acting_user=admin_user, reason="Returned check", on=reversed_on)
    assert aging(paid_on - DAY).total == D("500.00")
    assert aging(paid_on).total == D("0.00")
    assert aging(reversed_on - DAY).total == D("0.00")
    assert aging(reversed_on).total == D("500.00")


def test_write_off_counts_from_its_entry_date(invoice, admin_user):
    for charge in invoice.charges():
        services.charge_adjust(
            charge=charge, amount=charge.balance, kind="write_off", acting_user=admin_user, reason="x"
        )
    today = services.city_today()
    assert aging(today - DAY).total == D("500.00")
    assert aging(today).total == D("0.00")


def test_by_customer_and_in_total(invoice, ar_policy, other_party, admin_user):
    make_invoice(other_party, "75.00", invoice_date=JAN + datetime.timedelta(days=40), acting_user=admin_user)
    as_of = invoice.due_on + datetime.timedelta(days=45)  # 45 and 5 days past due
    report = aging(as_of)
    by_name = {c.party_name: c for c in report.customers}
    assert by_name["Alvarez, Rosa"].buckets == [D("0"), D("0"), D("500.00"), D("0"), D("0")]
    assert by_name["Harbor Light Hotel LLC"].buckets == [D("0"), D("75.00"), D("0"), D("0"), D("0")]
    assert report.totals == [D("0"), D("75.00"), D("500.00"), D("0"), D("0")]
    assert report.total == D("575.00")
    only = aging(as_of, party=other_party)
    assert only.total == D("75.00")


def test_aging_page_and_xlsx(client, supervisor, invoice, party):
    client.force_login(supervisor)
    as_of = invoice.due_on + datetime.timedelta(days=31)
    page = client.get(reverse("receivables:aging"), {"as_of": as_of.isoformat()})
    assert page.status_code == 200
    assert b"Alvarez, Rosa" in page.content and b"$500.00" in page.content
    drill = client.get(reverse("receivables:aging"), {"as_of": as_of.isoformat(), "party": party.number})
    assert invoice.number.encode() in drill.content
    xlsx = client.get(reverse("receivables:aging_xlsx"), {"as_of": as_of.isoformat()})
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"


def test_aging_page_bad_date_is_a_message_not_an_error(client, supervisor, ar_policy):
    client.force_login(supervisor)
    page = client.get(reverse("receivables:aging"), {"as_of": "31/31/2025"})
    assert page.status_code == 200
    assert b"Enter a date" in page.content


def test_aging_needs_the_reports_permission(client, clerk, ar_policy):
    client.force_login(clerk)
    assert client.get(reverse("receivables:aging")).status_code == 403


@pytest.mark.parametrize("name", ["receivables:aging", "receivables:aging_xlsx"])
def test_aging_nul_in_party_is_not_500(client, ar_policy, supervisor, name):
    client.force_login(supervisor)
    client.raise_request_exception = False
    for params in ({"party": "P\x00"}, {"as_of": "2026-01-01\x00"}, {"detail": "\x00"}):
        response = client.get(reverse(name), params)
        assert response.status_code == 400, params  # a NUL is refused before any view, changing nothing


def test_aging_party_still_found(client, ar_policy, supervisor, party, admin_user):
    due_days_ago(party, 5, "10.00", acting_user=admin_user)
    client.force_login(supervisor)
    response = client.get(reverse("receivables:aging"), {"party": f" {party.number.lower()} "})
    assert response.status_code == 200 and response.context["party"] == party


def test_aging_page_shows_a_page_of_invoices_with_the_totals_of_all(
    client, supervisor, ar_policy, party, admin_user, monkeypatch
):
    from receivables.views import collections

    monkeypatch.setattr(collections, "AGING_PER_PAGE", 2)
    invoices = [
        make_invoice(party, f"{10 + i}.00", invoice_date=JAN, acting_user=admin_user) for i in range(3)
    ]
    client.force_login(supervisor)
    as_of = invoices[0].due_on + datetime.timedelta(days=5)
    first = client.get(reverse("receivables:aging"), {"as_of": as_of.isoformat(), "detail": "1"})
    body = first.content.decode()
    assert [inv.number for inv in first.context["page"]] == [invoices[0].number, invoices[1].number]
    assert invoices[2].number not in body and "Page 1 of 2 · 3 invoices" in body
    assert "$33.00" in body  # the total of every invoice, not of the page
    second = client.get(
        reverse("receivables:aging"), {"as_of": as_of.isoformat(), "detail": "1", "page": "2"}
    )
    assert [inv.number for inv in second.context["page"]] == [invoices[2].number]
