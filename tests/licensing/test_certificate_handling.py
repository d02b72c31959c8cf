"""The certificate is printed by the counter, counted and audited; the auditor reads a view-only
copy and never uses up the original."""

from django.urls import reverse

from licensing import services as ls
from revenue.models import AuditEvent
from tests.licensing.test_licenses import _pay_all
from tests.pdf import pdf_text


def _active(make_business, clerk, supervisor, admin_user):
    license = ls.application_submit(business=make_business(code="PRO", employees=2), acting_user=clerk)
    ls.signoff_add(license=license, item="Zoning", acting_user=supervisor)
    ls.application_approve(license=license, acting_user=supervisor)
    _pay_all(license, clerk, admin_user)
    license.refresh_from_db()
    return license


def test_the_auditor_reads_a_view_only_certificate(
    client, make_business, clerk, supervisor, auditor, admin_user
):
    license = _active(make_business, clerk, supervisor, admin_user)
    client.force_login(auditor)
    page = client.get(license.get_absolute_url()).content.decode()
    assert "View a copy" in page and 'id="print-certificate"' not in page
    assert client.post(reverse("licensing:certificate_print", args=[license.number])).status_code == 403
    text = pdf_text(client.get(reverse("licensing:certificate", args=[license.number]) + "?copy=1").content)
    assert "COPY · VIEW ONLY" in text
    license.refresh_from_db()
    assert (
        license.prints == 0 and not AuditEvent.objects.filter(action="license.certificate_printed").exists()
    )


def test_the_counter_prints_the_original_then_duplicates(
    client, make_business, clerk, supervisor, admin_user
):
    license = _active(make_business, clerk, supervisor, admin_user)
    client.force_login(clerk)
    first = client.post(reverse("licensing:certificate_print", args=[license.number]))
    assert "DUPLICATE" not in pdf_text(first.content)
    again = client.get(reverse("licensing:certificate", args=[license.number]) + "?copy=1")
    assert "DUPLICATE" in pdf_text(again.content)  # the original comes once, as the print's answer
    second = client.post(reverse("licensing:certificate_print", args=[license.number]))
    assert "DUPLICATE" in pdf_text(second.content)
    assert AuditEvent.objects.filter(action="license.certificate_printed", actor=clerk).count() == 2
