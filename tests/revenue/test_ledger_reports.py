"""Account activity and journal entry pages: the drill-down under the trial balance."""

import datetime
import io

import openpyxl
import pytest
from django.urls import reverse

from revenue import services
from tests.conftest import D


@pytest.fixture
def activity(party, make_charge, undeposited, clerk, admin_user):
    charge = make_charge(party, "100.00")
    payment = services.payment_post(
        party=party,
        amount=D("60.00"),
        applications=[(charge, D("60.00"))],
        debit_account=undeposited,
        acting_user=clerk,
        reference="R2027-000001",
    )
    return charge, payment


def test_account_activity_runs_a_balance_on_the_normal_side(client, supervisor, activity, accounts):
    client.force_login(supervisor)
    today = services.city_today()
    receivable = client.get(
        reverse("account_activity", args=["100-1210"]), {"start": today.isoformat(), "end": today.isoformat()}
    ).context["activity"]
    assert [r.balance for r in receivable.rows] == [D("100.00"), D("40.00")]
    assert (receivable.opening, receivable.closing) == (D("0.00"), D("40.00"))
    revenue = client.get(reverse("account_activity", args=["100-4150"])).context["activity"]
    assert revenue.closing == D("100.00")  # a revenue account's balance is shown as a credit


def test_account_activity_opening_balance_counts_what_came_before(client, supervisor, activity):
    client.force_login(supervisor)
    tomorrow = services.city_today() + datetime.timedelta(days=1)
    later = client.get(
        reverse("account_activity", args=["100-1210"]),
        {"start": tomorrow.isoformat(), "end": tomorrow.isoformat()},
    ).context["activity"]
    assert later.rows == [] and later.opening == later.closing == D("40.00")


def test_account_activity_refuses_a_backwards_range(client, supervisor, activity):
    client.force_login(supervisor)
    response = client.get(
        reverse("account_activity", args=["100-1210"]), {"start": "2026-12-01", "end": "2026-11-01"}
    )
    assert response.status_code == 200
    assert "The start date is after the end date" in response.content.decode()


def test_account_activity_xlsx_has_every_line_and_the_closing_balance(client, auditor, activity):
    client.force_login(auditor)
    today = services.city_today().isoformat()
    response = client.get(reverse("account_activity_xlsx", args=["100-1210"]), {"start": today, "end": today})
    ws = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(ws.iter_rows(min_row=5, values_only=True))
    assert rows[0][2] == "Opening balance" and rows[0][6] == 0
    assert [r[6] for r in rows[1:-1]] == [100, 40]
    assert rows[-1][4:] == (100, 60, 40)


def test_journal_entry_page_shows_lines_and_reversal(client, auditor, activity, clerk):
    _charge, payment = activity
    services.payment_reverse(payment=payment, acting_user=clerk, reason="Check returned")
    payment.refresh_from_db()
    client.force_login(auditor)
    page = client.get(reverse("journal_entry", args=[payment.journal_entry.number])).content.decode()
    assert "Reversed by" in page and payment.reversal_entry.number in page
    assert "100-1050" in page and "60.00" in page
    reversal = client.get(reverse("journal_entry", args=[payment.reversal_entry.number])).content.decode()
    assert "This entry reverses" in reversal


def test_unknown_account_or_entry_is_404(client, supervisor, accounts):
    client.force_login(supervisor)
    assert client.get(reverse("account_activity", args=["999-9999"])).status_code == 404
    assert client.get(reverse("journal_entry", args=["J2027-999999"])).status_code == 404


def test_a_bad_as_of_date_falls_back_to_today(client, supervisor, accounts):
    client.force_login(supervisor)
    response = client.get(reverse("trial_balance"), {"as_of": "not-a-date"})
    assert response.status_code == 200 and response.context["as_of"] == services.city_today()


def test_journal_entries_are_found_by_number_only_by_roles_that_may_open_them(
    client, clerk, supervisor, activity
):
    charge, _payment = activity
    number = charge.journal_entry.number
    client.force_login(supervisor)
    response = client.get(reverse("search"), {"q": number})
    assert response.status_code == 302 and response.url == reverse("journal_entry", args=[number])
    client.force_login(clerk)
    assert client.get(reverse("search"), {"q": number}).context["documents"] == []


def test_the_trial_balance_pdf_never_leaves_its_totals_alone_on_the_last_page(client, supervisor, accounts):
    """Account by account, the trial balance grows across a page break: at no length is the last
    page only the totals (the fund's last rows move over with them)."""
    import re

    from pypdf import PdfReader

    from revenue.models import Account

    cash = accounts["100-1050"]
    client.force_login(supervisor)
    pages_seen = set()
    for i in range(60):
        account = Account.objects.create(
            number=f"100-7{i:03d}", name=f"Test expense {i}", fund=cash.fund, type=Account.Type.EXPENSE
        )
        services.journal_post(
            lines=[services.Line(account, debit=D("1.00")), services.Line(cash, credit=D("1.00"))],
            memo="test",
            acting_user=supervisor,
        )
        if i < 15:
            continue  # the first page is far from full
        pages = PdfReader(io.BytesIO(client.get(reverse("trial_balance_pdf")).content)).pages
        pages_seen.add(len(pages))
        if len(pages) > 1:
            last = pages[-1].extract_text()
            assert re.search(r"\d{3}-\d{4} ", last), f"{i + 1} accounts: the last page is only totals"
        if len(pages_seen) > 1 and i > 50:
            break
    assert pages_seen >= {1, 2}
