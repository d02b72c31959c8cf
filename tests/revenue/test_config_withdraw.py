"""Configuration mistakes are correctable the same day: a supervisor withdraws a row nothing has
used yet (audited, with a reason), it is no longer in force anywhere, and a corrected row is
added for the same date; a row something used stays (the withdrawal says why). One mechanism
for every app's effective-dated configuration."""

import datetime

import pytest
from django.apps import apps
from django.contrib import admin
from django.urls import reverse

from revenue import services
from revenue.admin import EffectiveDatedAdmin
from revenue.exceptions import InvalidAmount, NotAllowed, RevenueError
from revenue.models import AuditEvent, EffectiveDated, ExceptionLimit, FeeRate
from tests.conftest import D

EFFECTIVE_DATED = {
    "revenue.feerate",
    "revenue.exceptionlimit",
    "revenue.officeconfig",
    "licensing.licensingpolicy",
    "licensing.taxrule",
    "licensing.addon",
    "parking.parkingpolicy",
    "parking.permitterms",
    "parking.violationfine",
    "tot.totpolicy",
    "tot.totrate",
    "receivables.receivablespolicy",
    "receivables.dunninglevel",
    "cashiering.cashieringpolicy",
    "payables.payablespolicy",
    "payables.approvallimit",
}


def test_every_effective_dated_table_uses_the_one_mechanism():
    dated = {
        m._meta.label_lower
        for m in apps.get_models()
        if any(f.name == "effective_from" for f in m._meta.get_fields())
    }
    assert dated == EFFECTIVE_DATED
    for label in dated:
        model = apps.get_model(label)
        assert issubclass(model, EffectiveDated), label
        assert model.config_used is not EffectiveDated.config_used, f"{label} does not say what uses it"
        assert isinstance(admin.site._registry[model], EffectiveDatedAdmin), label
        reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_withdraw", args=[1])
        assert any(
            c.condition is not None and "withdrawn_at" in str(c.condition)
            for c in model._meta.constraints
            if "effective_from" in getattr(c, "fields", ())
        ), f"{label}: the date's uniqueness must leave withdrawn rows out"


def test_a_mistaken_rate_is_withdrawn_and_corrected_the_same_day(fees, supervisor, party, clerk):
    today = services.city_today()
    notary = fees["NOTARY"]
    before = services.fee_rate_on(fee_type=notary).amount
    wrong = services.fee_rate_set(
        fee_type=notary, effective_from=today, amount="150.00", acting_user=supervisor
    )
    assert services.fee_rate_on(fee_type=notary) == wrong
    with pytest.raises(RevenueError, match="already has a rate"):
        services.fee_rate_set(fee_type=notary, effective_from=today, amount="15.00", acting_user=supervisor)

    services.config_withdraw(row=wrong, acting_user=supervisor, reason="Typed 150 for 15")

    assert services.fee_rate_on(fee_type=notary).amount == before  # no longer in force
    withdrawn = FeeRate.all_rows.get(pk=wrong.pk)
    assert withdrawn.withdrawn_by == supervisor and withdrawn.withdrawn_at is not None
    assert withdrawn.withdrawn_reason == "Typed 150 for 15"
    event = AuditEvent.objects.get(action="feerate.withdrawn")
    assert (event.actor, event.object_id, event.reason) == (supervisor, wrong.pk, "Typed 150 for 15")
    fixed = services.fee_rate_set(
        fee_type=notary, effective_from=today, amount="15.00", acting_user=supervisor
    )
    assert services.fee_rate_on(fee_type=notary) == fixed
    assert services.charge_assess_fee(party=party, fee_type=notary, acting_user=clerk).amount == D("15.00")


def test_a_rate_already_used_cannot_be_withdrawn(fees, supervisor, party, clerk):
    today = services.city_today()
    rate = services.fee_rate_set(
        fee_type=fees["NOTARY"], effective_from=today, amount="20.00", acting_user=supervisor
    )
    services.charge_assess_fee(party=party, fee_type=fees["NOTARY"], acting_user=clerk)
    with pytest.raises(RevenueError, match="1 charge used it. Add a corrected row from a later date"):
        services.config_withdraw(row=rate, acting_user=supervisor, reason="wrong")
    assert services.fee_rate_on(fee_type=fees["NOTARY"]) == rate
    assert not AuditEvent.objects.filter(action="feerate.withdrawn").exists()


def test_a_charge_under_the_next_rate_does_not_count_as_a_use(fees, supervisor, party, clerk):
    old = FeeRate.objects.get(fee_type=fees["NSF"], effective_from=datetime.date(2024, 7, 1))
    services.charge_assess_fee(party=party, fee_type=fees["NSF"], acting_user=clerk)  # at the 2026 rate
    assert services.config_usage(old) == ""
    services.charge_assess_fee(
        party=party, fee_type=fees["NSF"], on=datetime.date(2025, 1, 2), acting_user=clerk
    )
    assert services.config_usage(old).startswith("1 charge used it")


def test_a_withdrawal_needs_a_supervisor_and_a_reason(fees, supervisor, clerk, auditor):
    rate = services.fee_rate_set(
        fee_type=fees["NOTARY"], effective_from=services.city_today(), amount="9.00", acting_user=supervisor
    )
    for user in (clerk, auditor):
        with pytest.raises(NotAllowed):
            services.config_withdraw(row=rate, acting_user=user, reason="mistake")
    with pytest.raises(RevenueError, match="Say why"):
        services.config_withdraw(row=rate, acting_user=supervisor, reason="  ")
    services.config_withdraw(row=rate, acting_user=supervisor, reason="mistake")
    with pytest.raises(RevenueError, match="was withdrawn on"):
        services.config_withdraw(row=rate, acting_user=supervisor, reason="again")


def test_a_withdrawn_row_is_in_force_nowhere(fees, supervisor):
    today = services.city_today()
    rate = services.fee_rate_set(
        fee_type=fees["NSF"], effective_from=today, amount="40.00", acting_user=supervisor
    )
    services.config_withdraw(row=rate, acting_user=supervisor, reason="not decided yet")
    # not through the default manager, a related manager, nor a queryset of every row
    assert not FeeRate.objects.filter(pk=rate.pk).exists()
    assert rate.pk not in fees["NSF"].rates.values_list("pk", flat=True)
    assert services.in_force(FeeRate.all_rows.filter(fee_type=fees["NSF"]), today).amount == D("35.00")


def test_a_limit_waiting_for_approval_is_denied_not_withdrawn(role_groups, supervisor):
    from revenue import roles

    limit = ExceptionLimit.objects.create(
        role=role_groups[roles.ASR_II],
        kind="waiver",
        effective_from=services.city_today(),
        max_amount=D("10.00"),
        state="pending",
        created_by=supervisor,
    )
    with pytest.raises(RevenueError, match="waiting for approval"):
        services.config_withdraw(row=limit, acting_user=supervisor, reason="mistake")


def test_the_withdraw_screen_is_for_supervisors_only(client, fees, supervisor, clerk, auditor):
    rate = services.fee_rate_set(
        fee_type=fees["NOTARY"], effective_from=services.city_today(), amount="99.00", acting_user=supervisor
    )
    url = reverse("admin:revenue_feerate_withdraw", args=[rate.pk])
    assert client.get(url).status_code == 302  # to the login
    auditor.is_staff = True  # as the demo's auditor, who reads the configuration screens
    auditor.save()
    for user in (clerk, auditor):
        client.force_login(user)
        assert client.get(url).status_code == 403
        assert client.post(url, {"reason": "mistake"}).status_code == 403
    assert FeeRate.objects.filter(pk=rate.pk).exists()

    client.force_login(supervisor)
    page = client.get(url)
    assert page.status_code == 200 and "Why is it withdrawn?" in page.content.decode()
    assert (
        "Withdraw…"
        in client.get(reverse("admin:revenue_feetype_change", args=[fees["NOTARY"].pk])).content.decode()
    )
    done = client.post(url, {"reason": "Typed 99 for 9"}, follow=True)
    assert done.redirect_chain[0][0] == reverse("admin:revenue_feetype_change", args=[fees["NOTARY"].pk])
    assert "is withdrawn" in done.content.decode()
    assert not FeeRate.objects.filter(pk=rate.pk).exists()
    listed = client.get(reverse("admin:revenue_feerate_changelist")).content.decode()
    assert "Typed 99 for 9" in listed  # a withdrawn row stays listed, with who and why


def test_the_withdraw_screen_says_why_a_used_row_stays(client, fees, supervisor, party, clerk):
    rate = services.fee_rate_set(
        fee_type=fees["NOTARY"], effective_from=services.city_today(), amount="12.00", acting_user=supervisor
    )
    services.charge_assess_fee(party=party, fee_type=fees["NOTARY"], acting_user=clerk)
    url = reverse("admin:revenue_feerate_withdraw", args=[rate.pk])
    client.force_login(supervisor)
    page = client.get(url).content.decode()
    assert "cannot be withdrawn: 1 charge used it" in page and "Why is it withdrawn?" not in page
    refused = client.post(url, {"reason": "mistake"})
    assert refused.status_code == 200 and "cannot be withdrawn" in refused.content.decode()
    assert FeeRate.objects.filter(pk=rate.pk).exists()


def test_a_zero_fee_is_not_charged_and_says_so(fees, supervisor, party, clerk):
    today = services.city_today()
    services.fee_rate_set(
        fee_type=fees["NOTARY"], effective_from=today, amount="0.00", acting_user=supervisor
    )
    with pytest.raises(InvalidAmount, match=r"is not charged from \S+ \(its rate is 0.00\)"):
        services.charge_assess_fee(party=party, fee_type=fees["NOTARY"], acting_user=clerk)
    total, share, _rate = services.fee_compute(fee_type=fees["NOTARY"], allow_zero=True)
    assert (total, share) == (D("0.00"), D("0.00"))


def test_a_withdrawn_tot_rate_and_policy_are_out_of_force_and_their_date_is_free(
    client, accounts, admin_user, supervisor
):
    from tot import demo
    from tot.models import TotPolicy, TotRate

    demo.load_tot(acting_user=admin_user)
    today = services.city_today()
    client.force_login(supervisor)
    assert (
        client.post("/admin/tot/totrate/add/", {"effective_from": today, "percent": "21.000"}).status_code
        == 302
    )
    wrong = TotRate.objects.get(effective_from=today)
    assert services.in_force(TotRate.objects.all(), today) == wrong
    withdraw = reverse("admin:tot_totrate_withdraw", args=[wrong.pk])
    assert client.post(withdraw, {"reason": "21 for 12.5"}).status_code == 302
    assert services.in_force(TotRate.objects.all(), today).percent == D("12.000")
    again = client.post("/admin/tot/totrate/add/", {"effective_from": today, "percent": "12.500"})
    assert again.status_code == 302, again.content.decode()[:1500]
    assert services.in_force(TotRate.objects.all(), today).percent == D("12.500")

    policy = TotPolicy.objects.create(
        **{
            f.attname: getattr(TotPolicy.objects.get(), f.attname)
            for f in TotPolicy._meta.concrete_fields
            if f.name not in ("id", "effective_from", "created_at")
        },
        effective_from=today,
    )
    assert services.policy_on(TotPolicy, today) == policy
    services.config_withdraw(row=policy, acting_user=supervisor, reason="added twice")
    assert services.policy_on(TotPolicy, today).effective_from == datetime.date(2024, 1, 1)


def test_policy_forms_refuse_values_that_break_the_work(client, accounts, supervisor):
    from receivables.models import ReceivablesPolicy
    from tot.models import TotPolicy

    client.force_login(supervisor)
    tot = client.post(
        "/admin/tot/totpolicy/add/",
        {
            "effective_from": "2027-01-01",
            "receivable_account": accounts["100-1210"].pk,
            "tax_revenue_account": accounts["100-4150"].pk,
            "penalty_revenue_account": accounts["100-4150"].pk,
            "interest_revenue_account": accounts["100-4150"].pk,
            "due_months_after": "0",
            "long_stay_days": "30",
            "first_penalty_percent": "-10.00",
            "second_penalty_percent": "10.00",
            "second_penalty_after_days": "30",
            "interest_percent_per_month": "0.500",
        },
    )
    assert tot.status_code == 200 and "errornote" in tot.content.decode()
    assert not TotPolicy.objects.exists()
    for edges in ("[90, 30]", "[0]", '["30"]', "[30, 30]"):
        ar = client.post(
            "/admin/receivables/receivablespolicy/add/",
            {
                "effective_from": "2027-01-01",
                "receivable_account": accounts["100-1210"].pk,
                "default_terms_days": "30",
                "aging_edges": edges,
                "collections_threshold": "100.00",
            },
        )
        assert ar.status_code == 200 and "rising whole days" in ar.content.decode(), edges
    assert not ReceivablesPolicy.objects.exists()
