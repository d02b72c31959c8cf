"""Printing and e-mailing are permissions of their own: the auditor reads a view-only copy and
never prints the original or sends mail; a clerk prints and e-mails their own receipts, a
supervisor any; every print and e-mail is audited."""

import pytest
from django.core import mail
from django.urls import reverse

from cashiering import services as cs
from revenue.exceptions import NotAllowed
from revenue.models import AuditEvent
from tests.conftest import D
from tests.pdf import pdf_text


@pytest.fixture
def receipt(open_session, clerk, party, make_charge):
    return cs.receipt_issue(
        session=open_session,
        payer=party,
        acting_user=clerk,
        items=[cs.Item(charge=make_charge(party, "40.00"), amount=D("40.00"))],
        tenders=[cs.TenderIn("cash", D("40.00"))],
    )


def test_the_auditor_reads_a_view_only_copy_and_never_prints_or_mails(client, auditor, receipt):
    client.force_login(auditor)
    page = client.get(reverse("cashiering:receipt_detail", args=[receipt.number])).content.decode()
    assert "View a copy" in page and 'id="print-roll"' not in page and "E-mail</button>" not in page
    assert client.post(reverse("cashiering:receipt_print", args=[receipt.number])).status_code == 403
    mailed = client.post(reverse("cashiering:receipt_email", args=[receipt.number]), {"email": "a@b.org"})
    assert mailed.status_code == 403 and not mail.outbox
    for query in ("", "?copy=1"):
        url = reverse("cashiering:receipt_pdf", args=[receipt.number, "letter"]) + query
        text = pdf_text(client.get(url).content)
        assert "COPY · VIEW ONLY" in text and receipt.number in text
    receipt.refresh_from_db()
    assert receipt.prints == 0  # the original is still the clerk's to print
    assert not AuditEvent.objects.filter(action__in=["receipt.printed", "receipt.emailed"]).exists()


def test_a_clerk_prints_their_own_receipt_and_not_another_clerks(client, clerk, senior_clerk, receipt):
    client.force_login(senior_clerk)
    response = client.post(reverse("cashiering:receipt_print", args=[receipt.number]), follow=True)
    assert "taken by another clerk" in response.content.decode()
    client.post(reverse("cashiering:receipt_email", args=[receipt.number]), {"email": "a@b.org"})
    assert not mail.outbox
    receipt.refresh_from_db()
    assert receipt.prints == 0
    client.force_login(clerk)
    printed = client.post(reverse("cashiering:receipt_print", args=[receipt.number]))
    assert printed["Content-Type"] == "application/pdf" and "DUPLICATE" not in pdf_text(printed.content)
    for url in ("", "?copy=1"):  # the original comes once, as the print's answer; never by a GET
        again = client.get(reverse("cashiering:receipt_pdf", args=[receipt.number, "roll"]) + url)
        assert "DUPLICATE" in pdf_text(again.content)
    client.post(reverse("cashiering:receipt_email", args=[receipt.number]), {"email": "payer@example.org"})
    assert len(mail.outbox) == 1
    actions = set(AuditEvent.objects.filter(actor=clerk).values_list("action", flat=True))
    assert {"receipt.printed", "receipt.emailed"} <= actions


def test_a_supervisor_reprints_any_receipt_as_a_duplicate(client, clerk, supervisor, receipt):
    cs.receipt_printed(receipt=receipt, acting_user=clerk)
    client.force_login(supervisor)
    response = client.post(reverse("cashiering:receipt_print", args=[receipt.number]))
    text = pdf_text(response.content)
    assert (
        "DUPLICATE" in text and AuditEvent.objects.filter(action="receipt.printed", actor=supervisor).exists()
    )


def test_the_services_refuse_a_role_without_the_permission(auditor, receipt):
    with pytest.raises(NotAllowed, match="does not print"):
        cs.receipt_printed(receipt=receipt, acting_user=auditor)
