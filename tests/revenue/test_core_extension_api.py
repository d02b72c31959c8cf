"""The core API the duty apps use instead of the core's tables: the policy in force, open
charges and their balance (ORM and SQL), reports served one way, the status badge."""

import datetime
import io
from decimal import Decimal

import openpyxl
import pytest
from django.db import connection
from django.template import Context, Template
from django.test import RequestFactory

from cashiering.models import CashieringPolicy
from revenue import services
from revenue.documents import Column
from revenue.models import Charge, charge_balance_sql
from revenue.reporting import Link, Report, report_response
from tests.conftest import D

pytestmark = pytest.mark.django_db


def _policy(day, user, **extra):
    return CashieringPolicy.objects.create(
        effective_from=day,
        over_short_explain_over=D("5.00"),
        check_overpayment="credit",
        card_overpayment="refuse",
        no_checks_days=180,
        created_by=user,
        **extra,
    )


def test_policy_on_is_the_latest_effective_on_or_before_the_day(admin_user):
    old = _policy(datetime.date(2026, 1, 1), admin_user)
    new = _policy(datetime.date(2026, 7, 1), admin_user)
    assert services.policy_on(CashieringPolicy, datetime.date(2026, 6, 30)) == old
    assert services.policy_on(CashieringPolicy, datetime.date(2026, 7, 1)) == new
    assert services.policy_on(CashieringPolicy, datetime.date(2027, 1, 1)) == new


def test_with_no_policy_in_force_every_app_is_refused_the_same_way(admin_user):
    _policy(datetime.date(2026, 7, 1), admin_user)
    with pytest.raises(services.NoPolicyInForce, match=r"No .*policy is in force on 06/30/2026"):
        services.policy_on(CashieringPolicy, datetime.date(2026, 6, 30))
    assert issubclass(services.NoPolicyInForce, services.RevenueError)


def test_open_charges_and_their_balance_in_the_orm_and_in_sql(party, make_charge, undeposited, clerk):
    paid = make_charge(party, "40.00")
    part = make_charge(party, "30.00")
    untouched = make_charge(party, "20.00")
    services.payment_post(
        party=party,
        amount=D("50.00"),
        applications=[(paid, D("40.00")), (part, D("10.00"))],
        debit_account=undeposited,
        acting_user=clerk,
    )
    services.charge_adjust(charge=part, amount=D("5.00"), kind="waiver", acting_user=clerk, reason="Test")
    mine = Charge.objects.filter(party=party)
    assert set(mine.open()) == {part, untouched}
    assert mine.balance_total() == D("35.00")
    assert {c.pk: c.open_balance for c in mine.with_balance()} == {
        paid.pk: D("0.00"),
        part.pk: D("15.00"),
        untouched.pk: D("20.00"),
    }
    with connection.cursor() as cur:
        cur.execute(
            f"SELECT c.id, {charge_balance_sql('c')} FROM revenue_charge c WHERE c.party_id = %s", [party.pk]
        )
        assert dict(cur.fetchall()) == {paid.pk: D("0.00"), part.pk: D("15.00"), untouched.pk: D("20.00")}
    with pytest.raises(ValueError):
        charge_balance_sql("c; DROP TABLE x")


def _report():
    return Report(
        title="Test report",
        subtitle="All of it",
        columns=[Column("Name"), Column("Due", "date"), Column("Count", "int"), Column("Amount", "money")],
        rows=[
            [Link("=1+1 Smith", "/parties/P000001/"), datetime.date(2026, 7, 31), 1200, Decimal("1234.50")],
            ["Jones", None, 3, Decimal("-5.00")],
        ],
        totals=["Total", None, 1203, Decimal("1229.50")],
        filename="test-report",
    )


def test_a_report_is_one_table_on_screen(clerk):
    request = RequestFactory().get("/r/", {"x": "1"})
    request.user = clerk
    html = report_response(request, _report()).content.decode()
    assert '<a href="/parties/P000001/">=1+1 Smith</a>' in html
    assert "07/31/2026" in html and "1,200" in html and "$1,234.50" in html and "($5.00)" in html
    assert "$1,229.50" in html
    assert "format=xlsx" in html and "x=1" in html  # the Excel button keeps the report's parameters


def test_the_same_report_as_xlsx_has_its_columns_rows_and_totals(clerk):
    request = RequestFactory().get("/r/", {"format": "xlsx"})
    request.user = clerk
    response = report_response(request, _report())
    assert response["Content-Disposition"] == 'attachment; filename="test-report.xlsx"'
    ws = openpyxl.load_workbook(io.BytesIO(response.content)).active
    values = [[c.value for c in row] for row in ws.iter_rows(min_row=4, max_row=7)]
    assert values[0] == ["Name", "Due", "Count", "Amount"]
    assert values[1] == ["=1+1 Smith", datetime.datetime(2026, 7, 31), 1200, 1234.5]  # noqa: DTZ001 - a link is its text
    assert values[2] == ["Jones", None, 3, -5]
    assert values[3] == ["Total", None, 1203, 1229.5]
    assert ws["D5"].number_format == "#,##0.00;(#,##0.00)"


def test_a_report_without_a_printed_form_has_no_pdf_and_unknown_formats_are_404(clerk):
    from django.http import Http404

    for fmt in ("pdf", "csv"):
        request = RequestFactory().get("/r/", {"format": fmt})
        request.user = clerk
        with pytest.raises(Http404):
            report_response(request, _report())


def test_totals_must_match_the_columns():
    with pytest.raises(ValueError, match="totals have 1 cells for 2 columns"):
        Report(title="Bad", columns=[Column("A"), Column("B")], rows=[], totals=["x"])


def test_status_badge_colours_a_status_the_same_everywhere():
    class Thing:
        status = "paid"

        def get_status_display(self):
            return "Paid"

    class Plan(Thing):
        STATUS_BADGES = {"active": "primary"}
        status = "active"

        def get_status_display(self):
            return "Active"

    template = Template('{% status_badge thing id="thing-status" %} {% status_badge plan %}')
    html = template.render(Context({"thing": Thing(), "plan": Plan()}))
    assert '<span class="badge text-bg-success" id="thing-status">Paid</span>' in html
    assert '<span class="badge text-bg-primary">Active</span>' in html
