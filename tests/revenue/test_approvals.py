"""Exceptions go to a supervisor; the operation runs only on approval; nobody decides their own."""

import pytest

from revenue import services
from revenue.exceptions import AlreadyDecided, NotAllowed, OverApplied, RevenueError
from revenue.models import ApprovalRequest, JournalEntry
from tests.conftest import D, balance_of


@pytest.fixture
def charge(party, make_charge):
    return make_charge(party, "80.00")


def _request(charge, user, kind="waiver", amount="30.00"):
    return services.approval_request(
        kind=kind, target=charge, amount=amount, reason="Fee charged in error", acting_user=user
    )


def test_a_waiver_runs_only_when_a_supervisor_approves(charge, clerk, supervisor, accounts):
    req = _request(charge, clerk)
    charge.refresh_from_db()
    assert charge.balance == D("80.00")  # nothing yet

    services.approval_decide(request=req, approve=True, acting_user=supervisor, note="OK")

    charge.refresh_from_db()
    req.refresh_from_db()
    assert charge.balance == D("50.00") and charge.amount_adjusted == D("30.00")
    assert balance_of(accounts["100-4150"]) == D("-50.00")  # revenue reduced
    assert (req.status, req.decided_by, req.decision_note) == ("approved", supervisor, "OK")
    actions = [e.action for e in services.audit_trail(req)]
    assert actions == ["approval.approved", "approval.requested"]


def test_a_write_off_posts_to_bad_debt(charge, clerk, supervisor, accounts):
    req = _request(charge, clerk, kind="write_off", amount="80.00")
    services.approval_decide(request=req, approve=True, acting_user=supervisor)
    charge.refresh_from_db()
    assert charge.is_settled
    assert balance_of(accounts["100-7910"]) == D("80.00")
    assert balance_of(accounts["100-1210"]) == D("0.00")


def test_a_denied_request_changes_nothing_and_needs_a_reason(charge, clerk, supervisor):
    req = _request(charge, clerk)
    entries = JournalEntry.objects.count()
    with pytest.raises(RevenueError, match="why"):
        services.approval_decide(request=req, approve=False, acting_user=supervisor, note="")
    services.approval_decide(request=req, approve=False, acting_user=supervisor, note="Fee was correct")
    charge.refresh_from_db()
    assert charge.balance == D("80.00") and JournalEntry.objects.count() == entries
    with pytest.raises(AlreadyDecided):
        services.approval_decide(request=req, approve=True, acting_user=supervisor)


def test_nobody_approves_their_own_request(charge, supervisor, other_supervisor):
    req = _request(charge, supervisor)
    with pytest.raises(NotAllowed, match="own request"):
        services.approval_decide(request=req, approve=True, acting_user=supervisor)
    services.approval_decide(request=req, approve=True, acting_user=other_supervisor)
    req.refresh_from_db()
    assert req.status == "approved"


def test_the_database_refuses_a_self_approval_too(charge, supervisor):
    from django.db import IntegrityError, transaction
    from django.utils import timezone

    req = _request(charge, supervisor)
    with pytest.raises(IntegrityError), transaction.atomic():
        ApprovalRequest.objects.filter(pk=req.pk).update(
            status="approved", decided_by=supervisor, decided_at=timezone.now()
        )


@pytest.mark.parametrize("role", ["clerk", "senior_clerk", "auditor", "field_crew"])
def test_only_a_supervisor_can_decide(charge, clerk, role, request):
    req = _request(charge, clerk)
    with pytest.raises(NotAllowed):
        services.approval_decide(request=req, approve=True, acting_user=request.getfixturevalue(role))
    req.refresh_from_db()
    assert req.status == "pending"


@pytest.mark.parametrize("role", ["auditor", "field_crew"])
def test_roles_that_change_nothing_cannot_request(charge, role, request):
    with pytest.raises(NotAllowed):
        _request(charge, request.getfixturevalue(role))
    assert ApprovalRequest.objects.count() == 0


def test_request_checks_amount_reason_and_duplicates(charge, clerk):
    with pytest.raises(OverApplied):
        _request(charge, clerk, amount="80.01")
    with pytest.raises(RevenueError, match="reason"):
        services.approval_request(kind="waiver", target=charge, amount="1.00", reason="  ", acting_user=clerk)
    _request(charge, clerk)
    with pytest.raises(RevenueError, match="already waiting"):
        _request(charge, clerk)
    assert ApprovalRequest.objects.count() == 1


def test_approval_fails_whole_when_the_balance_has_since_fallen(charge, clerk, supervisor, undeposited):
    req = _request(charge, clerk, amount="80.00")
    services.payment_post(
        party=charge.party,
        amount=D("10.00"),
        applications=[(charge, D("10.00"))],
        debit_account=undeposited,
        acting_user=clerk,
    )
    with pytest.raises(OverApplied):
        services.approval_decide(request=req, approve=True, acting_user=supervisor)
    req.refresh_from_db()
    assert req.status == "pending"  # the decision rolled back with the failed waiver


@pytest.fixture
def limits(role_groups, admin_user):
    import datetime

    from revenue import roles
    from revenue.models import ExceptionLimit

    group = role_groups[roles.ASR_II]
    ExceptionLimit.objects.create(
        role=group,
        kind="waiver",
        max_amount=D("50.00"),
        effective_from=datetime.date(2024, 7, 1),
        created_by=admin_user,
    )
    ExceptionLimit.objects.create(
        role=group,
        kind="waiver",
        max_amount=D("20.00"),
        effective_from=datetime.date(2099, 7, 1),
        created_by=admin_user,
    )


def test_a_senior_clerk_waives_within_the_limit_at_once(charge, senior_clerk, limits, accounts):
    req = _request(charge, senior_clerk, amount="50.00")
    charge.refresh_from_db()
    assert req.status == "performed" and req.decided_by is None and req.decided_at is not None
    assert charge.balance == D("30.00")
    assert "limit of 50.00" in req.decision_note
    event = services.audit_trail(req).get()
    assert event.action == "approval.performed" and event.after["limit"] == "50.00"


def test_above_the_limit_a_senior_clerk_asks_a_supervisor(charge, senior_clerk, limits):
    req = _request(charge, senior_clerk, amount="50.01")
    charge.refresh_from_db()
    assert req.status == "pending" and charge.balance == D("80.00")


def test_limits_follow_their_effective_date(senior_clerk, limits):
    import datetime

    assert services.exception_limit(user=senior_clerk, kind="waiver") == D("50.00")
    assert services.exception_limit(user=senior_clerk, kind="waiver", on=datetime.date(2099, 7, 1)) == D(
        "20.00"
    )
    assert services.exception_limit(user=senior_clerk, kind="write_off") is None


def test_a_first_level_clerk_has_no_limit_and_always_asks(charge, clerk, limits):
    req = _request(charge, clerk, amount="1.00")
    assert req.status == "pending"


@pytest.mark.parametrize(
    "app",
    ["revenue", "cashiering", "licensing", "parking", "receivables", "tot", "utility_billing", "payables"],
)
def test_the_migrated_roles_hold_exactly_the_permissions_in_the_role_tables(role_groups, app):
    import importlib

    from revenue import roles

    table = (
        roles.CORE_PERMISSIONS if app == "revenue" else importlib.import_module(f"{app}.roles").PERMISSIONS
    )
    for role, perms in table.items():
        held = {f"{p.content_type.app_label}.{p.codename}" for p in role_groups[role].permissions.all()}
        assert {p for p in held if p.startswith(f"{app}.")} == set(perms), role


def test_a_refund_of_credit_on_account_needs_a_supervisor(
    party, make_charge, undeposited, clerk, supervisor, accounts
):
    charge = make_charge(party, "40.00")
    services.payment_post(
        party=party,
        amount=D("55.00"),
        applications=[(charge, D("40.00"))],
        debit_account=undeposited,
        acting_user=clerk,
    )
    with pytest.raises(services.InsufficientCredit):
        services.approval_request(kind="refund", target=party, amount="15.01", reason="x", acting_user=clerk)
    req = services.approval_request(
        kind="refund", target=party, amount="15.00", reason="Overpaid by check", acting_user=clerk
    )
    assert party.credit_balance() == D("15.00")
    services.approval_decide(request=req, approve=True, acting_user=supervisor)
    assert party.credit_balance() == D("0.00")
    assert balance_of(accounts["100-2160"]) == D("-15.00")  # refunds payable


def test_refunds_payable_list_and_xlsx(client, party, make_charge, undeposited, clerk, supervisor):
    import io
    import uuid

    import openpyxl
    from django.urls import reverse

    charge = make_charge(party, "40.00")
    services.payment_post(
        party=party,
        amount=D("50.00"),
        applications=[(charge, D("40.00"))],
        debit_account=undeposited,
        acting_user=clerk,
    )
    client.force_login(clerk)
    client.post(
        reverse("refund_request", args=[party.number]),
        {"token": str(uuid.uuid4()), "amount": "10.00", "reason": "Overpaid"},
    )
    client.force_login(supervisor)
    req = ApprovalRequest.objects.get(kind="refund")
    client.post(reverse("approval_decide", args=[req.pk]), {"decision": "approve", "note": ""})
    page = client.get(reverse("refunds_payable"))
    assert page.context["report"].totals[5] == D("10.00")
    assert "Overpaid" in page.content.decode()
    ws = openpyxl.load_workbook(io.BytesIO(client.get(reverse("refunds_payable_xlsx")).content)).active
    rows = list(ws.iter_rows(min_row=5, values_only=True))
    assert rows[0][1] == party.name and rows[-1][5] == 10
