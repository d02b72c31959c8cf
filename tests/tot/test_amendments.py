"""TOT amended returns and audit adjustments that lower the tax: the late charges on tax no
longer owed are taken back (waived when open, credited on account when paid), never twice."""

import datetime
from decimal import Decimal

from revenue import services as core
from revenue.models import ApprovalRequest, Charge
from tot import reports, selectors
from tot import services as ts

D = Decimal
d = datetime.date


def _late(ret) -> list[Charge]:
    policy = ts.policy_on(ret.period_start)
    late = (policy.penalty_revenue_account_id, policy.interest_revenue_account_id)
    return [c for c in selectors.period_charges(ret) if c.revenue_account_id in late]


def _late_owed(ret) -> Decimal:
    return sum((c.balance for c in _late(ret)), D("0.00"))


def test_an_amendment_down_takes_back_the_late_charges_on_tax_no_longer_owed(hotel, file_return, clerk):
    ret = file_return(hotel, (2026, 6), "10000.00", d(2026, 7, 10))  # tax 1,000 due 07/31
    made = ts.penalties_to_date(ret=ret, on=d(2026, 8, 10), acting_user=clerk)
    assert [c.amount for c in made] == [D("100.00"), D("5.00")]
    new = ts.return_amend(
        current=ret,
        reason="Refunded stays",
        acting_user=clerk,
        received_on=d(2026, 8, 15),
        gross_rents=D("5000.00"),
    )
    assert _late_owed(new) == D("52.50")
    assert (new.penalties_taken_back, new.interest_taken_back) == (D("50.00"), D("2.50"))
    waived = [c for c in _late(new) if c.amount_adjusted]
    assert [c.amount_adjusted for c in waived] == [D("50.00"), D("2.50")]
    view = ts.late_view(new, d(2026, 8, 10))
    assert view.total == view.assessed == D("52.50") and view.to_add == 0
    assert ts.penalties_to_date(ret=new, on=d(2026, 8, 10), acting_user=clerk) == []
    # later, the second penalty and a second month of interest on the new tax only
    made = ts.penalties_to_date(ret=new, on=d(2026, 9, 2), acting_user=clerk)
    assert [c.amount for c in made] == [D("50.00"), D("2.50")]
    assert _late_owed(new) == D("105.00")  # 50 + 50 + 0.5% of 500 × 2
    assert hotel.party.credit_balance() == 0


def test_late_charges_already_paid_go_to_credit_on_account(hotel, file_return, clerk, pay, accounts):
    ret = file_return(hotel, (2026, 6), "10000.00", d(2026, 7, 10))
    ts.penalties_to_date(ret=ret, on=d(2026, 8, 10), acting_user=clerk)
    for charge in selectors.period_charges(ret):
        pay(charge, str(charge.balance), d(2026, 8, 10))
    new = ts.return_amend(current=ret, reason="Refunded stays", acting_user=clerk, gross_rents=D("5000.00"))
    assert hotel.party.credit_balance() == D("500.00") + D("50.00") + D("2.50")
    assert (new.penalties_taken_back, new.interest_taken_back) == (D("50.00"), D("2.50"))
    assert _late_owed(new) == 0
    (row,) = reports.tot_rows(2026)
    assert (row.tax, row.tax_collected, row.late_assessed, row.late_collected) == (
        D("500.00"),
        D("500.00"),
        D("52.50"),
        D("52.50"),
    )
    assert row.balance == 0
    # down again: only what is left beyond the new figure comes back, nothing twice
    newer = ts.return_amend(current=new, reason="Fewer still", acting_user=clerk, gross_rents=D("4000.00"))
    assert (newer.penalties_taken_back, newer.interest_taken_back) == (D("10.00"), D("0.50"))
    assert hotel.party.credit_balance() == D("600.00") + D("60.00") + D("3.00")


def test_an_approved_audit_adjustment_down_takes_back_late_charges(
    hotel, file_return, clerk, supervisor, other_supervisor
):
    ret = file_return(hotel, (2026, 6), "10000.00", d(2026, 7, 10))
    ts.penalties_to_date(ret=ret, on=d(2026, 8, 10), acting_user=clerk)
    pending = ts.audit_adjustment_request(
        current=ret, gross_rents=D("5000.00"), reason="Rent roll", acting_user=supervisor
    )
    assert _late_owed(ret) == D("105.00")  # nothing changes while it waits
    core.approval_decide(
        request=ApprovalRequest.objects.get(target_id=pending.pk), approve=True, acting_user=other_supervisor
    )
    assert _late_owed(pending) == D("52.50")


def test_an_amendment_back_up_assesses_again_what_was_taken_back(hotel, file_return, clerk):
    ret = file_return(hotel, (2026, 6), "10000.00", d(2026, 7, 10))
    ts.penalties_to_date(ret=ret, on=d(2026, 8, 10), acting_user=clerk)
    down = ts.return_amend(current=ret, reason="Down", acting_user=clerk, gross_rents=D("5000.00"))
    up = ts.return_amend(current=down, reason="Up again", acting_user=clerk, gross_rents=D("10000.00"))
    made = ts.penalties_to_date(ret=up, on=d(2026, 8, 10), acting_user=clerk)
    assert [c.amount for c in made] == [D("50.00"), D("2.50")]
    assert _late_owed(up) == D("105.00")
