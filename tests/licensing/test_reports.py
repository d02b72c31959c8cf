"""The license posting reconciliation, the State's share, past-due letters, the party page."""

import io

import openpyxl
from django.urls import reverse

from licensing import reports
from licensing import services as ls
from revenue import services
from revenue.services import Line
from tests.conftest import D
from tests.licensing.test_licenses import _pay_all
from tests.pdf import pdf_text


def _issue(make_business, clerk, supervisor, admin_user):
    license = ls.application_submit(business=make_business(code="PRO", employees=4), acting_user=clerk)
    ls.signoff_add(license=license, item="Zoning", acting_user=supervisor)
    ls.application_approve(license=license, acting_user=supervisor)
    _pay_all(license, clerk, admin_user)
    return license


def test_the_ledger_agrees_with_the_licenses_and_a_stray_posting_shows_up(
    make_business, clerk, supervisor, admin_user, accounts, client
):
    _issue(make_business, clerk, supervisor, admin_user)
    today = services.city_today()
    rec = reports.posting_reconciliation(start=today, end=today)
    assert (rec.issued_new, rec.issued_renewals) == (1, 0)
    assert rec.balanced
    assert {r.account.number: r.from_licenses for r in rec.rows} == {
        "100-2210": D("0.40"),
        "100-4110": D("160.00"),
        "100-4180": D("3.60"),
        "100-4190": D("25.00"),
    }

    services.journal_post(
        lines=[
            Line(account=accounts["100-1050"], debit=D("12.00")),
            Line(account=accounts["100-4110"], credit=D("12.00"), memo="keyed to the wrong account"),
        ],
        memo="Manual",
        acting_user=admin_user,
    )
    rec = reports.posting_reconciliation(start=today, end=today)
    assert not rec.balanced
    (stray,) = rec.unexplained
    assert stray.credit == D("12.00") and stray.memo == "keyed to the wrong account"
    client.force_login(supervisor)
    ws = openpyxl.load_workbook(
        io.BytesIO(
            client.get(reverse("licensing:reconciliation_xlsx"), {"start": today, "end": today}).content
        )
    ).active
    rows = list(ws.iter_rows(min_row=5, values_only=True))
    tax_row = next(r for r in rows if r[1] == "100-4110")
    assert tax_row[3:] == (160, 172, 12)
    assert any(str(r[0]).startswith("Not from a license") for r in rows)
    assert reports.state_share_by_quarter(year=today.year)[(today.month - 1) // 3][1] == D("0.40")


def test_the_party_page_lists_its_licenses(client, make_business, clerk, party):
    license = ls.application_submit(business=make_business(), acting_user=clerk)
    client.force_login(clerk)
    page = client.get(party.get_absolute_url()).content.decode()
    assert "Business licenses" in page and license.number in page


def test_past_due_letters_only_after_the_delinquency_date(client, supervisor, classes):
    year = ls.current_tax_year()
    client.force_login(supervisor)
    text = pdf_text(client.get(reverse("licensing:past_due_letters", args=[year])).content)
    assert "No renewals are waiting" in text


def test_a_waived_license_fee_is_explained_in_the_reconciliation(
    make_business, clerk, supervisor, other_supervisor
):
    license = ls.application_submit(business=make_business(code="PRO"), acting_user=clerk)
    ls.signoff_add(license=license, item="Zoning", acting_user=supervisor)
    ls.application_approve(license=license, acting_user=supervisor)
    fee = license.charges().get(fee_type__code="BL-PROC")
    services.charge_adjust(
        charge=fee, amount=fee.amount, kind="waiver", acting_user=supervisor, reason="error"
    )
    today = services.city_today()
    rec = reports.posting_reconciliation(start=today, end=today)
    assert rec.balanced and rec.unexplained == []
