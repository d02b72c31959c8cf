"""A clerk's own exception limit holds for a charge in total, and a duty app can refuse the
core's waiver or write-off of its charges (an invoice has credit memos, a citation reviews)."""

import datetime

import pytest
from django.utils import timezone

from revenue import demo, services
from revenue.exceptions import NotAllowed
from revenue.models import ApprovalRequest
from tests.conftest import D


@pytest.fixture
def limits(admin_user, role_groups):
    demo.load_exception_limits(acting_user=admin_user)


def test_an_own_limit_adds_up_over_requests_on_one_charge(party, make_charge, senior_clerk, limits):
    charge = make_charge(party, "150.00")
    limit = services.exception_limit(user=senior_clerk, kind="waiver")
    assert limit is not None and limit < D("150.00")
    first = services.approval_request(
        kind="waiver", target=charge, amount=limit, reason="Hardship", acting_user=senior_clerk
    )
    assert first.status == ApprovalRequest.Status.PERFORMED
    second = services.approval_request(
        kind="waiver", target=charge, amount="1.00", reason="Hardship again", acting_user=senior_clerk
    )
    assert second.status == ApprovalRequest.Status.PENDING  # over the limit in total: a supervisor decides
    charge.refresh_from_db()
    assert charge.balance == D("150.00") - limit


def test_an_invoice_line_cannot_be_waived_or_written_off_as_a_plain_charge(
    party, senior_clerk, admin_user, limits, accounts, fees
):
    from receivables import demo as ar_demo
    from receivables import services as ar

    ar_demo.load_receivables(acting_user=admin_user)
    invoice = ar.invoice_create(
        party=party, lines=[{"fee_type": fees["ALARM"], "quantity": D("1")}], acting_user=admin_user
    )
    (charge,) = list(invoice.charges())
    for kind in ("waiver", "write_off"):
        with pytest.raises(NotAllowed, match="invoice"):
            services.approval_request(
                kind=kind, target=charge, amount="10.00", reason="x", acting_user=senior_clerk
            )
    assert not ApprovalRequest.objects.exists()


def test_a_citation_is_not_waived_as_a_plain_charge(
    party, senior_clerk, clerk, admin_user, limits, accounts, fees
):
    from parking import demo as parking_demo
    from parking import services as ps

    parking_demo.load_parking(acting_user=admin_user)
    citation = ps.citation_enter(
        number="G0000001",
        issued_at=timezone.make_aware(datetime.datetime.combine(services.city_today(), datetime.time(0, 1))),
        plate="7ABC123",
        state="CA",
        violation_code="22500(a)",
        location="1 Main St",
        badge="12",
        acting_user=clerk,
    )
    (charge,) = list(citation.charges())
    with pytest.raises(NotAllowed, match="through a review"):
        services.approval_request(
            kind="waiver", target=charge, amount="10.00", reason="x", acting_user=senior_clerk
        )
