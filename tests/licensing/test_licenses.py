"""From application to an issued license, paid at the counter; public verification."""

import datetime
import uuid

import pytest
from django.urls import reverse

from cashiering import demo as counter_demo
from cashiering import services as cs
from licensing import selectors
from licensing import services as ls
from licensing.models import Business, License
from revenue import services
from revenue.exceptions import NotAllowed
from tests.conftest import D
from tests.pdf import pdf_text


@pytest.fixture
def approved(make_business, clerk, supervisor):
    license = ls.application_submit(business=make_business(code="PRO", employees=4), acting_user=clerk)
    ls.signoff_add(license=license, item="Zoning", acting_user=supervisor)
    return ls.application_approve(license=license, acting_user=supervisor)


def _pay_all(license, clerk, admin_user, tenders=None):
    counter_demo.load_counter(acting_user=admin_user)
    from cashiering.models import Drawer

    session = cs.session_open(drawer=Drawer.objects.get(code="D1"), clerk=clerk, opening_counts={})
    charges = list(license.charges())
    total = sum((c.balance for c in charges), D("0"))
    return cs.receipt_issue(
        session=session,
        payer=license.business.party,
        acting_user=clerk,
        items=[cs.Item(charge=c, amount=c.balance) for c in charges],
        tenders=tenders or [cs.TenderIn("cash", total)],
    ), session


def test_a_license_is_issued_when_its_charges_are_paid_and_unissued_when_the_payment_is_voided(
    approved, clerk, supervisor, admin_user
):
    assert approved.status == License.Status.ASSESSED
    receipt, _session = _pay_all(approved, clerk, admin_user)
    approved.refresh_from_db()
    assert approved.status == License.Status.ACTIVE and approved.issued_at is not None
    req = cs.receipt_void_request(receipt=receipt, reason="wrong business", acting_user=clerk)
    services.approval_decide(request=req, approve=True, acting_user=supervisor)
    approved.refresh_from_db()
    assert approved.status == License.Status.ASSESSED and approved.issued_at is None


def test_a_partial_payment_does_not_issue(approved, clerk, admin_user):
    counter_demo.load_counter(acting_user=admin_user)
    from cashiering.models import Drawer

    session = cs.session_open(drawer=Drawer.objects.get(code="D1"), clerk=clerk, opening_counts={})
    tax = approved.charges().get(fee_type__isnull=True)
    cs.receipt_issue(
        session=session,
        payer=approved.business.party,
        acting_user=clerk,
        items=[cs.Item(charge=tax, amount=tax.balance)],
        tenders=[cs.TenderIn("cash", tax.balance)],
    )
    approved.refresh_from_db()
    assert approved.status == License.Status.ASSESSED


def test_approval_needs_every_sign_off_and_a_supervisor(make_business, clerk, supervisor, senior_clerk):
    license = ls.application_submit(
        business=make_business(code="RES", receipts="200000.00"), acting_user=clerk
    )
    with pytest.raises(NotAllowed):
        ls.signoff_add(
            license=license, item="Zoning", acting_user=clerk
        )  # a Representative I does not review
    ls.signoff_add(license=license, item="Zoning", acting_user=senior_clerk)
    with pytest.raises(services.RevenueError, match="Still to sign off: Fire, Health"):
        ls.application_approve(license=license, acting_user=supervisor)
    with pytest.raises(NotAllowed):
        ls.application_approve(license=license, acting_user=senior_clerk)
    with pytest.raises(services.RevenueError, match="already signed off"):
        ls.signoff_add(license=license, item="Zoning", acting_user=supervisor)
    with pytest.raises(services.RevenueError, match="not on this classification's checklist"):
        ls.signoff_add(license=license, item="Police", acting_user=supervisor)
    assert license.charges().count() == 0  # issuing without payment is impossible: nothing assessed yet


def test_a_denied_application_says_why(make_business, clerk, supervisor):
    license = ls.application_submit(business=make_business(), acting_user=clerk)
    with pytest.raises(services.RevenueError, match="Say why"):
        ls.application_deny(license=license, reason=" ", acting_user=supervisor)
    ls.application_deny(license=license, reason="Zoning does not allow retail here", acting_user=supervisor)
    license.refresh_from_db()
    assert license.status == License.Status.DENIED and license.charges().count() == 0


def test_a_second_live_license_for_the_same_business_is_refused(make_business, clerk):
    business = make_business()
    ls.application_submit(business=business, acting_user=clerk)
    with pytest.raises(services.RevenueError, match="already has a license"):
        ls.application_submit(business=business, acting_user=clerk)
    assert License.objects.count() == 1


def test_public_verification_shows_nothing_private_and_lists_nothing(client, approved, clerk, admin_user):
    _pay_all(approved, clerk, admin_user)
    client.logout()
    page = client.get(reverse("licensing:verify", args=[approved.number])).content.decode()
    assert "Valid" in page and "Rosa&#x27;s Gifts" in page and "100 Main St" in page
    for private in ("(555) 010-1000", "Rosa Alvarez", "R2027", "160.00"):  # owner contact, receipts, money
        assert private not in page, private
    unknown = client.get(reverse("licensing:verify", args=["BL2026-999999"])).content.decode()
    assert "No license with the number" in unknown
    partial = client.get(reverse("licensing:verify_form"), {"number": approved.number[:-1]}).content.decode()
    assert "No license with the number" in partial and approved.number not in partial.replace(
        approved.number[:-1], ""
    )
    assert client.get(reverse("licensing:license_list")).status_code == 302  # the list needs a login


def test_an_unpaid_application_is_not_yet_in_force_not_unknown(client, approved):
    page = client.get(reverse("licensing:verify", args=[approved.number])).content.decode()
    assert "Not yet in force" in page and f"License {approved.number} has not been issued yet" in page
    assert "No license with the number" not in page
    for private in ("Rosa", "100 Main St", "Valid"):  # nothing about a license not issued
        assert private not in page.split('id="verify-result"', 1)[1], private
    unknown = client.get(reverse("licensing:verify", args=["BL2026-999999"])).content.decode()
    assert "No license with the number" in unknown and "Not yet in force" not in unknown


def test_certificate_pdf_and_duplicate(client, approved, clerk, admin_user):
    _pay_all(approved, clerk, admin_user)
    client.force_login(clerk)
    first = client.post(reverse("licensing:certificate_print", args=[approved.number]), follow=True)
    text = pdf_text(first.content)
    assert approved.number in text and "BUSINESS LICENSE" in text and "DUPLICATE" not in text
    second = client.post(reverse("licensing:certificate_print", args=[approved.number]), follow=True)
    assert "DUPLICATE" in pdf_text(second.content)


def test_application_through_the_web_with_bad_input(client, clerk, party, classes):
    client.force_login(clerk)
    data = {
        "token": str(uuid.uuid4()),
        "party_number": party.number,
        "dba": "Rosa's Gifts",
        "classification": classes["RET"].pk,
        "location_address": "100 Main St",
        "location_city": "Alder Bay",
        "ownership": "sole",
        "owner_name": "Rosa Alvarez",
        "started_on": "2015-05-01",
        "employees": "-2",
        "gross_receipts": "150000.00",
    }
    response = client.post(reverse("licensing:application_new"), data)
    assert "cannot be negative" in response.content.decode() and Business.objects.count() == 0
    response = client.post(
        reverse("licensing:application_new"), {**data, "employees": "2", "gross_receipts": "-5.00"}
    )
    assert Business.objects.count() == 0
    response = client.post(
        reverse("licensing:application_new"), {**data, "employees": "2", "party_number": "P999"}
    )
    assert "No party has that number" in response.content.decode()
    response = client.post(reverse("licensing:application_new"), {**data, "employees": "2"}, follow=True)
    license = License.objects.get()
    assert f"Application {license.number} submitted" in response.content.decode()
    page = client.get(license.get_absolute_url())
    assert page.context["computation"].total == D("175.00")  # the arithmetic is shown before assessing


def test_licensing_permissions(client, approved, auditor, field_crew, clerk):
    for user, status in ((auditor, 200), (field_crew, 403)):
        client.force_login(user)
        assert client.get(approved.get_absolute_url()).status_code == status
    client.force_login(auditor)
    assert client.post(reverse("licensing:deny", args=[approved.number]), {"reason": "x"}).status_code == 403
    assert client.get(reverse("licensing:application_new")).status_code == 403
    client.force_login(clerk)
    assert client.post(reverse("licensing:approve", args=[approved.number])).status_code == 403


def test_the_same_business_and_location_cannot_apply_twice_through_the_web(client, clerk, party, classes):
    client.force_login(clerk)
    data = {
        "party_number": party.number,
        "dba": "Rosa's Gifts",
        "classification": classes["RET"].pk,
        "location_address": "100 Main St",
        "location_city": "Alder Bay",
        "ownership": "sole",
        "owner_name": "Rosa Alvarez",
        "started_on": "2015-05-01",
        "employees": "2",
        "gross_receipts": "1000",
    }
    client.post(reverse("licensing:application_new"), {**data, "token": str(uuid.uuid4())})
    second = client.post(reverse("licensing:application_new"), {**data, "token": str(uuid.uuid4())})
    assert "already has license" in second.content.decode()
    assert License.objects.count() == 1


def test_a_license_not_yet_in_force_says_so(client, make_business, admin_user):
    year = ls.current_tax_year()
    future = License.objects.create(
        number=f"BL{year + 1}-000001",
        business=make_business(),
        tax_year=year + 1,
        status="active",
        valid_from=datetime.date(year + 1, 3, 1),
        valid_to=datetime.date(year + 2, 2, 28),
        created_by=admin_user,
    )
    assert selectors.verify(future.number)["status"] == "Not yet in force"
    page = client.get(reverse("licensing:verify", args=[future.number])).content.decode()
    assert "Not yet in force" in page and f"in force from 03/01/{year + 1}" in page
    assert "No license with the number" not in page


def test_a_home_based_business_address_is_not_published(make_business, admin_user):
    year = ls.current_tax_year()
    home = License.objects.create(
        number=f"BL{year}-000555",
        business=make_business(home_based=True),
        tax_year=year,
        status="active",
        valid_from=datetime.date(year, 3, 1),
        valid_to=datetime.date(year + 1, 2, 28),
        created_by=admin_user,
    )
    assert selectors.verify(home.number)["location"] == "Alder Bay"


def test_a_reprinted_certificate_is_never_an_original_again(
    client, make_business, clerk, supervisor, admin_user
):
    from tests.pdf import pdf_text

    license = ls.application_submit(business=make_business(code="HOME"), acting_user=clerk)
    ls.signoff_add(license=license, item="Zoning", acting_user=supervisor)
    ls.application_approve(license=license, acting_user=supervisor)
    _pay_all(license, clerk, admin_user)
    client.force_login(clerk)
    client.post(reverse("licensing:certificate_print", args=[license.number]))
    client.post(reverse("licensing:certificate_print", args=[license.number]))
    again = client.get(reverse("licensing:certificate", args=[license.number]), {"copy": "1"})
    assert "DUPLICATE" in pdf_text(again.content)


def test_the_receipt_says_which_license_period_it_paid_for(client, approved, clerk, admin_user):
    from tests.pdf import pdf_text

    receipt, _session = _pay_all(approved, clerk, admin_user)
    period = f"License {approved.valid_from:%m/%d/%Y}–{approved.valid_to:%m/%d/%Y}"
    client.force_login(clerk)
    text = pdf_text(client.get(reverse("cashiering:receipt_pdf", args=[receipt.number, "roll"])).content)
    assert text.count(f"For: {period}") == receipt.lines.count()
    letter = pdf_text(client.get(reverse("cashiering:receipt_pdf", args=[receipt.number, "letter"])).content)
    assert period in letter
