"""The six utility reports: each one's totals equal the ledger or the rows they count, a page of
a long list, the .xlsx of every row, and who may see them."""

import datetime
import io
from decimal import Decimal as D

import openpyxl
import pytest
from django.db.models import Sum
from django.utils import timezone

from revenue import services as core
from revenue.models import JournalLine
from tests.utility_billing.test_deposits import _bill
from utility_billing import demo, reports
from utility_billing.models import BillRun, Meter, Reading, ServiceOrder
from utility_billing.services import deposits
from utility_billing.services.orders import order_open

pytestmark = pytest.mark.django_db


@pytest.fixture
def utility(accounts, admin_user, field_crew):
    return demo.load_utility(acting_user=admin_user)


def _ledger(number):
    t = JournalLine.objects.filter(account__number=number).aggregate(dr=Sum("debit"), cr=Sum("credit"))
    return (t["dr"] or 0) - (t["cr"] or 0)


def _owing(utility, user):
    """Bills of several ages, one paid in part, and a deposit never paid."""
    today = core.city_today()
    a, b, c = utility["accounts"][30:33]
    old = _bill(a, user, ["70.00", "30.00"], kind="regular", bill_date=today - datetime.timedelta(days=100))
    part = _bill(b, user, ["80.00"], kind="regular", bill_date=today - datetime.timedelta(days=45))
    core.payment_post(
        party=b.party,
        amount=D("25.00"),
        applications=[(part.lines.get().charge, D("25.00"))],
        debit_account=core.account_for_role("undeposited"),
        acting_user=user,
    )
    _bill(c, user, ["55.55"], kind="regular", bill_date=today)
    deposits.deposit_charge(account=c, amount="100.00", acting_user=user)
    return old


def test_aging_totals_equal_the_receivable_in_the_ledger(utility, admin_user):
    _owing(utility, admin_user)
    report, page = reports.aging_report(page=1)
    total = report.totals[-1]
    assert total == _ledger("501-1210") == D("100.00") + D("55.00") + D("55.55") + D("100.00")
    labels = [c.title for c in report.columns]
    buckets = dict(zip(labels[6:11], report.totals[6:11], strict=True))
    assert buckets["61–90 days"] == D("100.00")  # due 79 days ago
    assert buckets["1–30 days"] == D("55.00")  # due 24 days ago, 25.00 paid
    assert buckets["Current"] == D("155.55")
    assert sum(buckets.values()) == total
    assert page.count == len(report.rows) == 3
    by_account = {r[0]: r[-1] for r in report.rows}
    assert by_account[utility["accounts"][32].number] == D("155.55")  # the bill and the deposit


def test_aging_pages_keep_the_totals_of_every_row(utility, admin_user, monkeypatch):
    _owing(utility, admin_user)
    monkeypatch.setattr(reports, "PAGE", 2)
    first, page = reports.aging_report(page=1)
    second, _ = reports.aging_report(page=2)
    whole, none = reports.aging_report(page=None)
    assert none is None and len(whole.rows) == 3
    assert first.totals == second.totals == whole.totals


def _run(utility, user):
    today = core.city_today()
    run = BillRun.objects.create(
        number="BR-TEST-1",
        cycle=utility["cycles"]["monthly"],
        period_start=demo.month_end(2) + datetime.timedelta(days=1),
        period_end=demo.month_end(1),
        bill_date=today,
        due_on=today + datetime.timedelta(days=21),
        status=BillRun.Status.POSTED,
        created_by=user,
    )
    bills = [
        _bill(a, user, amounts, kind="regular")
        for a, amounts in zip(
            utility["accounts"][40:43], [["31.10", "12.00"], ["44.40"], ["9.99", "1.01"]], strict=True
        )
    ]
    for b in bills:
        b.run = run
        b.save(update_fields=["run"])
    return run, bills


def test_register_totals_equal_the_charges_posted(utility, admin_user):
    run, bills = _run(utility, admin_user)
    report, page = reports.register_report(run, page=1)
    assert page.count == len(report.rows) == 3
    charged = sum((line.charge.amount for b in bills for line in b.lines.all()), D("0"))
    assert report.totals[-1] == charged == D("98.50")
    assert report.totals[-2] == charged  # all water
    assert sum(r[-1] for r in report.rows) == charged


def test_consumption_equals_the_reads_and_revenue_the_bills(utility, admin_user):
    run, bills = _run(utility, admin_user)
    month = demo.month_end(1)
    report = reports.consumption_report(month.replace(day=1), core.city_today())
    rows = {(r[0], r[1]): r for r in report.rows}
    used = D("0")
    for meter in Meter.objects.filter(status="installed", premise__cycle__code="monthly"):
        values = list(
            Reading.objects.filter(meter=meter, read_on__lte=month)
            .order_by("-read_on")
            .values_list("value", flat=True)[:2]
        )
        used += (values[0] - values[1]) % meter.rollover
    month_rows = [r for (m, _c), r in rows.items() if m == f"{month:%Y-%m}"]
    bimonthly = sum(
        (values[0] - values[1]) % m.rollover
        for m in Meter.objects.filter(status="installed", premise__cycle__code="bimonthly")
        for values in [
            list(
                Reading.objects.filter(meter=m, read_on__lte=month)
                .order_by("-read_on")
                .values_list("value", flat=True)[:2]
            )
        ]
    )
    assert sum(r[2] for r in month_rows) == used + bimonthly
    this_month = [r for (m, _c), r in rows.items() if m == f"{core.city_today():%Y-%m}"]
    assert sum(r[-1] for r in this_month) == D("98.50") == report.totals[-1]
    assert sum(r[3] for r in this_month) == 3


def test_orders_report_counts_every_order(utility, admin_user):
    report = reports.orders_report()
    assert report.totals[2] == ServiceOrder.objects.count() == sum(r[2] for r in report.rows)
    open_count = ServiceOrder.objects.filter(status__in=ServiceOrder.OPEN).count()
    assert sum(report.totals[3:7]) == open_count


def test_meter_inventory_counts_every_meter(utility):
    report, page = reports.meters_report(page=1)
    assert page.count == Meter.objects.count()
    stock, _ = reports.meters_report(status="stock", page=None)
    assert len(stock.rows) == Meter.objects.filter(status="stock").count()
    installed = next(r for r in report.rows if r[6] == "Installed")
    assert installed[9] == demo.install_date() and installed[10] == demo.month_end(1)


def test_shutoff_log_counts_disconnections_and_reconnections(utility, admin_user):
    account = utility["accounts"][50]
    order = order_open(kind="disconnect", premise=account.premise, account=account, acting_user=admin_user)
    ServiceOrder.objects.filter(pk=order.pk).update(status="completed", completed_at=timezone.now())
    order_open(kind="reconnect", premise=account.premise, account=account, acting_user=admin_user)
    report = reports.shutoff_report(datetime.date(core.city_today().year, 1, 1), core.city_today())
    expected = ServiceOrder.objects.filter(kind__in=["disconnect", "reconnect"]).count()
    assert len(report.rows) == expected
    assert "2 disconnected" in report.subtitle or "1 disconnected" in report.subtitle
    assert report.subtitle.endswith("0 reconnected")


def _login(client, user):
    client.force_login(user)
    return client


@pytest.mark.parametrize("name", ["register", "consumption", "aging", "orders", "meters", "shutoff"])
def test_pages_and_spreadsheets_for_a_senior_clerk_not_a_clerk(
    client, utility, senior_clerk, clerk, name, admin_user
):
    _owing(utility, admin_user)
    _login(client, senior_clerk)
    page = client.get(f"/utility/reports/{name}/")
    assert page.status_code == 200
    sheet = client.get(f"/utility/reports/{name}.xlsx")
    assert sheet.status_code == 200
    if name == "aging":
        ws = openpyxl.load_workbook(io.BytesIO(sheet.content)).active
        values = [c.value for row in ws.iter_rows() for c in row]
        assert float(_ledger("501-1210")) in values  # the total row
    _login(client, clerk)
    assert client.get(f"/utility/reports/{name}/").status_code == 403


def test_a_bad_parameter_is_told_and_the_default_shown(client, utility, senior_clerk):
    _login(client, senior_clerk)
    page = client.get("/utility/reports/consumption/?start=2026-13-40&end=x")
    assert page.status_code == 200 and b"default period" in page.content
    page = client.get("/utility/reports/meters/?status=melted&page=99999999999999999999")
    assert page.status_code == 200 and b"Choose one of the statuses" in page.content
    page = client.get("/utility/reports/register/?run=NOPE")
    assert page.status_code == 200 and b"Choose one of the bill runs" in page.content
