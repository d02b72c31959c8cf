"""The bill PDF (account number and barcode, amounts, the chart, the remittance stub), the mail
house's merged file in parts, and the run's screens for each role."""

import pytest
from django.db import transaction

from revenue import services as core
from revenue.services.jobs import job_execute
from tests.pdf import pdf_text
from tests.utility_billing.bills_setup import BILL_DATE, PERIOD, make_utility
from utility_billing import bill_rules, services
from utility_billing.bill_documents import bill_context, bill_pdf, run_bills_pdf
from utility_billing.models import Bill, BillRun
from utility_billing.services.bills import store_bills


@pytest.fixture
def run(accounts, admin_user, role_groups, senior_clerk, office):
    u = make_utility(accounts=accounts, acting_user=admin_user, count=3)
    run = services.bill_run_start(
        cycle=u.cycle,
        period_start=PERIOD[0],
        period_end=PERIOD[1],
        bill_date=BILL_DATE,
        acting_user=senior_clerk,
    )
    with transaction.atomic():
        block = core.numbers_reserve(kind="B", count=3, on=BILL_DATE)
        store_bills(
            accounts=u.accounts, calcs=[u.calc("43.75", "25.00", usage="12.5")] * 3, numbers=block.numbers,
            run=run, kind=Bill.Kind.REGULAR, period_start=PERIOD[0], period_end=PERIOD[1], bill_date=BILL_DATE,
            due_on=run.due_on,
        )  # fmt: skip
    assert job_execute(run.job_id).status == "done"
    return BillRun.objects.get(pk=run.pk)


def test_the_bill_pdf_holds_the_account_the_amounts_and_the_stub(run):
    bill = run.bills.order_by("number").first()
    text = pdf_text(bill_pdf(bill))
    assert bill.account.number in text
    assert "101 Elm St" not in text or bill.account.premise.address_line1 in text
    assert bill.account.premise.address_line1 in text
    for amount in ("43.75", "25.00", "68.75"):
        assert amount in text
    assert bill_rules.stub_code(bill.account.number, bill.number) in text
    assert run.due_on.strftime("%m/%d/%Y") in text
    context = bill_context(bill)
    assert context["account_barcode"].startswith("data:image/svg+xml;base64,")
    assert len(context["bars"]) == 1 and context["bars"][0].current


def test_the_stub_code_reads_back():
    code = bill_rules.stub_code("U000123", "B2027-000045")
    assert code == "U000123.B2027-000045"
    assert bill_rules.stub_parse(code.lower()) == ("U000123", "B2027-000045")
    assert bill_rules.stub_parse("B2027-000045") is None


def test_the_mail_house_file_holds_every_bill_of_the_part(run, monkeypatch):
    text = pdf_text(run_bills_pdf(run, 1))
    assert all(b.number in text for b in run.bills.all())
    monkeypatch.setattr("utility_billing.bill_documents.BILLS_PER_PART", 2)
    assert sum(b.number in pdf_text(run_bills_pdf(run, 2)) for b in run.bills.all()) == 1


def test_the_chart_scales_to_the_largest_period():
    bars, top = bill_rules.chart_bars(
        [("Sep 26", bill_rules.Decimal(5)), ("Oct 26", bill_rules.Decimal(10))], height=80
    )
    assert top == 10 and bars[1].height == 80 and bars[0].height == 40 and bars[1].current


@pytest.mark.parametrize(
    ("user", "pages"),
    [
        ("clerk", {"runs": 200, "run": 200, "register": 200, "new": 403, "bill": 200, "pdf": 200}),
        ("senior_clerk", {"runs": 200, "run": 200, "register": 200, "new": 200, "bill": 200, "pdf": 200}),
        ("supervisor", {"runs": 200, "run": 200, "register": 200, "new": 200, "bill": 200, "pdf": 200}),
        ("field_crew", {"runs": 403, "run": 403, "register": 403, "new": 403, "bill": 403, "pdf": 403}),
    ],
)
def test_the_screens_answer_each_role(run, client, request, user, pages):
    client.force_login(request.getfixturevalue(user))
    bill = run.bills.first()
    urls = {
        "runs": "/utility/runs/",
        "run": f"/utility/runs/{run.number}/",
        "register": f"/utility/runs/{run.number}/register/",
        "new": "/utility/runs/new/",
        "bill": f"/utility/bills/{bill.number}/",
        "pdf": f"/utility/bills/{bill.number}/pdf/",
    }
    assert {k: client.get(u).status_code for k, u in urls.items()} == pages


def test_a_run_started_on_the_screen_refuses_bad_dates_and_a_second_run(run, client, senior_clerk):
    client.force_login(senior_clerk)
    page = client.get("/utility/runs/new/")
    token = page.context["form"].initial["token"]
    bad = client.post(
        "/utility/runs/new/",
        {
            "cycle": run.cycle_id,
            "period_start": "2026-10-31",
            "period_end": "2026-10-01",
            "bill_date": "2026-11-03",
            "token": token,
        },
    )
    assert bad.status_code == 200 and "before its start" in bad.content.decode()
    again = client.post(
        "/utility/runs/new/",
        {
            "cycle": run.cycle_id,
            "period_start": "2026-10-01",
            "period_end": "2026-10-31",
            "bill_date": "2026-11-03",
            "token": token,
        },
    )
    assert again.status_code == 200 and "already bills" in again.content.decode()
    assert BillRun.objects.count() == 1
