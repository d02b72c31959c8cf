"""Renewals: a set-based run that can run again, figures reported, penalties by the day paid."""

import datetime

import pytest
from django.urls import reverse

from licensing import selectors
from licensing import services as ls
from licensing.models import License, LicensingPolicy, TaxRule
from licensing.tax import months_late, penalty
from revenue.dates import city_today
from revenue.exceptions import NotAllowed
from revenue.models import Job
from revenue.services import jobs
from tests.conftest import D
from tests.licensing.test_licenses import _pay_all

DELINQUENT = datetime.date(2026, 4, 30)


@pytest.mark.parametrize(
    ("on", "months", "amount", "capped"),
    [
        (datetime.date(2026, 4, 29), 0, "0.00", False),  # the day before
        (DELINQUENT, 1, "17.50", False),  # on the date: the first month has begun
        (datetime.date(2026, 5, 1), 1, "17.50", False),  # the day after
        (datetime.date(2026, 5, 29), 1, "17.50", False),
        (datetime.date(2026, 5, 30), 2, "35.00", False),  # a month later: the second month
        (datetime.date(2026, 8, 30), 5, "87.50", False),  # 50%: exactly the cap
        (datetime.date(2026, 12, 1), 8, "87.50", True),  # 140% held to the 50% cap
    ],
)
def test_penalty_by_the_day_paid(on, months, amount, capped):
    assert months_late(DELINQUENT, on) == months
    assert penalty(
        tax=D("175.00"), delinquent_on=DELINQUENT, on=on, percent_per_month=D("10"), cap_percent=D("50")
    ) == (months, D(amount), capped)


@pytest.mark.parametrize(
    ("delinquent_on", "paid", "months"),
    [
        (datetime.date(2026, 5, 1), datetime.date(2026, 5, 31), 1),  # last good day 04/30 (30 days)
        (datetime.date(2026, 5, 1), datetime.date(2026, 6, 30), 2),
        (datetime.date(2026, 3, 1), datetime.date(2026, 3, 31), 1),  # last good day 02/28
        (datetime.date(2026, 3, 1), datetime.date(2026, 4, 1), 2),
        (datetime.date(2028, 3, 1), datetime.date(2028, 3, 31), 1),  # last good day 02/29 (leap)
        (datetime.date(2026, 2, 1), datetime.date(2026, 2, 28), 1),  # last good day 01/31
        (datetime.date(2026, 2, 1), datetime.date(2026, 3, 1), 2),
        (datetime.date(2026, 8, 1), datetime.date(2026, 8, 31), 1),  # last good day 07/31
        (datetime.date(2026, 8, 1), datetime.date(2026, 9, 30), 2),
    ],
)
def test_a_last_good_day_on_a_month_end_counts_months_by_month_ends(delinquent_on, paid, months):
    from revenue.dates import months_late as core_months_late

    assert months_late(delinquent_on, paid) == months
    assert core_months_late(delinquent_on - datetime.timedelta(days=1), paid) == months


@pytest.fixture
def active_last_year(make_business, clerk, supervisor, classes, party, admin_user, other_party):
    """Two businesses with licenses active in the previous tax year (made directly: history)."""
    year = ls.current_tax_year()
    made = []
    for owner, code in ((party, "RET"), (other_party, "PRO")):
        business = ls.business_create(
            party=owner,
            acting_user=admin_user,
            dba=f"{owner.name} shop",
            location_address="1 Bay St",
            location_city="Alder Bay",
            ownership="llc",
            owner_name="Owner",
            started_on=datetime.date(2010, 1, 1),
            employees=4,
            classification=classes[code],
            gross_receipts=D("150000.00"),
        )
        made.append(
            License.objects.create(
                number=f"BL{year - 1}-90000{len(made)}",
                business=business,
                tax_year=year - 1,
                status="active",
                valid_from=datetime.date(year - 1, 3, 1),
                valid_to=datetime.date(year, 2, 28),
                created_by=admin_user,
            )
        )
    return year, made


def test_a_renewal_run_twice_creates_each_renewal_once(active_last_year, supervisor):
    year, prior = active_last_year
    first = ls.renewal_run(tax_year=year, acting_user=supervisor)
    assert (first.candidates, first.created) == (2, 2)
    again = ls.renewal_run(tax_year=year, acting_user=supervisor)
    assert again.created == 0
    renewals = License.objects.filter(tax_year=year, status=License.Status.RENEWAL).order_by("number")
    assert [r.renewal_of_id for r in renewals] == [p.pk for p in prior]
    assert [r.number for r in renewals] == [f"BL{year}-000001", f"BL{year}-000002"]


def test_numbers_stay_gapless_between_renewals_and_new_applications(
    active_last_year, supervisor, clerk, make_business
):
    year, _prior = active_last_year
    ls.renewal_run(tax_year=year, acting_user=supervisor)
    new = ls.application_submit(business=make_business(location_address="9 Pier Rd"), acting_user=clerk)
    assert new.number == f"BL{year}-000003"


def test_only_a_supervisor_runs_renewals(active_last_year, clerk):
    with pytest.raises(NotAllowed):
        ls.renewal_run(tax_year=active_last_year[0], acting_user=clerk)


def test_a_late_renewal_is_assessed_with_its_penalty(active_last_year, supervisor, clerk):
    year, _prior = active_last_year
    ls.renewal_run(tax_year=year, acting_user=supervisor)
    renewal = License.objects.filter(tax_year=year, business__classification__code="RET").get()
    policy = LicensingPolicy.objects.get()
    late = ls.delinquency_date(year) + datetime.timedelta(days=40)  # second month
    ls.renewal_assess(license=renewal, gross_receipts="150000.00", employees=4, acting_user=clerk, on=late)
    charges = {c.description: c.amount for c in renewal.charges()}
    assert charges[f"Business license tax {year} (renewal)"] == D("175.00")
    assert charges[f"Late renewal penalty {year}"] == D("35.00")
    assert policy.penalty_percent_per_month == D("10.00")
    renewal.refresh_from_db()
    assert renewal.status == License.Status.ASSESSED and "Late: 2 months" in renewal.computation[-1]["label"]


def test_a_renewal_is_assessed_to_the_accounts_of_the_policy_in_force_on_its_date(
    active_last_year, supervisor, clerk
):
    year, _prior = active_last_year
    ls.renewal_run(tax_year=year, acting_user=supervisor)
    renewal = License.objects.filter(tax_year=year, business__classification__code="RET").get()
    today_policy = LicensingPolicy.objects.get()
    on = max(city_today(), ls.delinquency_date(year)) + datetime.timedelta(days=45)
    later = LicensingPolicy.objects.get(pk=today_policy.pk)
    later.pk, later.effective_from = None, on  # a new policy from that day posts tax elsewhere
    later.tax_revenue_account = today_policy.penalty_revenue_account
    later.save()
    ls.renewal_assess(license=renewal, gross_receipts="150000.00", employees=4, acting_user=clerk, on=on)
    tax = renewal.charges().get(description=f"Business license tax {year} (renewal)")
    assert tax.revenue_account_id == later.tax_revenue_account_id != today_policy.tax_revenue_account_id
    penalty_charge = renewal.charges().get(description=f"Late renewal penalty {year}")
    assert penalty_charge.receivable_account_id == later.tax_receivable_account_id


def test_an_early_renewal_has_no_penalty(active_last_year, supervisor, clerk):
    year, _prior = active_last_year
    ls.renewal_run(tax_year=year, acting_user=supervisor)
    renewal = License.objects.filter(tax_year=year, business__classification__code="PRO").get()
    on_time = ls.delinquency_date(year) - datetime.timedelta(days=1)
    ls.renewal_assess(license=renewal, gross_receipts="0", employees=10, acting_user=clerk, on=on_time)
    assert not renewal.charges().filter(description__startswith="Late").exists()
    assert renewal.charges().get(description__contains="license tax").amount == D("250.00")


def test_renewal_screens_notices_and_list(client, active_last_year, supervisor, clerk):
    import io

    import openpyxl
    from django.core.management import call_command

    from tests.pdf import pdf_text

    year, prior = active_last_year
    client.force_login(supervisor)
    response = client.post(reverse("licensing:renewals"), {"tax_year": str(year)})
    job = Job.objects.get(kind="licensing.renewal_run")
    assert response["Location"] == job.get_absolute_url()
    jobs.job_execute(job.pk)  # what the job worker does
    assert "2 created of 2" in client.get(job.get_absolute_url()).content.decode()
    out = io.StringIO()
    call_command("renewal_run", tax_year=year, user="supervisor", stdout=out)
    assert "0 renewals created of 2" in out.getvalue()
    text = pdf_text(client.get(reverse("licensing:renewal_notices", args=[year])).content)
    assert f"BL{year}-000001" in text and prior[0].number in text and "late penalty" in text
    ws = openpyxl.load_workbook(
        io.BytesIO(client.get(reverse("licensing:renewal_list_xlsx", args=[year])).content)
    ).active
    assert [r[0] for r in ws.iter_rows(min_row=5, values_only=True)][:2] == [
        f"BL{year}-000001",
        f"BL{year}-000002",
    ]
    renewal = License.objects.get(number=f"BL{year}-000001")
    client.force_login(clerk)
    client.post(
        reverse("licensing:renewal_assess", args=[renewal.number]),
        {"gross_receipts": "150,000.00", "employees": "4"},
    )
    renewal.refresh_from_db()
    assert renewal.status == License.Status.ASSESSED
    bad = client.post(
        reverse("licensing:renewal_assess", args=[renewal.number]),
        {"gross_receipts": "1", "employees": "x"},
        follow=True,
    )
    assert "whole number" in bad.content.decode()
    assert client.post(reverse("licensing:renewals"), {"tax_year": str(year)}).status_code == 403


def test_a_license_not_renewed_expires(make_business, admin_user, classes):
    year = ls.current_tax_year()
    business = make_business()
    old = License.objects.create(
        number=f"BL{year - 2}-000001",
        business=business,
        tax_year=year - 2,
        status="active",
        valid_from=datetime.date(year - 2, 3, 1),
        valid_to=datetime.date(year - 1, 2, 28),
        created_by=admin_user,
    )
    assert ls.expire_lapsed() == 1
    old.refresh_from_db()
    assert old.status == License.Status.EXPIRED and selectors.verify(old.number)["status"] == "Expired"
    assert ls.expire_lapsed() == 0


def test_a_returned_check_unissues_the_license(
    make_business, clerk, supervisor, other_supervisor, admin_user
):
    from cashiering import services as cs

    license = ls.application_submit(business=make_business(code="HOME"), acting_user=clerk)
    ls.signoff_add(license=license, item="Zoning", acting_user=supervisor)
    ls.application_approve(license=license, acting_user=supervisor)
    total = sum((c.balance for c in license.charges()), D("0"))
    receipt, session = _pay_all(
        license, clerk, admin_user, tenders=[cs.TenderIn("check", total, "2001", "Rosa Alvarez")]
    )
    license.refresh_from_db()
    assert license.status == License.Status.ACTIVE
    check = receipt.tenders.get()
    session = cs.session_close(
        session=session,
        counted_counts={},
        confirmed_check_ids=[check.pk],
        card_batch_total="0",
        explanation="",
        acting_user=clerk,
    )
    cs.session_sign_off(session=session, acting_user=supervisor)
    deposit = cs.deposit_prepare(sessions=[session], acting_user=supervisor)
    cs.deposit_confirm(deposit=deposit, bank_reference="BK", acting_user=other_supervisor)
    cs.check_return(tender=check, reason="NSF", acting_user=supervisor)
    license.refresh_from_db()
    assert license.status == License.Status.ASSESSED


def test_a_renewal_assessed_on_time_but_paid_late_gets_its_penalty_at_the_counter(
    active_last_year, supervisor, clerk, client, admin_user
):

    from cashiering import demo as counter_demo
    from cashiering import services as cs
    from cashiering.models import Drawer

    year, _prior = active_last_year
    ls.renewal_run(tax_year=year, acting_user=supervisor)
    renewal = License.objects.filter(tax_year=year, business__classification__code="RET").get()
    delinquent = ls.delinquency_date(year)
    ls.renewal_assess(
        license=renewal,
        gross_receipts="150000.00",
        employees=4,
        acting_user=clerk,
        on=delinquent - datetime.timedelta(days=1),
    )
    assert not renewal.charges().filter(description__startswith="Late").exists()
    late = delinquent + datetime.timedelta(days=40)
    assert ls.penalty_to_date(license=renewal, on=late, acting_user=clerk) == D("35.00")
    assert ls.penalty_to_date(license=renewal, on=late, acting_user=clerk) == D("0.00")  # never twice

    counter_demo.load_counter(acting_user=admin_user)
    cs.session_open(drawer=Drawer.objects.get(code="D1"), clerk=clerk, opening_counts={})
    client.force_login(clerk)
    client.post(reverse("cashiering:basket"), {"action": "find", "q": renewal.number})
    lines = client.get(reverse("cashiering:counter")).context["pay_rows"]
    penalties = [ln for ln, _f, _i in lines if ln["description"].startswith("Late renewal penalty")]
    assert sum((ln["balance"] for ln in penalties), D("0")) >= D("35.00")  # brought up to today, then paid


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


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/licenses/renewals/1/past-due.pdf", 404),  # no such tax year
        ("/licenses/renewals/0/notices.pdf", 404),
        ("/licenses/renewals/1999.xlsx", 200),  # a year with no renewals: an empty list
    ],
)
def test_impossible_years_are_not_server_errors(client, supervisor, classes, path, status):
    client.force_login(supervisor)
    assert client.get(path).status_code == status
    assert client.get("/licenses/renewals/", {"tax_year": "2000"}).status_code == 200


def test_a_renewal_notice_is_dated_shows_the_expiry_and_the_office_and_fits_the_window(
    client, active_last_year, supervisor, office
):
    from revenue import services as core
    from tests.pdf import pdf_text, position_of

    year, prior = active_last_year
    ls.renewal_run(tax_year=year, acting_user=supervisor)
    renewal = License.objects.get(renewal_of=prior[0])
    client.force_login(supervisor)
    pdf = client.get(reverse("licensing:renewal_notice", args=[renewal.number])).content
    text = " ".join(pdf_text(pdf).split())
    today = core.city_today()
    assert f"{today:%B} {today.day}, {today.year}" in text  # dated the day it is printed
    expiry = prior[0].valid_to
    verb = "expired" if expiry < today else "expires"
    assert (
        f"{prior[0].number} for {prior[0].business.dba} at 1 Bay St, Alder Bay {verb} on {expiry:%B} {expiry.day}, {expiry.year}"
        in text
    )
    assert f"runs from {renewal.valid_from:%B} {renewal.valid_from.day}, {renewal.valid_from.year}" in text
    assert "(555) 010-4200" in text and "Si necesita ayuda en español" in text
    x, y = position_of(pdf, prior[0].business.party.name)
    assert 0.85 <= x <= 0.95 and 2.0 <= y <= 2.3
