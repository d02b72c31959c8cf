"""Segregation of duties: nobody raises their own authority and uses it, nobody waives what
they took the money for, and limits hold per charge (waivers and write-offs together), per
clerk per day and per party per day, even when requests race."""

import datetime
import threading

import pytest
from django.db import connection

from revenue import roles, services
from revenue.models import ApprovalRequest, ExceptionLimit
from tests.conftest import D

pytestmark = pytest.mark.django_db


def _limit(group, kind, amount, user, **extra):
    return ExceptionLimit.objects.create(
        role=group,
        kind=kind,
        max_amount=D(amount),
        effective_from=datetime.date(2024, 7, 1),
        created_by=user,
        **extra,
    )


def _waive(charge, user, amount, kind="waiver"):
    return services.approval_request(
        kind=kind, target=charge, amount=amount, reason="Fee charged in error", acting_user=user
    )


def test_a_supervisor_cannot_raise_their_own_limit_and_use_it_at_once(
    client, supervisor, other_supervisor, party, make_charge, role_groups
):
    client.force_login(supervisor)
    group = role_groups[roles.SUPERVISOR]
    response = client.post(
        "/admin/revenue/exceptionlimit/add/",
        {"role": group.pk, "kind": "waiver", "effective_from": "2024-07-01", "max_amount": "1000000.00"},
    )
    assert response.status_code == 302, response.content.decode()[:1500]
    limit = ExceptionLimit.objects.get(role=group, kind="waiver")
    assert limit.state == "pending" and limit.created_by == supervisor
    assert services.exception_limit(user=supervisor, kind="waiver") is None
    charge = make_charge(party, "500.00")
    assert _waive(charge, supervisor, "500.00").status == "pending"  # not on their own authority
    config = ApprovalRequest.objects.get(kind="config")
    with pytest.raises(services.NotAllowed):
        services.approval_decide(request=config, approve=True, acting_user=supervisor)
    services.approval_decide(request=config, approve=True, acting_user=other_supervisor)
    limit.refresh_from_db()
    assert limit.state == "approved"
    assert services.exception_limit(user=supervisor, kind="waiver") == D("1000000.00")


def test_a_denied_limit_never_takes_effect_and_the_same_date_can_be_added_again(
    supervisor, other_supervisor, role_groups
):
    group = role_groups[roles.ASR_II]
    limit = _limit(group, "waiver", "9999.00", supervisor, state="pending")
    request = services.approval_request(
        kind="config", target=limit, reason="New limit", acting_user=supervisor
    )
    services.approval_decide(request=request, approve=False, acting_user=other_supervisor, note="Too high")
    limit.refresh_from_db()
    assert limit.state == "denied"
    _limit(group, "waiver", "50.00", supervisor)  # the corrected limit, the same day
    assert ExceptionLimit.objects.filter(role=group, kind="waiver").count() == 2


def test_nobody_waives_on_their_own_authority_a_charge_they_took_money_for(
    party, make_charge, undeposited, senior_clerk, supervisor, other_supervisor, role_groups
):
    _limit(role_groups[roles.ASR_II], "waiver", "50.00", supervisor)
    charge = make_charge(party, "80.00")
    services.payment_post(
        party=party,
        amount=D("30.00"),
        applications=[(charge, D("30.00"))],
        debit_account=undeposited,
        acting_user=senior_clerk,
    )
    request = _waive(charge, senior_clerk, "10.00")
    assert request.status == "pending" and "You took a payment on this charge" in request.decision_note
    services.approval_decide(request=request, approve=True, acting_user=supervisor)
    charge.refresh_from_db()
    assert charge.amount_adjusted == D("10.00")


def test_a_supervisor_who_took_the_money_cannot_approve_its_waiver(
    party, make_charge, undeposited, clerk, supervisor, other_supervisor
):
    charge = make_charge(party, "80.00")
    services.payment_post(
        party=party,
        amount=D("30.00"),
        applications=[(charge, D("30.00"))],
        debit_account=undeposited,
        acting_user=supervisor,
    )
    request = _waive(charge, clerk, "10.00")
    with pytest.raises(services.NotAllowed, match="took a payment"):
        services.approval_decide(request=request, approve=True, acting_user=supervisor)
    services.approval_decide(request=request, approve=True, acting_user=other_supervisor)


def test_four_small_waivers_for_one_party_in_a_day_stop_at_the_party_limit(
    party, make_charge, senior_clerk, supervisor, role_groups
):
    _limit(role_groups[roles.ASR_II], "waiver", "50.00", supervisor, party_daily_max_amount=D("100.00"))
    charges = [make_charge(party, "60.00") for _ in range(4)]
    statuses = [_waive(c, senior_clerk, "50.00").status for c in charges]
    assert statuses == ["performed", "performed", "pending", "pending"]
    assert (
        "daily limit of 100.00 for one party"
        in ApprovalRequest.objects.filter(status="pending").first().decision_note
    )


def test_a_clerks_voids_or_waivers_in_a_day_stop_at_the_clerks_daily_limit(
    party, other_party, make_charge, senior_clerk, supervisor, role_groups
):
    _limit(role_groups[roles.ASR_II], "waiver", "100.00", supervisor, daily_max_amount=D("250.00"))
    done = [
        _waive(make_charge(p, "100.00"), senior_clerk, "100.00").status for p in (party, other_party, party)
    ]
    assert done == ["performed", "performed", "pending"]


def test_a_waiver_and_a_write_off_of_one_charge_count_together(
    party, make_charge, senior_clerk, supervisor, role_groups
):
    group = role_groups[roles.ASR_II]
    _limit(group, "waiver", "50.00", supervisor)
    _limit(group, "write_off", "50.00", supervisor)
    charge = make_charge(party, "100.00")
    assert _waive(charge, senior_clerk, "40.00").status == "performed"
    assert _waive(charge, senior_clerk, "20.00", kind="write_off").status == "pending"  # 60 > 50 together


@pytest.mark.django_db(transaction=True)
def test_racing_requests_cannot_both_fit_under_a_daily_limit_only_one_fits_under(
    party, other_party, make_charge, senior_clerk, supervisor, role_groups
):
    _limit(role_groups[roles.ASR_II], "waiver", "100.00", supervisor, daily_max_amount=D("100.00"))
    charges = [make_charge(party, "80.00"), make_charge(other_party, "80.00")]
    barrier = threading.Barrier(2)
    results, errors = [], []

    def worker(charge):
        try:
            barrier.wait()
            results.append(_waive(charge, senior_clerk, "60.00").status)
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(c,)) for c in charges]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert sorted(results) == ["pending", "performed"]


def test_a_roles_permissions_change_only_when_a_supervisor_approves(
    client, admin_user, supervisor, role_groups
):
    group = role_groups[roles.ASR_I]
    before = set(group.permissions.values_list("codename", flat=True))
    from django.contrib.auth.models import Permission

    approve = Permission.objects.get(codename="approve_exception")
    client.force_login(admin_user)
    response = client.post(
        f"/admin/auth/group/{group.pk}/change/",
        {"name": group.name, "permissions": [*group.permissions.values_list("pk", flat=True), approve.pk]},
    )
    assert response.status_code == 302, response.content.decode()[:1500]
    assert set(group.permissions.values_list("codename", flat=True)) == before  # not yet
    request = ApprovalRequest.objects.get(kind="config")
    assert "+revenue.approve_exception" in request.target_repr
    with pytest.raises(services.NotAllowed):
        services.approval_decide(request=request, approve=True, acting_user=admin_user)
    services.approval_decide(request=request, approve=True, acting_user=supervisor)
    assert set(group.permissions.values_list("codename", flat=True)) == before | {"approve_exception"}


def test_only_the_system_administrator_proposes_a_role_change(supervisor, role_groups):
    with pytest.raises(services.NotAllowed):
        services.role_change_request(group=role_groups[roles.ASR_I], permissions=[], acting_user=supervisor)


def test_no_permission_is_given_to_one_person_and_role_changes_of_a_user_are_audited(
    client, admin_user, clerk, role_groups
):
    from django.contrib.auth.models import Permission

    from revenue.models import AuditEvent

    approve = Permission.objects.get(codename="approve_exception")
    client.force_login(admin_user)
    response = client.post(
        f"/admin/auth/user/{clerk.pk}/change/",
        {
            "username": clerk.username,
            "first_name": clerk.first_name,
            "last_name": "",
            "email": "",
            "is_active": "on",
            "groups": [role_groups[roles.ASR_II].pk],
            "user_permissions": [approve.pk],  # not on the form: ignored
            "is_superuser": "on",  # not on the form: ignored
        },
    )
    assert response.status_code == 302, response.content.decode()[:1500]
    clerk.refresh_from_db()
    assert not clerk.user_permissions.exists() and not clerk.is_superuser
    assert not clerk.has_perm("revenue.approve_exception")
    event = AuditEvent.objects.get(action="user.roles_changed")
    assert event.before["roles"] == [roles.ASR_I] and event.after["roles"] == [roles.ASR_II]
    assert event.actor == admin_user
