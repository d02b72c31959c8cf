"""Fixes from review: duplicate applications, zero-tax renewals, not-yet-valid, reprints, bad years,
a reversed change of location, waivers in the reconciliation."""

import datetime
import uuid

import pytest
from django.urls import reverse

from licensing import reports, selectors
from licensing import services as ls
from licensing.models import License, TaxRule
from revenue import services
from tests.conftest import D
from tests.licensing.test_licenses import _pay_all


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


def test_a_zero_tax_renewal_is_issued_at_once(make_business, supervisor, clerk, admin_user, classes):
    from licensing.models import AddOn

    year = ls.current_tax_year()
    TaxRule.objects.filter(classification=classes["HOME"], tax_year=year).update(flat_amount=D("0.00"))
    AddOn.objects.filter(tax_year=year).delete()
    business = make_business(code="HOME")
    License.objects.create(
        number=f"BL{year - 1}-000777",
        business=business,
        tax_year=year - 1,
        status="active",
        valid_from=datetime.date(year - 1, 3, 1),
        valid_to=datetime.date(year, 2, 28),
        created_by=admin_user,
    )
    ls.renewal_run(tax_year=year, acting_user=supervisor)
    renewal = License.objects.get(tax_year=year)
    ls.renewal_assess(
        license=renewal,
        gross_receipts="0",
        employees=0,
        acting_user=clerk,
        on=ls.delinquency_date(year) - datetime.timedelta(days=1),
    )
    renewal.refresh_from_db()
    assert renewal.status == License.Status.ACTIVE


def test_a_license_not_yet_in_force_says_so(make_business, admin_user):
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
    assert selectors.verify(future.number)["status"] == "Not yet valid"


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


@pytest.mark.parametrize(
    "path",
    ["/licenses/renewals/1/past-due.pdf", "/licenses/renewals/0/notices.pdf", "/licenses/renewals/1999.xlsx"],
)
def test_impossible_years_are_not_server_errors(client, supervisor, classes, path):
    client.force_login(supervisor)
    assert client.get(path).status_code in (200, 404)
    assert client.get("/licenses/renewals/", {"tax_year": "2000"}).status_code == 200


def test_a_reversed_change_of_location_leaves_the_old_license_standing(
    make_business, clerk, supervisor, admin_user
):
    from cashiering import services as cs

    old = ls.application_submit(business=make_business(code="HOME"), acting_user=clerk)
    ls.signoff_add(license=old, item="Zoning", acting_user=supervisor)
    ls.application_approve(license=old, acting_user=supervisor)
    _receipt, session = _pay_all(old, clerk, admin_user)
    new = ls.license_change(license=old, acting_user=clerk, location_address="9 Pier Rd")
    ls.signoff_add(license=new, item="Zoning", acting_user=supervisor)
    ls.application_approve(license=new, acting_user=supervisor)
    charges = list(new.charges())
    receipt = cs.receipt_issue(
        session=session,
        payer=new.business.party,
        acting_user=clerk,
        items=[cs.Item(charge=c, amount=c.balance) for c in charges],
        tenders=[cs.TenderIn("cash", sum((c.balance for c in charges), D("0")))],
    )
    old.refresh_from_db()
    assert old.status == License.Status.CLOSED
    req = cs.receipt_void_request(receipt=receipt, reason="wrong", acting_user=clerk)
    services.approval_decide(request=req, approve=True, acting_user=supervisor)
    old.refresh_from_db()
    new.refresh_from_db()
    assert (old.status, new.status) == (License.Status.ACTIVE, License.Status.ASSESSED)


def test_a_waived_license_fee_is_explained_in_the_reconciliation(
    make_business, clerk, supervisor, other_supervisor
):
    license = ls.application_submit(business=make_business(code="PRO"), acting_user=clerk)
    ls.signoff_add(license=license, item="Zoning", acting_user=supervisor)
    ls.application_approve(license=license, acting_user=supervisor)
    fee = license.charges().get(fee_type__code="BL-PROC")
    services.charge_adjust(
        charge=fee, amount=fee.amount, kind="waiver", acting_user=supervisor, reason="error"
    )
    today = services.city_today()
    rec = reports.posting_reconciliation(start=today, end=today)
    assert rec.balanced and rec.unexplained == []


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
