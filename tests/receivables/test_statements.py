"""Statement of account: opening balance, dated activity with a running balance, closing balance
and its aging, for the current period and for a past one, from the core records."""

import datetime

import pytest
from django.urls import reverse

from receivables import selectors
from receivables import services as ar
from revenue import services as core
from tests.conftest import D
from tests.pdf import pdf_text

from .factories import due_days_ago

pytestmark = pytest.mark.django_db


DAY = datetime.timedelta(days=1)


def ago(days: int) -> datetime.date:
    return core.city_today() - datetime.timedelta(days=days)


@pytest.fixture
def history(ar_policy, fees, accounts, party, clerk, supervisor, undeposited):
    """Invoice A ($300, dated 100 days ago, due 70 days ago) paid $100 50 days ago and credited
    $50 today; invoice B ($150, dated 20 days ago, due in 10 days) untouched."""
    a = ar.invoice_create(
        party=party,
        lines=[{"fee_type": fees["HALL"], "quantity": 4}],
        invoice_date=ago(100),
        acting_user=clerk,
    )
    core.payment_post(
        party=party,
        amount=D("100.00"),
        applications=[(a.charges().get(), D("100.00"))],
        debit_account=undeposited,
        acting_user=clerk,
        received_on=ago(50),
        reference="R-100",
    )
    b = ar.invoice_create(
        party=party,
        lines=[{"fee_type": fees["ALARM"], "quantity": 1}],
        invoice_date=ago(20),
        acting_user=clerk,
    )
    memo = ar.credit_memo_request(invoice=a, amount="50.00", reason="One hour unused", acting_user=clerk)
    core.approval_decide(request=selectors.approval_for(memo), approve=True, acting_user=supervisor)
    return {"a": a, "b": b, "memo": memo}


def _aging(st):
    return dict(st.aging)


def test_statement_for_the_recent_period(history, party):
    a, b, memo = history["a"], history["b"], history["memo"]
    st = selectors.statement_compute(party=party, start=ago(60), end=core.city_today())

    assert st.opening == D("300.00")
    assert [(r.date, r.kind, r.number, r.amount, r.balance) for r in st.rows] == [
        (ago(50), "payment", "R-100", D("-100.00"), D("200.00")),
        (ago(20), "invoice", b.number, D("150.00"), D("350.00")),
        (core.city_today(), "credit", memo.number, D("-50.00"), D("300.00")),
    ]
    assert st.closing == D("300.00")
    assert st.total_charges == D("150.00") and st.total_credits == D("150.00")
    aging = _aging(st)
    assert list(aging) == ["Current", "1–30 days", "31–60 days", "61–90 days", "Over 90 days"]
    assert aging["Current"] == D("150.00")  # B, due in 10 days
    assert aging["61–90 days"] == D("150.00")  # A, 70 days past due: 300 - 100 - 50
    assert st.aging_total == st.closing
    assert a.number in st.rows[0].description


def test_statement_for_a_past_period_shows_it_as_it_stood(history, party):
    a = history["a"]
    st = selectors.statement_compute(party=party, start=ago(120), end=ago(30))

    assert st.opening == 0
    assert [(r.kind, r.amount, r.balance) for r in st.rows] == [
        ("invoice", D("300.00"), D("300.00")),
        ("payment", D("-100.00"), D("200.00")),
    ]
    assert st.rows[0].number == a.number
    assert st.closing == D("200.00")
    aging = _aging(st)
    assert aging["31–60 days"] == D("200.00")  # on that day A was 40 days past due
    assert sum(aging.values()) == D("200.00")  # B (dated later) and the credit memo (today) are not in it


def test_statement_before_anything_is_empty(history, party):
    st = selectors.statement_compute(party=party, start=ago(300), end=ago(200))
    assert st.opening == 0 and st.rows == [] and st.closing == 0
    assert sum(dict(st.aging).values()) == 0


def test_aging_bucket_edges_to_the_day(ar_policy, fees, party, clerk):
    invoice = ar.invoice_create(
        party=party,
        lines=[{"fee_type": fees["ALARM"], "quantity": 1}],
        invoice_date=ago(200),
        acting_user=clerk,
    )
    due = invoice.due_on  # 170 days ago
    expect = {0: "Current", 1: "1–30 days", 30: "1–30 days", 31: "31–60 days", 60: "31–60 days",
              61: "61–90 days", 90: "61–90 days", 91: "Over 90 days"}  # fmt: skip
    for days, label in expect.items():
        end = due + datetime.timedelta(days=days)
        st = selectors.statement_compute(party=party, start=end, end=end)
        assert _aging(st)[label] == D("150.00"), (days, label)


def test_a_reversed_payment_and_a_write_off_show_on_the_statement(
    history, party, clerk, supervisor, undeposited
):
    b = history["b"]
    payment = core.payment_post(
        party=party,
        amount=D("150.00"),
        applications=[(b.charges().get(), D("150.00"))],
        debit_account=undeposited,
        acting_user=clerk,
        received_on=ago(5),
        reference="R-200",
    )
    core.payment_reverse(payment=payment, acting_user=clerk, reason="Check returned", on=ago(2))
    a_charge = history["a"].charges().get()
    core.charge_adjust(
        charge=a_charge, amount=a_charge.balance, kind="write_off", acting_user=supervisor, reason="Gone"
    )

    st = selectors.statement_compute(party=party, start=ago(10), end=core.city_today())
    assert st.opening == D("350.00")
    kinds = [(r.kind, r.number, r.amount) for r in st.rows]
    assert ("payment", "R-200", D("-150.00")) in kinds
    assert ("reversal", "R-200", D("150.00")) in kinds
    assert ("write_off", history["a"].number, D("-150.00")) in kinds
    assert st.closing == D("150.00")
    assert _aging(st)["Current"] == D("150.00")
    history["a"].refresh_from_db()
    assert history["a"].status == "written_off"


def test_statement_pdf_xlsx_and_page(client, history, party, clerk, field_crew):
    period = {"start": ago(60).isoformat(), "end": core.city_today().isoformat()}
    client.force_login(clerk)
    pdf = client.get(reverse("receivables:statement_pdf", args=[party.pk]), period)
    assert pdf["Content-Type"] == "application/pdf"
    assert f"statement-{party.number}-{core.city_today():%Y%m%d}.pdf" in pdf["Content-Disposition"]
    text = pdf_text(pdf.content)
    for expected in (
        "STATEMENT OF ACCOUNT",
        "Opening balance",
        "Closing balance",
        "$300.00",
        history["b"].number,
    ):
        assert expected in text
    url = reverse("receivables:statement", args=[party.pk])
    page = client.get(url, period)
    assert page.status_code == 200
    assert page.context["st"].closing == D("300.00")
    assert page.context["report"].totals[-1] == D("300.00")  # the closing balance, on every format
    assert history["memo"].number.encode() in page.content
    xlsx = client.get(url, {**period, "format": "xlsx"})
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    fallback = client.get(
        reverse("receivables:statement_pdf", args=[party.pk]), {"start": ago(60).isoformat()}
    )
    assert fallback["Content-Type"] == "application/pdf"  # a half-given period: the fiscal year to date
    client.force_login(field_crew)
    assert client.get(url).status_code == 403


def test_statement_aging_agrees_with_aging_report(ar_policy, party, admin_user, senior_clerk, today):
    invoice = due_days_ago(party, 95, "100.00", acting_user=admin_user)
    ar.dunning_run(on=today, acting_user=senior_clerk)
    report = selectors.aging(today, party=party)
    st = selectors.statement_compute(party=party, start=invoice.invoice_date, end=today)
    assert st.aging_total == report.total == D("125.00")
    assert [amount for _label, amount in st.aging] == report.totals == [0, 0, 0, 0, D("125.00")]
    fee_item = [i for i in st.open_items if i["charge"].amount == D("25.00")]
    assert fee_item and fee_item[0]["days_past_due"] == 95


def test_statement_aging_agrees_with_aging_report_in_the_past(
    ar_policy, party, admin_user, senior_clerk, today
):
    invoice = due_days_ago(party, 95, "100.00", acting_user=admin_user)
    ar.dunning_run(on=today - 5 * DAY, acting_user=senior_clerk)  # 90 days: $25 fee
    expect = {
        today - 6 * DAY: [0, 0, 0, D("100.00"), 0],  # 89 days, no fee yet
        today - 5 * DAY: [0, 0, 0, D("125.00"), 0],  # 90 days, the fee assessed that day with it
        today: [0, 0, 0, 0, D("125.00")],
    }
    for end, totals in expect.items():
        report = selectors.aging(end, party=party)
        st = selectors.statement_compute(party=party, start=invoice.invoice_date, end=end)
        assert [amount for _label, amount in st.aging] == report.totals == totals, end


def test_statement_get_parameters_with_nul_are_not_500(client, ar_policy, supervisor, party, admin_user):
    due_days_ago(party, 35, "10.00", acting_user=admin_user)
    client.force_login(supervisor)
    client.raise_request_exception = False
    checks = [
        (reverse("receivables:statement", args=[party.pk]), {"start": "\x00", "end": "2026-01-01"}),
        (reverse("receivables:statement_pdf", args=[party.pk]), {"start": "\x00"}),
    ]
    for url, params in checks:
        assert client.get(url, params).status_code == 400, (
            url,
            params,
        )  # a NUL is refused before any view, changing nothing
