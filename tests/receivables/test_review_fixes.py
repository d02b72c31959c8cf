"""Fixes of the review's defects: a promise to pay is kept only by money paid on the customer's
invoices; the statement ages as the aging report does; odd query strings (a Unicode digit, a NUL
byte) do not crash the receivables pages."""

import datetime

import pytest
from django.urls import reverse

from receivables import collections, invoices
from receivables.models import DunningRun
from revenue import services
from tests.conftest import D

from .factories import due_days_ago, pay

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)


@pytest.fixture
def today():
    return services.city_today()


def _names(day):
    return [r["party_name"] for r in collections.worklist(day)]


# --------------------------------------------------------------------------- 2. promises kept


def test_promise_not_kept_despite_unrelated_payment(
    ar_policy, party, clerk, admin_user, undeposited, make_charge, today
):
    invoice = due_days_ago(party, 35, "500.00", acting_user=admin_user)
    collections.followup_log(
        party=party,
        kind="call",
        note="Will pay Friday",
        acting_user=clerk,
        invoice=invoice,
        promise_on=today,
        promise_amount="500.00",
    )
    other = make_charge(party, "500.00", description="Business license")
    services.payment_post(
        party=party,
        amount=D("500.00"),
        applications=[(other, D("500.00"))],
        debit_account=undeposited,
        acting_user=admin_user,
        reference="license",
    )
    assert collections.invoice_balance(invoice) == D("500.00")
    rows = {r["party_name"]: r for r in collections.worklist(today + DAY)}
    assert party.name in rows
    assert rows[party.name]["paid_since"] == 0
    assert rows[party.name]["reason"].startswith("Promise to pay by")


def test_promise_without_invoice_ignores_unrelated_payment_but_counts_any_invoice(
    ar_policy, party, clerk, admin_user, undeposited, make_charge, today
):
    first = due_days_ago(party, 35, "300.00", acting_user=admin_user)
    second = due_days_ago(party, 65, "300.00", acting_user=admin_user)
    collections.followup_log(
        party=party,
        kind="call",
        note="Will pay 300 on the account",
        acting_user=clerk,
        promise_on=today,
        promise_amount="300.00",
    )
    other = make_charge(party, "300.00", description="Parking citation")
    services.payment_post(
        party=party,
        amount=D("300.00"),
        applications=[(other, D("300.00"))],
        debit_account=undeposited,
        acting_user=admin_user,
        reference="citation",
    )
    assert party.name in _names(today + DAY)  # a parking ticket is not the promised money
    pay(second, "300.00", on=today, acting_user=admin_user, undeposited=undeposited)
    assert collections.invoice_balance(first) == D("300.00")
    assert party.name not in _names(today + DAY)  # paid on one of the customer's invoices: kept


def test_promise_on_one_invoice_is_not_kept_by_paying_another(
    ar_policy, party, clerk, admin_user, undeposited, today
):
    promised = due_days_ago(party, 35, "200.00", acting_user=admin_user)
    other = due_days_ago(party, 65, "200.00", acting_user=admin_user)
    collections.followup_log(
        party=party,
        kind="call",
        note="Will pay the March invoice",
        acting_user=clerk,
        invoice=promised,
        promise_on=today,
        promise_amount="200.00",
    )
    pay(other, "200.00", on=today, acting_user=admin_user, undeposited=undeposited)
    rows = {r["party_name"]: r for r in collections.worklist(today + DAY)}
    assert party.name in rows and rows[party.name]["reason"].startswith("Promise to pay by")
    pay(promised, "200.00", on=today, acting_user=admin_user, undeposited=undeposited)
    assert party.name not in _names(today + DAY)  # nothing past due any more


def test_promise_on_invoice_kept_by_paying_its_late_fee_and_lines(
    ar_policy, party, clerk, admin_user, senior_clerk, undeposited, today
):
    promised = due_days_ago(party, 95, "200.00", acting_user=admin_user)
    due_days_ago(party, 125, "200.00", acting_user=admin_user)  # keeps the customer past due
    collections.dunning_run(on=today, acting_user=senior_clerk)  # final notice: $25 fee on each
    assert collections.invoice_balance(promised) == D("225.00")
    collections.followup_log(
        party=party,
        kind="call",
        note="Will pay it all",
        acting_user=clerk,
        invoice=promised,
        promise_on=today,
        promise_amount="225.00",
    )
    pay(promised, "225.00", on=today, acting_user=admin_user, undeposited=undeposited)
    assert party.name not in _names(today + DAY)


# --------------------------------------------------------------------------- 3. statement aging


def test_statement_aging_agrees_with_aging_report(ar_policy, party, admin_user, senior_clerk, today):
    invoice = due_days_ago(party, 95, "100.00", acting_user=admin_user)
    collections.dunning_run(on=today, acting_user=senior_clerk)
    report = collections.aging(today, party=party)
    st = invoices.statement_compute(party=party, start=invoice.invoice_date, end=today)
    assert st.aging_total == report.total == D("125.00")
    assert [amount for _label, amount in st.aging] == report.totals == [0, 0, 0, 0, D("125.00")]
    fee_item = [i for i in st.open_items if i["charge"].amount == D("25.00")]
    assert fee_item and fee_item[0]["days_past_due"] == 95


def test_statement_aging_agrees_with_aging_report_in_the_past(
    ar_policy, party, admin_user, senior_clerk, today
):
    invoice = due_days_ago(party, 95, "100.00", acting_user=admin_user)
    collections.dunning_run(on=today - 5 * DAY, acting_user=senior_clerk)  # 90 days: $25 fee
    expect = {
        today - 6 * DAY: [0, 0, 0, D("100.00"), 0],  # 89 days, no fee yet
        today - 5 * DAY: [0, 0, 0, D("125.00"), 0],  # 90 days, the fee assessed that day with it
        today: [0, 0, 0, 0, D("125.00")],
    }
    for end, totals in expect.items():
        report = collections.aging(end, party=party)
        st = invoices.statement_compute(party=party, start=invoice.invoice_date, end=end)
        assert [amount for _label, amount in st.aging] == report.totals == totals, end


# --------------------------------------------------------------------------- 4. ?part=


@pytest.mark.parametrize("part", ["\u00b2", "\u0662", "\uff12", "-1", "0", "99", "1.5", "x", " 1", ""])
def test_dunning_letters_odd_part_is_not_500(client, ar_policy, supervisor, today, part):
    run = DunningRun.objects.create(run_on=today, started_by=supervisor)
    client.force_login(supervisor)
    client.raise_request_exception = False
    response = client.get(reverse("receivables:dunning_letters", args=[run.pk]), {"part": part})
    assert response.status_code == 200
    assert "part1.pdf" in response["Content-Disposition"]


def test_dunning_letters_part_two(client, ar_policy, supervisor, today):
    run = DunningRun.objects.create(run_on=today, started_by=supervisor, letters=600)
    client.force_login(supervisor)
    response = client.get(reverse("receivables:dunning_letters", args=[run.pk]), {"part": "2"})
    assert response.status_code == 200 and "part2.pdf" in response["Content-Disposition"]


# --------------------------------------------------------------------------- 5. NUL bytes


def test_invoice_list_nul_in_query_is_not_500(client, ar_policy, clerk, admin_user, party):
    due_days_ago(party, 5, "10.00", acting_user=admin_user)
    client.force_login(clerk)
    client.raise_request_exception = False
    for params in ({"q": "INV\x00"}, {"q": "\x00"}, {"status": "open\x00"}, {"q": "x", "status": "\x00"}):
        response = client.get(reverse("receivables:invoice_list"), params)
        assert response.status_code == 400, params  # a NUL is refused before the view (issue 12)


def test_invoice_list_search_still_works(client, ar_policy, clerk, admin_user, party):
    invoice = due_days_ago(party, 5, "10.00", acting_user=admin_user)
    client.force_login(clerk)
    found = client.get(reverse("receivables:invoice_list"), {"q": f"  {invoice.number} "})
    assert list(found.context["invoices"]) == [invoice]
    assert found.context["q"] == invoice.number
    by_name = client.get(reverse("receivables:invoice_list"), {"q": "rosa alvarez"})
    assert list(by_name.context["invoices"]) == [invoice]


@pytest.mark.parametrize("name", ["receivables:aging", "receivables:aging_xlsx"])
def test_aging_nul_in_party_is_not_500(client, ar_policy, supervisor, name):
    client.force_login(supervisor)
    client.raise_request_exception = False
    for params in ({"party": "P\x00"}, {"as_of": "2026-01-01\x00"}, {"detail": "\x00"}):
        response = client.get(reverse(name), params)
        assert response.status_code in (200, 302, 400), params


def test_aging_party_still_found(client, ar_policy, supervisor, party, admin_user):
    due_days_ago(party, 5, "10.00", acting_user=admin_user)
    client.force_login(supervisor)
    response = client.get(reverse("receivables:aging"), {"party": f" {party.number.lower()} "})
    assert response.status_code == 200 and response.context["party"] == party


def test_new_invoice_nul_in_party_is_not_500(client, ar_policy, clerk, party):
    client.force_login(clerk)
    client.raise_request_exception = False
    url = reverse("receivables:invoice_new")
    assert client.get(url, {"party": "P\x00"}).status_code == 400
    ok = client.get(url, {"party": party.number})
    assert ok.status_code == 200 and ok.context["customer"] == party


def test_new_invoice_post_with_nul_in_party_is_not_500(client, ar_policy, clerk):
    client.force_login(clerk)
    client.raise_request_exception = False
    url = reverse("receivables:invoice_new")
    token = client.get(url).context["form"].initial["token"]
    posted = client.post(url, {"token": token, "party_number": "P\x00", "line-TOTAL_FORMS": "6",
                               "line-INITIAL_FORMS": "0"})  # fmt: skip
    assert posted.status_code == 400


def test_followup_and_other_get_parameters_with_nul_are_not_500(
    client, ar_policy, supervisor, party, admin_user
):
    invoice = due_days_ago(party, 35, "10.00", acting_user=admin_user)
    client.force_login(supervisor)
    client.raise_request_exception = False
    checks = [
        (reverse("receivables:followup_new", args=[party.pk]), {"invoice": "\x00"}),
        (reverse("receivables:followup_new", args=[party.pk]), {"invoice": invoice.number + "\x00"}),
        (reverse("receivables:referrals"), {"all": "1\x00"}),
        (reverse("receivables:referrals_xlsx"), {"all": "\x00"}),
        (reverse("receivables:statistics"), {"fiscal_year": "2026\x00"}),
        (reverse("receivables:statistics"), {"fiscal_year": "\u00b2"}),
        (reverse("receivables:statistics_xlsx"), {"fiscal_year": "\x00"}),
        (reverse("receivables:statement", args=[party.pk]), {"start": "\x00", "end": "2026-01-01"}),
        (reverse("receivables:statement_pdf", args=[party.pk]), {"start": "\x00"}),
    ]
    for url, params in checks:
        assert client.get(url, params).status_code in (200, 400), (url, params)
