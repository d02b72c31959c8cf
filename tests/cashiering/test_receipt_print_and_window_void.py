"""The receipt after posting: the 80 mm HTML print (counted like the PDF: the original once, then
DUPLICATE), what every receipt prints (checks subject to collection, the office's phone, the
second-language line), and voids at the window: a supervisor's password typed at the clerk's
screen approves on the spot as the supervisor's decision, never their own, and a wrong one is
counted by django-axes like any sign-in."""

import pytest
from axes.models import AccessAttempt
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from cashiering import services as cs
from cashiering.models import Receipt
from revenue import demo
from revenue.models import ApprovalRequest, AuditEvent
from tests.conftest import D
from tests.pdf import pdf_text


@pytest.fixture
def receipt(open_session, clerk, party, make_charge, office):
    return cs.receipt_issue(
        session=open_session,
        payer=party,
        acting_user=clerk,
        items=[cs.Item(charge=make_charge(party, "40.00", "Business license tax"), amount=D("40.00"))],
        tenders=[cs.TenderIn("cash", D("50.00"))],
    )


def _print_80mm(client, receipt):
    return client.post(reverse("cashiering:receipt_print", args=[receipt.number]), {"layout": "80mm"})


# --------------------------------------------------------------------------- printing


def test_the_80mm_html_print_is_the_original_once_then_a_duplicate(client, clerk, receipt):
    client.force_login(clerk)
    first = _print_80mm(client, receipt)
    assert first.status_code == 200 and first["Content-Type"].startswith("text/html")
    assert first["X-Receipt-Print"] == "80mm"
    page = first.content.decode()
    assert "@page { size: 80mm auto;" in page  # a kiosk-printing browser prints it on the roll as is
    assert 'data-autoprint="1"' in page and "js/receipt_print.js" in page
    assert f"RECEIPT {receipt.number}" in page and "DUPLICATE" not in page
    receipt.refresh_from_db()
    assert receipt.prints == 1
    again = _print_80mm(client, receipt).content.decode()
    assert "DUPLICATE (copy 1)" in again
    receipt.refresh_from_db()
    assert receipt.prints == 2
    assert AuditEvent.objects.filter(action="receipt.printed", object_id=str(receipt.pk)).count() == 2


def test_the_80mm_print_is_refused_to_the_auditor_and_another_clerk(client, auditor, senior_clerk, receipt):
    client.force_login(auditor)
    assert _print_80mm(client, receipt).status_code == 403
    client.force_login(senior_clerk)
    refused = _print_80mm(client, receipt)
    assert refused.status_code == 302 and "X-Receipt-Print" not in refused
    receipt.refresh_from_db()
    assert receipt.prints == 0


def test_every_receipt_prints_checks_subject_to_collection_the_phone_and_the_second_language(
    client, clerk, receipt, office
):
    client.force_login(clerk)
    html = _print_80mm(client, receipt).content.decode()
    roll = pdf_text(client.get(reverse("cashiering:receipt_pdf", args=[receipt.number, "roll"])).content)
    letter = pdf_text(client.get(reverse("cashiering:receipt_pdf", args=[receipt.number, "letter"])).content)
    spanish = "Si necesita ayuda en español, llame al (555) 010-4200."
    for text in (html, " ".join(roll.split()), " ".join(letter.split())):
        assert "Checks are accepted subject to collection" in text
        assert office.phone in text
        assert spanish in text


def test_the_roll_pdf_is_one_page_80mm_wide_with_full_width_dashed_rules(client, clerk, receipt):
    import io

    from pypdf import PdfReader

    client.force_login(clerk)
    pdf = client.get(reverse("cashiering:receipt_pdf", args=[receipt.number, "roll"])).content
    pages = PdfReader(io.BytesIO(pdf)).pages
    assert len(pages) == 1
    assert round(float(pages[0].mediabox.width) / 72 * 25.4) == 80
    html = _print_80mm(client, receipt).content.decode()
    # every rule is one block as wide as the printable roll (80 mm less 2 × 3 mm margins)
    assert html.count('<div class="rule"></div>') == 4
    assert ".rule { display: block; width: 74mm;" in html and "border-top: 0.3mm dashed" in html


def test_after_posting_the_receipt_page_focuses_print_then_next_customer(client, clerk, receipt):
    client.force_login(clerk)
    page = client.get(receipt.get_absolute_url() + "?new=1").content.decode()
    print_button = page.index('id="print-80mm"')
    assert "autofocus" in page[print_button : page.index("</button>", print_button)]
    assert page.index('id="next-customer"') > print_button
    assert page.index('id="next-customer"') < page.index('id="print-letter"')  # Tab: Print, Next customer
    next_link = page[
        page.rindex("<a", 0, page.index('id="next-customer"')) : page.index('id="next-customer"')
    ]
    assert "autofocus" not in next_link
    assert 'id="auto-print"' in page and "js/receipt.js" in page


# --------------------------------------------------------------------------- voids at the window


def _void_at_window(client, receipt, username, password, code="", reason="Keyed the wrong amount"):
    return client.post(
        reverse("cashiering:receipt_void", args=[receipt.number]),
        {
            "token": _token(client, receipt),
            "reason": reason,
            "supervisor": username,
            "supervisor_password": password,
            "supervisor_code": code,
            "action": "window",
        },
    )


def _token(client, receipt):
    form = client.get(reverse("cashiering:receipt_void", args=[receipt.number])).context["form"]
    return form["token"].value()


def test_a_supervisor_at_the_window_approves_with_their_password_as_their_decision(
    client, clerk, supervisor, receipt
):
    client.force_login(clerk)
    response = _void_at_window(client, receipt, "supervisor", demo.DEMO_PASSWORD)
    assert response.status_code == 302
    receipt.refresh_from_db()
    assert receipt.status == Receipt.Status.VOIDED
    req = ApprovalRequest.objects.get(kind="void")
    assert (req.status, req.requested_by, req.decided_by) == ("approved", clerk, supervisor)
    assert "at the window" in req.decision_note
    assert AuditEvent.objects.get(action="approval.approved").actor == supervisor
    assert AuditEvent.objects.get(action="receipt.voided").actor == supervisor
    # the clerk's session stays the clerk's
    assert client.session["_auth_user_id"] == str(clerk.pk)
    page = client.get(receipt.get_absolute_url())
    assert page.context["user"] == clerk
    text = page.content.decode()
    assert "Approved by Supervisor" in text and 'class="display-6 text-success"' not in text


def test_a_wrong_supervisor_password_is_refused_and_counted_like_a_sign_in(
    client, clerk, supervisor, receipt
):
    client.force_login(clerk)
    response = _void_at_window(client, receipt, "supervisor", "not-the-password")
    assert response.status_code == 200  # the clerk's form again, not a lock-out page
    assert "Wrong user name or password" in response.content.decode()
    assert AccessAttempt.objects.get(username="supervisor").failures_since_start == 1
    receipt.refresh_from_db()
    assert receipt.status == Receipt.Status.POSTED
    assert not ApprovalRequest.objects.exists()
    assert client.session["_auth_user_id"] == str(clerk.pk)


def test_a_locked_supervisor_name_is_refused_at_the_window_and_the_clerk_stays(
    client, clerk, supervisor, receipt, settings
):
    settings.AXES_FAILURE_LIMIT = 2
    client.force_login(clerk)
    _void_at_window(client, receipt, "supervisor", "wrong-1")
    locked = _void_at_window(client, receipt, "supervisor", "wrong-2")
    assert locked.status_code == 200 and "locked" in locked.content.decode()
    right = _void_at_window(client, receipt, "supervisor", demo.DEMO_PASSWORD)
    assert right.status_code == 200 and "locked" in right.content.decode()  # the right one too, while locked
    receipt.refresh_from_db()
    assert receipt.status == Receipt.Status.POSTED
    assert client.get(reverse("home")).status_code == 200


def test_a_supervisor_cannot_approve_at_the_window_a_void_of_money_they_took(
    client, counter, supervisor, other_supervisor, party, make_charge, office
):
    session = cs.session_open(drawer=counter["D2"], clerk=supervisor, opening_counts={"b20": 5})
    theirs = cs.receipt_issue(
        session=session,
        payer=party,
        acting_user=supervisor,
        items=[cs.Item(charge=make_charge(party, "12.00"), amount=D("12.00"))],
        tenders=[cs.TenderIn("cash", D("12.00"))],
    )
    client.force_login(other_supervisor)  # the screen is another supervisor's; the one who took it types
    refused = _void_at_window(client, theirs, "supervisor", demo.DEMO_PASSWORD)
    assert refused.status_code == 200 and "You took this payment" in refused.content.decode()
    theirs.refresh_from_db()
    assert theirs.status == Receipt.Status.POSTED
    assert not ApprovalRequest.objects.exists()  # refused whole: not even a pending request is left


def test_nobody_approves_their_own_request_and_a_clerk_is_no_supervisor(
    client, clerk, senior_clerk, supervisor, receipt
):
    client.force_login(clerk)
    not_a_supervisor = _void_at_window(client, receipt, senior_clerk.username, demo.DEMO_PASSWORD)
    assert "Only a Revenue Supervisor" in not_a_supervisor.content.decode()
    themselves = _void_at_window(client, receipt, clerk.username, demo.DEMO_PASSWORD)
    assert "Only a Revenue Supervisor" in themselves.content.decode()
    client.force_login(supervisor)  # a supervisor asking at their own screen types their own password
    own = _void_at_window(client, receipt, supervisor.username, demo.DEMO_PASSWORD)
    assert "cannot decide your own request" in own.content.decode()
    receipt.refresh_from_db()
    assert receipt.status == Receipt.Status.POSTED and not ApprovalRequest.objects.exists()


def test_a_supervisor_with_two_step_sign_in_gives_their_code_too(client, clerk, supervisor, receipt):
    device = TOTPDevice.objects.create(user=supervisor, name="Authenticator app", confirmed=True)
    client.force_login(clerk)
    no_code = _void_at_window(client, receipt, "supervisor", demo.DEMO_PASSWORD)
    assert "6-digit code" in no_code.content.decode()
    assert AccessAttempt.objects.get(username="supervisor").failures_since_start == 1
    code = f"{totp(device.bin_key, device.step, device.t0, device.digits):06d}"
    _void_at_window(client, receipt, "supervisor", demo.DEMO_PASSWORD, code=code)
    receipt.refresh_from_db()
    assert receipt.status == Receipt.Status.VOIDED


def test_a_pending_void_shows_on_the_receipt_with_no_second_void_button_and_is_approved_at_the_window(
    client, clerk, supervisor, receipt
):
    client.force_login(clerk)
    client.post(
        reverse("cashiering:receipt_void", args=[receipt.number]),
        {"token": _token(client, receipt), "reason": "Wrong account", "action": "ask"},
    )
    req = ApprovalRequest.objects.get(kind="void", status="pending")
    page = client.get(receipt.get_absolute_url()).content.decode()
    assert "Void pending" in page and "Void…" not in page
    form = client.get(reverse("cashiering:receipt_void", args=[receipt.number])).content.decode()
    assert 'id="void-pending"' in form and 'name="reason"' not in form
    again = client.post(
        reverse("cashiering:receipt_void", args=[receipt.number]),
        {"token": _token(client, receipt), "reason": "Again", "action": "ask"},
    )
    assert "already waiting for a supervisor" in again.content.decode()
    _void_at_window(client, receipt, "supervisor", demo.DEMO_PASSWORD, reason="")
    req.refresh_from_db()
    assert (req.status, req.decided_by, req.reason) == ("approved", supervisor, "Wrong account")
    assert ApprovalRequest.objects.count() == 1


def test_the_approval_page_shows_the_receipt_its_lines_and_tenders(client, clerk, supervisor, receipt):
    req = cs.receipt_void_request(receipt=receipt, reason="Wrong account", acting_user=clerk)
    client.force_login(supervisor)
    page = client.get(req.get_absolute_url()).content.decode()
    assert 'id="approval-receipt"' in page
    assert "Business license tax" in page and "$40.00" in page  # the line
    assert "Cash" in page and "$50.00" in page and "$10.00" in page  # tendered, change
