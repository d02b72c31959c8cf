"""The invoice list shows each invoice's balance next to its total, read in the same SQL as the
page (no query per row), with totals of every invoice that matches, one page at a time."""

import datetime

from django.urls import reverse

from receivables.views.invoices import INVOICES_PER_PAGE
from revenue import services as core
from tests.conftest import D

from .factories import make_invoice, pay


def test_the_list_shows_the_balance_next_to_the_total(
    client, ar_policy, clerk, admin_user, party, undeposited
):
    today = core.city_today()
    part_paid = make_invoice(party, "100.00", invoice_date=today, acting_user=admin_user)
    unpaid = make_invoice(party, "40.00", "2.50", invoice_date=today, acting_user=admin_user)
    pay(part_paid, "60.00", on=today, acting_user=clerk, undeposited=undeposited)
    client.force_login(clerk)
    response = client.get(reverse("receivables:invoice_list"))
    rows = {inv.number: (inv.total, inv.balance) for inv in response.context["invoices"]}
    assert rows == {part_paid.number: (D("100.00"), D("40.00")), unpaid.number: (D("42.50"), D("42.50"))}
    page = response.content.decode()
    assert '<th class="text-end">Balance</th>' in page
    row = page.split(f">{part_paid.number}</a>", 1)[1].split("</tr>", 1)[0]
    assert "$100.00" in row and "$40.00" in row
    assert response.context["sums"] == {"total": D("142.50"), "balance": D("82.50")}
    assert 'id="sum-balance">$82.50<' in page


def test_the_list_is_paged_with_totals_of_every_match_in_a_fixed_number_of_queries(
    client, ar_policy, clerk, admin_user, party, django_assert_max_num_queries
):
    day = core.city_today() - datetime.timedelta(days=3)
    for _ in range(INVOICES_PER_PAGE + 1):
        make_invoice(party, "10.00", invoice_date=day, acting_user=admin_user)
    client.force_login(clerk)
    url = reverse("receivables:invoice_list")
    with django_assert_max_num_queries(20):
        first = client.get(url)
    assert len(first.context["invoices"]) == INVOICES_PER_PAGE
    assert first.context["sums"]["balance"] == D("10.00") * (INVOICES_PER_PAGE + 1)
    assert 'id="next-page"' in first.content.decode()
    second = client.get(url, {"page": "2"})
    assert len(second.context["invoices"]) == 1
    assert (
        len(client.get(url, {"page": "99"}).context["invoices"]) == INVOICES_PER_PAGE
    )  # out of range: page 1
