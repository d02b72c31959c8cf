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
