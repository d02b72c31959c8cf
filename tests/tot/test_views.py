"""The TOT screens through the web, and a late return paid at the counter."""

import datetime
import io
import uuid
from decimal import Decimal

import openpyxl
import pytest
from django.urls import reverse

from cashiering.models import Receipt
from revenue import services as core
from revenue.dates import add_months
from revenue.models import ApprovalRequest
from tests.pdf import pdf_text
from tot import rules, selectors
from tot import services as ts
from tot.models import NonFilerNotice, Operator, TotReturn

D = Decimal
d = datetime.date


@pytest.fixture
def june(hotel, file_return):
    return file_return(hotel, (2026, 6), "10000.00", d(2026, 7, 10))


def _pages(hotel, june):
    return [
        reverse("tot:operator_list"),
        reverse("tot:operator_new"),
        hotel.get_absolute_url(),
        reverse("tot:return_new", args=[hotel.certificate_number]),
        june.get_absolute_url(),
        reverse("tot:return_amend", args=[june.number]),
        reverse("tot:return_adjust", args=[june.number]),
        reverse("tot:return_log"),
        reverse("tot:nonfilers"),
        reverse("tot:nonfiler_notices_pdf"),
        reverse("tot:report"),
        reverse("tot:report_xlsx"),
    ]


@pytest.mark.parametrize(
    "role, allowed",
    [
        ("field_crew", set()),
        ("auditor", {0, 2, 4, 7, 8, 9, 10, 11}),
        ("clerk", {0, 1, 2, 3, 4, 5, 7}),
        ("senior_clerk", {0, 1, 2, 3, 4, 5, 7, 8, 9, 10, 11}),
        ("supervisor", set(range(12))),
    ],
)
def test_who_sees_what(client, request, hotel, june, role, allowed):
    client.force_login(request.getfixturevalue(role))
    for i, url in enumerate(_pages(hotel, june)):
        assert client.get(url).status_code == (200 if i in allowed else 403), url


def test_field_crew_and_auditors_cannot_post(client, field_crew, auditor, hotel, june):
    for user in (field_crew, auditor):
        client.force_login(user)
        assert client.post(reverse("tot:return_new", args=[hotel.certificate_number]), {}).status_code == 403
        assert client.post(reverse("tot:nonfiler_notices_send")).status_code == 403
        assert client.post(reverse("tot:return_amend", args=[june.number]), {}).status_code == 403


def test_odd_numbers_are_404(client, supervisor, tot_policy):
    client.force_login(supervisor)
    assert client.get("/tot/returns/NOPE-1/").status_code == 404
    assert client.get("/tot/operators/%27;--/").status_code == 404


def test_an_operator_is_created_and_edited_on_the_web(client, clerk, tot_policy, other_party):
    client.force_login(clerk)
    page = client.get(reverse("tot:operator_new")).content.decode()
    assert 'name="party_number"' in page and "autofocus" in page
    data = {
        "token": str(uuid.uuid4()),
        "party_number": other_party.number,
        "certificate_number": "tot-77",
        "name": "Gull Cottage",
        "kind": "str",
        "location": "3 Dune Rd",
        "rooms": "1",
        "status": "active",
        "opened_on": "2025-03-01",
    }
    response = client.post(reverse("tot:operator_new"), data, follow=True)
    op = Operator.objects.get()
    assert op.certificate_number == "TOT-77" and response.redirect_chain[-1][0] == op.get_absolute_url()
    again = client.post(reverse("tot:operator_new"), data, follow=True)  # double submit
    assert Operator.objects.count() == 1 and "already submitted" in again.content.decode()
    bad = client.post(reverse("tot:operator_new"), {**data, "token": str(uuid.uuid4()), "rooms": "0"})
    assert bad.status_code == 200 and "At least one room" in bad.content.decode()
    edit = {k: v for k, v in data.items() if k not in ("token", "certificate_number")}
    client.post(reverse("tot:operator_edit", args=[op.certificate_number]), {**edit, "rooms": "2"})
    op.refresh_from_db()
    assert op.rooms == 2
    bad = client.post(
        reverse("tot:operator_edit", args=[op.certificate_number]), {**edit, "status": "closed"}
    )
    assert "needs its closing date" in bad.content.decode()


def _return_form(**over):
    return {
        "token": str(uuid.uuid4()),
        "period": "2026-07",
        "received_on": "2026-08-20",
        "gross_rents": "20,000.00",
        "exempt_long_stay": "1000.00",
        "exempt_government": "",
        "exempt_other": "",
        "exempt_other_reason": "",
        **over,
    }


def test_a_return_is_filed_on_the_web_with_the_rate_and_due_date_shown(client, clerk, hotel):
    client.force_login(clerk)
    page = client.get(reverse("tot:return_new", args=[hotel.certificate_number])).content.decode()
    assert 'data-period="2026-07"' in page and "12%" in page and "08/31/2026" in page
    bad = client.post(
        reverse("tot:return_new", args=[hotel.certificate_number]), _return_form(exempt_other="25000")
    )
    assert "more than the gross rents" in bad.content.decode() and not TotReturn.objects.exists()
    bad = client.post(
        reverse("tot:return_new", args=[hotel.certificate_number]), _return_form(gross_rents="abc")
    )
    assert "dollars and cents" in bad.content.decode()
    data = _return_form()
    response = client.post(reverse("tot:return_new", args=[hotel.certificate_number]), data, follow=True)
    ret = TotReturn.objects.get()
    assert ret.tax == D("2280.00")
    body = response.content.decode()
    assert f"Return {ret.number} filed for July 2026: taxable 19,000.00, tax 2,280.00 at 12%" in body
    client.post(reverse("tot:return_new", args=[hotel.certificate_number]), data)
    assert TotReturn.objects.count() == 1
    again = client.post(reverse("tot:return_new", args=[hotel.certificate_number]), _return_form())
    assert "file an amended return instead" in again.content.decode()


def test_the_return_page_shows_the_late_lines_for_a_chosen_day_without_writing(client, auditor, june):
    client.force_login(auditor)
    page = client.get(june.get_absolute_url() + "?on=2026-09-02").content.decode()
    assert "Penalty 10% (delinquent after 07/31/2026)" in page
    assert "Penalty 10% (unpaid 30 days after due)" in page
    assert "Interest 0.5% × 2 months" in page
    assert june.charges().count() == 1
    assert (
        "None: paid by the due date"
        in client.get(june.get_absolute_url() + "?on=2026-07-31").content.decode()
    )
    assert client.get(june.get_absolute_url() + "?on=garbage").status_code == 200


def test_amend_and_audit_adjustment_on_the_web(client, clerk, supervisor, other_supervisor, june):
    client.force_login(clerk)
    form = {
        "token": str(uuid.uuid4()),
        "gross_rents": "12000.00",
        "received_on": "2026-08-01",
        "reason": "Late folios",
    }
    response = client.post(reverse("tot:return_amend", args=[june.number]), form, follow=True)
    amended = TotReturn.objects.get(kind="amended")
    assert "replaces" in response.content.decode() and amended.tax == D("1200.00")
    assert client.get(reverse("tot:return_adjust", args=[amended.number])).status_code == 403
    client.force_login(supervisor)
    response = client.post(
        reverse("tot:return_adjust", args=[amended.number]),
        {"token": str(uuid.uuid4()), "gross_rents": "13000.00", "reason": "Audit"},
        follow=True,
    )
    pending = TotReturn.objects.get(kind="audit")
    assert pending.status == "pending" and "waiting for a supervisor" in response.content.decode()
    req = ApprovalRequest.objects.get(target_id=pending.pk)
    client.post(reverse("approval_decide", args=[req.pk]), {"decision": "approve", "note": ""})
    pending.refresh_from_db()
    assert pending.status == "pending"  # the requester cannot approve
    client.force_login(other_supervisor)
    client.post(reverse("approval_decide", args=[req.pk]), {"decision": "approve", "note": ""})
    pending.refresh_from_db()
    assert pending.status == "current"
    page = client.get(pending.get_absolute_url()).content.decode()
    assert amended.number in page and "Audit adjustment" in page


def test_log_filters(client, auditor, hotel, june, file_return):
    file_return(hotel, (2026, 7), "100.00", d(2026, 8, 10))
    client.force_login(auditor)
    assert len(client.get(reverse("tot:return_log")).context["returns"]) == 2
    assert list(client.get(reverse("tot:return_log") + "?period=2026-06").context["returns"]) == [june]
    assert len(client.get(reverse("tot:return_log") + "?kind=amended").context["returns"]) == 0
    assert len(client.get(reverse("tot:return_log") + "?operator=TOT-0001").context["returns"]) == 2
    assert client.get(reverse("tot:return_log") + "?period=xx").status_code == 200


def test_nonfiler_notices_on_the_web(client, senior_clerk, hotel, office):
    client.force_login(senior_clerk)
    page = client.get(reverse("tot:nonfilers")).content.decode()
    assert hotel.name in page
    preview = pdf_text(client.get(reverse("tot:nonfiler_notices_pdf")).content)
    assert "PREVIEW" in preview and hotel.name in preview
    response = client.post(reverse("tot:nonfiler_notices_send"), follow=True)
    assert "noticed today" in response.content.decode()
    n = NonFilerNotice.objects.count()
    assert n == len(selectors.missing_periods(hotel))
    sent = pdf_text(
        client.get(reverse("tot:nonfiler_notices_pdf") + f"?sent_on={core.city_today():%Y-%m-%d}").content
    )
    assert "PREVIEW" not in sent and hotel.certificate_number in sent
    # the shared letter base: the office's phone and hours, and the second-language line
    assert office.phone in sent and "Si necesita ayuda en español" in " ".join(sent.split())
    assert "nothing new" in client.post(reverse("tot:nonfiler_notices_send"), follow=True).content.decode()
    assert NonFilerNotice.objects.count() == n


def test_report_html_and_xlsx(client, supervisor, hotel, june, file_return):
    file_return(hotel, (2026, 7), "10000.00", d(2026, 8, 10))
    client.force_login(supervisor)
    page = client.get(reverse("tot:report") + "?year=2026")
    assert page.context["report"].sums["tax"] == D("2200.00")
    ws = openpyxl.load_workbook(
        io.BytesIO(client.get(reverse("tot:report_xlsx") + "?year=2026").content)
    ).active
    values = [[c.value for c in row] for row in ws.iter_rows(min_row=5)]
    assert values[0][:5] == ["TOT-0001", "Harbor Light Hotel", "2026-06", june.number, 1000]
    assert values[-1][0] == "Total" and values[-1][4] == 2200
    assert ws.freeze_panes == "A5"


def test_a_late_return_is_paid_at_the_counter_with_its_penalties_and_interest(
    client, clerk, open_session, hotel, file_return
):
    today = core.city_today()
    period = add_months(today.replace(day=1), -3)  # due about two months ago
    ret = file_return(hotel, period, "10000.00", period + datetime.timedelta(days=45))
    expected = rules.late_lines(
        tax=ret.tax, due_on=ret.due_on, on=today, rules=rules.LateRules.of(ts.policy_on(period))
    )
    assert len(expected) == 3
    client.force_login(clerk)
    client.post(reverse("cashiering:basket"), {"action": "find", "q": ret.number}, follow=True)
    page = client.get(reverse("cashiering:counter"))
    rows = page.context["pay_rows"]
    assert [r[0]["number"] for r in rows] == [ret.number] * 4
    due = ret.tax + sum(ln.amount for ln in expected)
    assert page.context["due"] == due
    body = page.content.decode()
    assert "Penalty 10% (delinquent after" in body and "Interest 0.5% ×" in body
    signature = page.context["basket"].signature
    data = {"token": str(uuid.uuid4()), "basket": signature, "cash": str(due)}
    data.update({f"pay-{i}": str(r[0]["balance"]) for i, r in enumerate(rows)})
    response = client.post(reverse("cashiering:pay"), data, follow=True)
    receipt = Receipt.objects.get()
    assert f"Receipt {receipt.number} posted" in response.content.decode()
    assert all(c.is_settled for c in ret.charges())
    # found again the same day: nothing more is assessed, nothing owed
    client.post(reverse("cashiering:basket"), {"action": "find", "q": ret.number}, follow=True)
    assert ret.charges().count() == 4


@pytest.mark.parametrize(
    "on, message",
    [
        ("9999-12-31", "at most 5 years ahead"),
        ("2100-01-01", "at most 5 years ahead"),
        ("2026-05-31", "cannot be before the period (June 2026)"),
    ],
)
def test_the_paid_on_date_is_bounded(client, auditor, hotel, file_return, on, message):
    june = file_return(hotel, (2026, 6), "10000.00", d(2026, 7, 10))
    client.force_login(auditor)
    response = client.get(june.get_absolute_url() + f"?on={on}")
    assert response.status_code == 200
    body = response.content.decode()
    assert message in body and "Shown for today" in body
    assert june.charges().count() == 1


def test_the_paid_on_date_within_bounds_still_works(client, auditor, hotel, file_return):
    june = file_return(hotel, (2026, 6), "10000.00", d(2026, 7, 10))
    client.force_login(auditor)
    latest = add_months(core.city_today(), 60)
    body = client.get(june.get_absolute_url() + f"?on={latest:%Y-%m-%d}").content.decode()
    assert "Interest 0.5%" in body and "at most 5 years" not in body


def test_an_unreachable_date_is_a_message_not_a_500(monkeypatch, auditor, hotel, file_return):
    from tot import views

    june = file_return(hotel, (2026, 6), "10000.00", d(2026, 7, 10))

    def boom(ret, on):
        raise ValueError("year 10000 is out of range")

    monkeypatch.setattr(views.services, "late_view", boom)
    late, error = views._late_for(june, d(9999, 12, 31))
    assert late is None and "cannot be worked out" in error
