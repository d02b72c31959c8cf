# ruff: noqa: F811 - the fixtures imported from the other licensing tests are parameters here
"""The license page and the receipt of its payment: a renewal's review and charges say what is
true of a renewal, the page takes the clerk to the counter with the license's charges, and the
receipt that issued a license offers its certificate."""

import pytest
from django.urls import reverse

from cashiering.models import Drawer
from licensing import services as ls
from licensing.models import License
from tests.licensing.test_licenses import _pay_all, approved  # noqa: F401 - the fixture
from tests.licensing.test_renewals import active_last_year  # noqa: F401 - the fixture


@pytest.fixture
def renewal(active_last_year, supervisor):
    year, _prior = active_last_year
    ls.renewal_run(tax_year=year, acting_user=supervisor)
    return License.objects.get(tax_year=year, business__classification__code="RET")


def test_a_renewal_due_says_it_is_assessed_from_its_figures_and_needs_no_review(client, clerk, renewal):
    client.force_login(clerk)
    page = client.get(renewal.get_absolute_url()).content.decode()
    assert "Assessed when the application is approved" not in page
    assert "Assessed when the renewal's figures are entered" in page
    assert "Not needed: a renewal of" in page and renewal.renewal_of.number in page
    assert ">waiting<" not in page


def test_an_issued_renewal_shows_its_review_as_done(client, clerk, admin_user, renewal):
    ls.renewal_assess(license=renewal, gross_receipts="150000.00", employees=4, acting_user=clerk)
    _pay_all(renewal, clerk, admin_user)
    renewal.refresh_from_db()
    assert renewal.status == License.Status.ACTIVE
    client.force_login(clerk)
    page = client.get(renewal.get_absolute_url()).content.decode()
    assert "Done: a renewal of" in page and "Zoning" in page
    assert ">waiting<" not in page and "Assessed when the application is approved" not in page


def test_the_license_page_takes_payment_at_the_counter(client, clerk, auditor, admin_user, approved):
    from cashiering import demo as counter_demo
    from cashiering import services as cs

    client.force_login(auditor)
    assert 'id="take-payment"' not in client.get(approved.get_absolute_url()).content.decode()
    counter_demo.load_counter(acting_user=admin_user)
    cs.session_open(drawer=Drawer.objects.get(code="D1"), clerk=clerk, opening_counts={})
    client.force_login(clerk)
    page = client.get(approved.get_absolute_url()).content.decode()
    assert 'id="take-payment"' in page and f'name="q" value="{approved.number}"' in page
    response = client.post(
        reverse("cashiering:basket"), {"action": "find", "q": approved.number}, follow=True
    )
    counter = response.content.decode()
    assert response.redirect_chain[-1][0] == reverse("cashiering:counter")
    for charge in approved.charges():
        assert charge.description in counter
    # a clerk who may not take payment (the auditor) is refused at the counter too
    client.force_login(auditor)
    assert (
        client.post(reverse("cashiering:basket"), {"action": "find", "q": approved.number}).status_code == 403
    )


def test_the_receipt_that_issued_a_license_offers_its_certificate(
    client,
    clerk,
    auditor,
    supervisor,
    admin_user,
    approved,
):
    receipt, _session = _pay_all(approved, clerk, admin_user)
    approved.refresh_from_db()
    assert approved.status == License.Status.ACTIVE
    client.force_login(clerk)
    page = client.get(reverse("cashiering:receipt_detail", args=[receipt.number])).content.decode()
    print_url = reverse("licensing:certificate_print", args=[approved.number])
    assert f'action="{print_url}"' in page and f"Print certificate {approved.number}" in page
    pdf = client.post(print_url)
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    page = client.get(reverse("cashiering:receipt_detail", args=[receipt.number])).content.decode()
    assert f"Reprint certificate {approved.number}" in page
    client.force_login(auditor)  # reads, never prints: a view-only copy
    page = client.get(reverse("cashiering:receipt_detail", args=[receipt.number])).content.decode()
    assert f"View certificate {approved.number}" in page and print_url not in page


def test_a_receipt_offers_no_certificate_for_a_license_not_in_force(
    client, clerk, supervisor, admin_user, approved
):
    receipt, _session = _pay_all(approved, clerk, admin_user)
    ls.license_status_change(
        license=approved, change="suspend", reason="Zoning complaint", acting_user=supervisor
    )
    client.force_login(clerk)
    page = client.get(reverse("cashiering:receipt_detail", args=[receipt.number])).content.decode()
    assert f"certificate {approved.number}" not in page
