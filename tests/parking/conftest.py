import datetime

import pytest
from django.utils import timezone

from parking import demo as parking_demo
from parking import services as ps
from parking.models import PermitType, Violation
from tests.cashiering.conftest import counter, open_session, walk_in  # noqa: F401 - the counter's fixtures
from tests.parking.helpers import days_ago


@pytest.fixture
def policy(accounts, fees, admin_user):
    """The demo city's parking policy (due in 21 days, review 21 days from issue or 14 from the
    notice, hearing 21 days from the review, notice after 30 days, DMV hold 21 days after the
    notice; plans up to $500, $25 a month, 24 months, $5 fee, 15 days' grace), zones A and B,
    the permit types and the violation schedule, all in force from 2024-01-01."""
    return parking_demo.load_parking(acting_user=admin_user, since=datetime.date(2024, 1, 1))


@pytest.fixture
def violations(policy):
    return {v.code: v for v in Violation.objects.all()}


@pytest.fixture
def permit_types(policy):
    return {t.code: t for t in PermitType.objects.all()}


@pytest.fixture
def cite(policy, clerk):
    """Enter hand-written citations issued `days` ago (just after midnight), numbered T0000001 …"""
    numbers = iter(range(1, 1000))

    def make(days=0, code="22500(a)", plate="7ABC123", state="CA", **extra):
        issued = timezone.make_aware(datetime.datetime.combine(days_ago(days), datetime.time(0, 1)))
        return ps.citation_enter(
            number=extra.pop("number", f"T{next(numbers):07d}"),
            issued_at=issued,
            plate=plate,
            state=state,
            violation_code=code,
            location="100 Elm St",
            badge="4411",
            acting_user=clerk,
            **extra,
        )

    return make
