"""Licensing configuration by date: a 0.00 fee is not charged (and a license with nothing to pay
is issued at once), a tax year's add-ons are added and dropped from a date by a supervisor, and
tax rules change by a new rule from a date (the old one stays for what used it), with "created
by" always the person saving."""

import datetime

import pytest
from django.urls import reverse

from licensing import services as ls
from licensing.models import AddOn, License, LicensingPolicy, TaxRule
from revenue import services
from revenue.exceptions import RevenueError
from revenue.models import AuditEvent
from tests.conftest import D

BRACKETS_NONE = {
    "brackets-TOTAL_FORMS": "0",
    "brackets-INITIAL_FORMS": "0",
    "brackets-MIN_NUM_FORMS": "0",
    "brackets-MAX_NUM_FORMS": "1000",
}


def _approve(business, clerk, supervisor):
    license = ls.application_submit(business=business, acting_user=clerk)
    ls.signoff_add(license=license, item="Zoning", acting_user=supervisor)
    return ls.application_approve(license=license, acting_user=supervisor)


def test_a_zero_add_on_rate_is_not_charged_and_licensing_goes_on(make_business, fees, clerk, supervisor):
    today = services.city_today()
    services.fee_rate_set(
        fee_type=fees["BL-PROC"], effective_from=today, amount="0.00", acting_user=supervisor
    )
    license = _approve(make_business(code="HOME", employees=1), clerk, supervisor)
    assert license.status == License.Status.ASSESSED
    charged = sorted(c.description for c in license.charges())
    assert charged == ["Business license tax 2026", "Disability access fee (SB 1186)"]


def test_a_license_with_nothing_to_pay_is_issued_at_once(make_business, classes, fees, clerk, supervisor):
    today = services.city_today()
    for code in ("BL-PROC", "SB1186"):
        services.fee_rate_set(
            fee_type=fees[code], effective_from=today, amount="0.00", acting_user=supervisor
        )
    TaxRule.objects.create(
        classification=classes["HOME"],
        tax_year=ls.current_tax_year(),
        effective_from=today,
        kind="flat",
        flat_amount=D("0.00"),
        created_by=supervisor,
    )
    license = _approve(make_business(code="HOME", employees=1), clerk, supervisor)
    assert license.status == License.Status.ACTIVE and not license.charges().exists()


def test_a_supervisor_drops_an_add_on_from_a_date_and_adds_it_back(client, make_business, fees, supervisor):
    today = services.city_today()
    year = ls.current_tax_year()
    yesterday = today - datetime.timedelta(days=1)
    assert [a.fee_type.code for a in ls.addons_on(year, yesterday)] == ["BL-PROC", "SB1186"]
    client.force_login(supervisor)
    response = client.post(
        reverse("admin:licensing_addon_add"),
        {"tax_year": year, "fee_type": fees["BL-PROC"].pk, "effective_from": today.isoformat()},
    )  # "included" unticked: dropped from today on
    assert response.status_code == 302, response.content.decode()[:2000]
    dropped = AddOn.objects.get(tax_year=year, fee_type=fees["BL-PROC"], effective_from=today)
    assert not dropped.included and dropped.created_by == supervisor
    assert AuditEvent.objects.filter(action="addon.created", actor=supervisor, object_id=dropped.pk).exists()
    assert [a.fee_type.code for a in ls.addons_on(year, yesterday)] == ["BL-PROC", "SB1186"]
    assert [a.fee_type.code for a in ls.addons_on(year, today)] == ["SB1186"]
    _computation, addons = ls.compute(business=make_business(code="HOME", employees=1), tax_year=year)
    assert [f.code for f, _amount, _share in addons] == ["SB1186"]

    later = today + datetime.timedelta(days=30)
    client.post(
        reverse("admin:licensing_addon_add"),
        {
            "tax_year": year,
            "fee_type": fees["BL-PROC"].pk,
            "effective_from": later.isoformat(),
            "included": "on",
        },
    )
    assert [a.fee_type.code for a in ls.addons_on(year, later)] == ["BL-PROC", "SB1186"]
    assert client.post(reverse("admin:licensing_addon_change", args=[dropped.pk]), {}).status_code == 403


def test_a_tax_rule_changes_from_a_date_and_created_by_is_the_person_saving(
    client, classes, supervisor, other_supervisor
):
    today = services.city_today()
    year = ls.current_tax_year()
    old = ls.rule_for(classes["HOME"], year)
    client.force_login(supervisor)
    form = client.get(reverse("admin:licensing_taxrule_add")).content.decode()
    assert 'name="created_by"' not in form and 'name="effective_from"' in form
    response = client.post(
        reverse("admin:licensing_taxrule_add"),
        {
            "classification": classes["HOME"].pk,
            "tax_year": year,
            "effective_from": today.isoformat(),
            "kind": "flat",
            "flat_amount": "75.00",
            "minimum_tax": "0.00",
            "created_by": other_supervisor.pk,  # not a field: ignored
            **BRACKETS_NONE,
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    new = TaxRule.objects.get(classification=classes["HOME"], tax_year=year, effective_from=today)
    assert new.created_by == supervisor and new.flat_amount == D("75.00")
    assert ls.rule_for(classes["HOME"], year, today - datetime.timedelta(days=1)) == old
    assert ls.rule_for(classes["HOME"], year, today) == new
    TaxRule.objects.get(pk=old.pk)  # the old rule stays
    edit = client.post(
        reverse("admin:licensing_taxrule_change", args=[old.pk]),
        {"classification": classes["HOME"].pk, "tax_year": year, "kind": "flat", "flat_amount": "1.00"},
    )
    assert edit.status_code == 403
    assert TaxRule.objects.get(pk=old.pk).flat_amount == D("50.00")


def test_a_tax_rule_used_by_a_license_stays_and_an_unused_one_is_withdrawn(
    make_business, classes, clerk, supervisor
):
    today = services.city_today()
    year = ls.current_tax_year()
    old = ls.rule_for(classes["HOME"], year)
    _approve(make_business(code="HOME", employees=1), clerk, supervisor)
    with pytest.raises(RevenueError, match="1 license used it"):
        services.config_withdraw(row=old, acting_user=supervisor, reason="mistake")
    mistaken = TaxRule.objects.create(
        classification=classes["HOME"],
        tax_year=year,
        effective_from=today + datetime.timedelta(days=1),
        kind="flat",
        flat_amount=D("5000.00"),
        created_by=supervisor,
    )
    services.config_withdraw(row=mistaken, acting_user=supervisor, reason="one zero too many")
    assert ls.rule_for(classes["HOME"], year, today + datetime.timedelta(days=1)) == old
    # and the licensing policy, used by that license too, stays
    with pytest.raises(RevenueError, match="used it"):
        services.config_withdraw(row=LicensingPolicy.objects.get(), acting_user=supervisor, reason="x")


def test_the_licensing_policy_form_refuses_penalties_that_break_the_work(client, accounts, supervisor):
    client.force_login(supervisor)
    data = {
        "effective_from": "2027-03-01",
        "tax_year_start_month": "3",
        "proration": "quarterly",
        "delinquent_after_days": "0",
        "penalty_percent_per_month": "-10.00",
        "penalty_cap_percent": "150.00",
        "cpi_rounding": "dollar",
        "tax_receivable_account": accounts["100-1220"].pk,
        "tax_revenue_account": accounts["100-4110"].pk,
        "penalty_revenue_account": accounts["100-4160"].pk,
    }
    response = client.post(reverse("admin:licensing_licensingpolicy_add"), data)
    assert response.status_code == 200
    page = response.content.decode()
    assert page.count("errorlist") >= 3
    assert not LicensingPolicy.objects.exists()
