"""The invoice audit's pages as each role uses them: entering an invoice against its order, the
match, the dispute and its letter, approval with a variance; bad input stays on the form; a role
that must not do a thing is refused."""

import datetime
import uuid
from decimal import Decimal

import pytest

from payables import models as pm
from revenue import services as core

from .audit_setup import make_order, receive

pytest_plugins = ["tests.payables.audit_setup"]
pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def order(audit_vendor, audit_department, audit_terms, pay_accounts, audit_policy, clerk):
    order = make_order(
        vendor=audit_vendor,
        department=audit_department,
        terms=audit_terms["2/10 net 30"],
        lines=[
            ("Asphalt patch, 50 lb bag", "10", "10.00", pay_accounts["supplies"]),
            ("Traffic cones", "20", "25.00", pay_accounts["supplies"]),
        ],
        user=clerk,
    )
    receive(order, {1: "10", 2: "20"}, user=clerk)
    return order


def _post(client, url, **data):
    return client.post(url, {"token": str(uuid.uuid4()), **data})


def _invoice_form(order, *, number="INV-9", price="10.60", qty="10", total="106.00"):
    line1 = order.lines.get(line_no=1)
    today = core.city_today()
    return {
        "number": number,
        "invoice_date": (today - datetime.timedelta(days=2)).isoformat(),
        "received_on": today.isoformat(),
        "terms": "",
        f"q_{line1.pk}": qty,
        f"p_{line1.pk}": price,
        f"a_{line1.pk}": "",
        "freight": "",
        "tax": "",
        "total": total,
    }


def test_the_clerk_enters_matches_and_disputes_an_over_billed_invoice(client, clerk, order, office):
    client.force_login(clerk)
    assert client.get("/payables/invoices/new/").status_code == 200
    page = client.get(f"/payables/invoices/new/?order={order.number}")
    assert page.status_code == 200 and b"Traffic cones" in page.content
    response = _post(client, f"/payables/invoices/new/?order={order.number}", **_invoice_form(order))
    invoice = pm.Invoice.objects.get(number="INV-9")
    assert response.status_code == 302 and response["Location"] == f"/payables/invoices/{invoice.pk}/"
    assert [(ln.quantity, ln.amount) for ln in invoice.lines.all()] == [(D("10"), D("106.00"))]

    _post(client, f"/payables/invoices/{invoice.pk}/match/")
    invoice.refresh_from_db()
    assert invoice.status == "exception"
    detail = client.get(f"/payables/invoices/{invoice.pk}/").content.decode()
    assert "Unit price" in detail and "over by $0.60" in detail

    respond_by = (core.city_today() + datetime.timedelta(days=10)).isoformat()
    _post(client, f"/payables/invoices/{invoice.pk}/dispute/", respond_by=respond_by, sent_by="print")
    invoice.refresh_from_db()
    letter = invoice.letters.get()
    assert invoice.status == "disputed"
    pdf = client.get(f"/payables/letters/{letter.number}.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")

    # a clerk may not approve; the supervisor approves the variance with a reason
    assert _post(client, f"/payables/invoices/{invoice.pk}/approve/").status_code == 403


def test_the_supervisor_approves_with_a_variance_and_a_reason(client, clerk, supervisor, order):
    client.force_login(clerk)
    _post(client, f"/payables/invoices/new/?order={order.number}", **_invoice_form(order))
    invoice = pm.Invoice.objects.get(number="INV-9")
    _post(client, f"/payables/invoices/{invoice.pk}/match/")
    client.force_login(supervisor)
    _post(client, f"/payables/invoices/{invoice.pk}/approve/", variance_reason="")
    invoice.refresh_from_db()
    assert invoice.status == "exception"  # no reason: refused
    _post(client, f"/payables/invoices/{invoice.pk}/approve/", variance_reason="Agreed surcharge")
    invoice.refresh_from_db()
    assert invoice.status == "approved" and invoice.variance_reason == "Agreed surcharge"


@pytest.mark.parametrize(
    "field, value, message",
    [
        ("price", "10.005", "decimal places"),
        ("qty", "-1", "more than zero"),
        ("total", "abc", "number"),
    ],
)
def test_bad_input_stays_on_the_form(client, clerk, order, field, value, message):
    client.force_login(clerk)
    response = _post(
        client, f"/payables/invoices/new/?order={order.number}", **_invoice_form(order, **{field: value})
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not pm.Invoice.objects.exists()


def test_a_duplicate_number_is_refused_on_the_form(client, clerk, order):
    client.force_login(clerk)
    _post(client, f"/payables/invoices/new/?order={order.number}", **_invoice_form(order, number="A-1"))
    response = _post(
        client, f"/payables/invoices/new/?order={order.number}", **_invoice_form(order, number="a 1")
    )
    assert response.status_code == 200 and "already entered" in response.content.decode()
    assert pm.Invoice.objects.count() == 1


def test_the_auditor_reads_but_cannot_hold(client, clerk, auditor, order):
    client.force_login(clerk)
    _post(client, f"/payables/invoices/new/?order={order.number}", **_invoice_form(order))
    invoice = pm.Invoice.objects.get()
    client.force_login(auditor)
    assert client.get(f"/payables/invoices/{invoice.pk}/").status_code == 200
    assert client.get("/payables/invoices/?status=entered").status_code == 200
    response = _post(
        client,
        f"/payables/invoices/{invoice.pk}/hold/",
        reason="x",
        follow_up_on=core.city_today().isoformat(),
    )
    assert response.status_code == 403
    invoice.refresh_from_db()
    assert invoice.status == "entered"


def test_a_dispute_by_email_sends_the_letter_to_the_vendor(client, clerk, order, office, mailoutbox):
    client.force_login(clerk)
    _post(client, f"/payables/invoices/new/?order={order.number}", **_invoice_form(order))
    invoice = pm.Invoice.objects.get()
    _post(client, f"/payables/invoices/{invoice.pk}/match/")
    respond_by = (core.city_today() + datetime.timedelta(days=10)).isoformat()
    _post(client, f"/payables/invoices/{invoice.pk}/dispute/", respond_by=respond_by, sent_by="email")
    letter = invoice.letters.get()
    assert letter.emailed_to == "ar@acme.example"
    [mail] = mailoutbox
    assert mail.to == ["ar@acme.example"] and letter.number in mail.subject
    assert mail.attachments[0][0] == f"{letter.number}.pdf"
