"""Filing, the tax at the period's rate, late charges to the day of payment, amendments and audit
adjustments, non-filers and the report, through the services."""

import datetime
from decimal import Decimal

import pytest

from revenue import services as core
from revenue.dates import add_months
from revenue.exceptions import NotAllowed, RevenueError
from revenue.models import ApprovalRequest, Charge
from tests.conftest import balance_of
from tot import reports, selectors
from tot import services as ts
from tot.models import NonFilerNotice, TotReturn

D = Decimal
d = datetime.date


def test_a_return_is_taxed_at_its_periods_rate_either_side_of_the_change(hotel, file_return):
    june = file_return(hotel, (2026, 6), "50000.00", d(2026, 7, 10), exempt_long_stay=D("5000.00"))
    july = file_return(hotel, (2026, 7), "50000.00", d(2026, 8, 10), exempt_government=D("1000.00"))
    assert (june.rate_percent, june.taxable_rents, june.tax) == (D("10.000"), D("45000.00"), D("4500.00"))
    assert (july.rate_percent, july.taxable_rents, july.tax) == (D("12.000"), D("49000.00"), D("5880.00"))
    assert june.due_on == d(2026, 7, 31) and july.due_on == d(2026, 8, 31)
    assert june.number.startswith("TOT2027-")
    (charge,) = june.charges()
    assert (charge.amount, charge.due_on, charge.source, charge.party) == (
        D("4500.00"),
        d(2026, 7, 31),
        june,
        hotel.party,
    )
    assert charge.receivable_account.number == "100-1230" and charge.revenue_account.number == "100-4170"


def test_zero_tax_makes_no_charge(hotel, file_return):
    ret = file_return(hotel, (2026, 6), "800.00", d(2026, 7, 10), exempt_long_stay=D("800.00"))
    assert ret.tax == 0 and not ret.charges().exists()


@pytest.mark.parametrize(
    "period, gross, received, extra, message",
    [
        ((2026, 6), "-1.00", d(2026, 7, 10), {}, "Gross rents cannot be negative"),
        ((2026, 6), "100.00", d(2026, 7, 10), {"exempt_government": D("-5")}, "cannot be negative"),
        (
            (2026, 6),
            "100.00",
            d(2026, 7, 10),
            {"exempt_long_stay": D("60"), "exempt_government": D("41")},
            "more than the gross rents",
        ),
        ((2026, 6), "100.00", d(2026, 7, 10), {"exempt_other": D("10")}, "other exemption is for"),
        ((2026, 6), "100.00", d(2099, 7, 10), {}, "received date is in the future"),
        ((2099, 6), "100.00", d(2026, 7, 10), {}, "has not ended yet"),
        ((2024, 12), "100.00", d(2025, 1, 10), {}, "opened on 01/15/2025"),
        ((2026, 6), "100.00", d(2026, 6, 30), {}, "before the end of the period"),
        ((2026, 13), "100.00", d(2026, 7, 10), {}, "month of a year"),
        ((2026, 6), "1.001", d(2026, 7, 10), {}, "more than two decimal places"),
    ],
)
def test_bad_returns_are_refused_and_change_nothing(
    hotel, file_return, period, gross, received, extra, message
):
    with pytest.raises(RevenueError, match=message):
        file_return(hotel, period, gross, received, **extra)
    assert not TotReturn.objects.exists() and not Charge.objects.exists()


def test_the_current_month_has_not_ended(hotel, file_return):
    today = core.city_today()
    with pytest.raises(RevenueError, match="has not ended yet"):
        file_return(hotel, (today.year, today.month), "100.00", today)


def test_a_period_after_the_operator_closed_is_refused(hotel, file_return, admin_user):
    ts.operator_update(operator=hotel, acting_user=admin_user, status="closed", closed_on=d(2026, 5, 10))
    file_return(hotel, (2026, 5), "100.00", d(2026, 6, 10))
    with pytest.raises(RevenueError, match="closed on 05/10/2026"):
        file_return(hotel, (2026, 6), "100.00", d(2026, 7, 10))


def test_a_period_already_filed_must_be_amended(hotel, file_return):
    file_return(hotel, (2026, 6), "1000.00", d(2026, 7, 10))
    with pytest.raises(RevenueError, match="already filed on 07/10/2026 .*file an amended return instead"):
        file_return(hotel, (2026, 6), "2000.00", d(2026, 7, 11))
    assert TotReturn.objects.count() == 1


def test_only_clerks_and_up_file(hotel, file_return, auditor):
    with pytest.raises(NotAllowed):
        file_return(hotel, (2026, 6), "1000.00", d(2026, 7, 10), user=auditor)


# --------------------------------------------------------------------------- late charges


def _late_charges(ret):
    return [(c.description.split(", TOT")[0], c.amount) for c in selectors.period_charges(ret)[1:]]


def test_nothing_is_added_on_the_due_date(hotel, file_return, clerk):
    ret = file_return(hotel, (2026, 6), "10000.00", d(2026, 7, 10))
    assert ts.penalties_to_date(ret=ret, on=d(2026, 7, 31), acting_user=clerk) == []


def test_late_charges_are_assessed_once_and_interest_grows_by_its_increment(
    hotel, file_return, clerk, accounts
):
    ret = file_return(hotel, (2026, 6), "10000.00", d(2026, 8, 5))  # tax 1,000.00 due 07/31
    made = ts.penalties_to_date(ret=ret, on=d(2026, 8, 5), acting_user=clerk)
    assert [(c.description.split(", TOT")[0], c.amount) for c in made] == [
        ("Penalty 10% (delinquent after 07/31/2026)", D("100.00")),
        ("Interest 0.5% × 1 month to 08/05/2026", D("5.00")),
    ]
    assert all(c.source_number == ret.number and c.source == ret for c in made)
    assert ts.penalties_to_date(ret=ret, on=d(2026, 8, 5), acting_user=clerk) == []  # not twice
    made = ts.penalties_to_date(ret=ret, on=d(2026, 9, 2), acting_user=clerk)
    assert [(c.description.split(", TOT")[0], c.amount) for c in made] == [
        ("Penalty 10% (unpaid 30 days after due)", D("100.00")),
        ("Interest 0.5% × 2 months to 09/02/2026 (less 5.00 assessed before)", D("5.00")),
    ]
    assert sum(c.amount for c in selectors.period_charges(ret)) == D("1210.00")
    assert balance_of(accounts["100-4160"]) == D("-200.00") and balance_of(accounts["100-4165"]) == D(
        "-10.00"
    )
    view = ts.late_view(ret, d(2026, 9, 2))
    assert view.total == view.assessed == D("210.00") and view.to_add == 0


def test_a_partial_payment_before_the_due_date_lowers_the_base(hotel, file_return, clerk, pay):
    ret = file_return(hotel, (2026, 6), "10000.00", d(2026, 7, 10))
    pay(ret, "400.00", d(2026, 7, 31))  # on the due date
    made = ts.penalties_to_date(ret=ret, on=d(2026, 8, 1), acting_user=clerk)
    assert [c.amount for c in made] == [D("60.00"), D("3.00")]


def test_paid_on_time_leaves_nothing(hotel, file_return, clerk, pay):
    ret = file_return(hotel, (2026, 6), "10000.00", d(2026, 7, 10))
    pay(ret, "1000.00", d(2026, 7, 20))
    assert ts.penalties_to_date(ret=ret, on=d(2026, 12, 1), acting_user=clerk) == []


# --------------------------------------------------------------------------- amendments


def test_an_amendment_up_charges_the_difference_on_the_new_number_due_on_the_old_date(
    hotel, file_return, clerk
):
    old = file_return(hotel, (2026, 6), "10000.00", d(2026, 7, 10))
    new = ts.return_amend(
        current=old,
        gross_rents=D("12000.00"),
        reason="Missed a weekend",
        acting_user=clerk,
        received_on=d(2026, 9, 1),
    )
    old.refresh_from_db()
    assert (old.status, new.status, new.kind, new.supersedes) == ("superseded", "current", "amended", old)
    (diff,) = new.charges()
    assert (diff.amount, diff.due_on) == (D("200.00"), d(2026, 7, 31))
    assert selectors.current_return(hotel, d(2026, 6, 1)) == new
    # late from the original due date, on the whole unpaid tax of the period
    made = ts.penalties_to_date(ret=new, on=d(2026, 9, 1), acting_user=clerk)
    assert [c.amount for c in made] == [D("120.00"), D("120.00"), D("12.00")]
    with pytest.raises(RevenueError, match="not the current return"):
        ts.return_amend(current=old, gross_rents=D("1.00"), reason="x", acting_user=clerk)


def test_an_amendment_down_waives_the_open_tax_and_credits_what_was_paid(
    hotel, file_return, clerk, pay, accounts
):
    old = file_return(hotel, (2026, 6), "10000.00", d(2026, 7, 10))  # tax 1,000
    pay(old, "900.00", d(2026, 7, 20))  # 100 open
    new = ts.return_amend(current=old, gross_rents=D("7000.00"), reason="Refunded stays", acting_user=clerk)
    (tax,) = old.charges()
    assert (tax.amount_adjusted, tax.balance) == (D("100.00"), D("0.00"))
    assert hotel.party.credit_balance() == D("200.00")  # 900 paid, 700 owed
    assert balance_of(accounts["100-4170"]) == D("-700.00")
    assert not new.charges().exists()
    rows = reports.tot_rows(2026)
    assert (rows[0].number, rows[0].tax, rows[0].tax_collected) == (new.number, D("700.00"), D("700.00"))


def test_an_amendment_needs_a_reason(hotel, file_return, clerk):
    old = file_return(hotel, (2026, 6), "10000.00", d(2026, 7, 10))
    with pytest.raises(RevenueError, match="why"):
        ts.return_amend(current=old, gross_rents=D("1.00"), reason=" ", acting_user=clerk)


def test_an_audit_adjustment_waits_for_another_supervisor(
    hotel, file_return, supervisor, other_supervisor, clerk
):
    old = file_return(hotel, (2026, 6), "10000.00", d(2026, 7, 10))
    with pytest.raises(NotAllowed):
        ts.audit_adjustment_request(current=old, gross_rents=D("15000.00"), reason="Audit", acting_user=clerk)
    pending = ts.audit_adjustment_request(
        current=old, gross_rents=D("15000.00"), reason="Audit of the rent roll", acting_user=supervisor
    )
    assert (pending.status, pending.kind, pending.tax) == ("pending", "audit", D("1500.00"))
    assert selectors.current_return(hotel, d(2026, 6, 1)) == old  # a pending row never counts
    request = ApprovalRequest.objects.get(target_id=pending.pk)
    assert request.status == "pending" and request.amount is None
    with pytest.raises(NotAllowed):
        core.approval_decide(request=request, approve=True, acting_user=supervisor)  # own request
    with pytest.raises(NotAllowed):
        core.approval_decide(request=request, approve=True, acting_user=clerk)
    core.approval_decide(request=request, approve=True, acting_user=other_supervisor)
    pending.refresh_from_db()
    old.refresh_from_db()
    assert (pending.status, old.status, pending.supersedes) == ("current", "superseded", old)
    assert [c.amount for c in pending.charges()] == [D("500.00")]


def test_an_audit_adjustment_down_and_a_denied_one(hotel, file_return, supervisor, other_supervisor):
    old = file_return(hotel, (2026, 6), "10000.00", d(2026, 7, 10))
    first = ts.audit_adjustment_request(
        current=old, gross_rents=D("9000.00"), reason="Audit", acting_user=supervisor
    )
    with pytest.raises(RevenueError, match="already waiting"):
        ts.audit_adjustment_request(
            current=old, gross_rents=D("8000.00"), reason="Again", acting_user=supervisor
        )
    core.approval_decide(
        request=ApprovalRequest.objects.get(target_id=first.pk),
        approve=False,
        note="Rent roll supports the return",
        acting_user=other_supervisor,
    )
    first.refresh_from_db()
    assert first.status == "denied" and selectors.current_return(hotel, d(2026, 6, 1)) == old
    second = ts.audit_adjustment_request(
        current=old, gross_rents=D("9000.00"), reason="Re-audit", acting_user=supervisor
    )
    core.approval_decide(
        request=ApprovalRequest.objects.get(target_id=second.pk), approve=True, acting_user=other_supervisor
    )
    (tax,) = old.charges()
    assert (tax.amount_adjusted, tax.balance) == (D("100.00"), D("900.00"))


# --------------------------------------------------------------------------- non-filers and report


def test_nonfilers_and_notices_are_sent_once(
    hotel, file_return, senior_clerk, auditor, admin_user, other_party
):
    today = core.city_today()
    missing = selectors.missing_periods(hotel, today)
    assert missing and all(ts.period_terms(p).due_on < today for p in missing)
    assert missing[0] == max(d(2025, 1, 1), add_months(today.replace(day=1), -12))
    file_return(hotel, missing[0], "100.00", missing[0] + datetime.timedelta(days=40))
    assert missing[0] not in selectors.missing_periods(hotel, today)
    ts.operator_create(
        acting_user=admin_user, party=other_party, certificate_number="TOT-9", name="Closed Inn", kind="motel",
        location="1 Pier", rooms=3, opened_on=d(2025, 1, 1), status="closed", closed_on=d(2025, 2, 1),
    )  # fmt: skip
    (row,) = selectors.nonfilers(today)
    assert row.operator == hotel and row.periods == missing[1:]
    with pytest.raises(NotAllowed):
        ts.nonfiler_notices_send(acting_user=auditor)
    made = ts.nonfiler_notices_send(acting_user=senior_clerk)
    assert len(made) == len(missing) - 1
    assert ts.nonfiler_notices_send(acting_user=senior_clerk) == []
    assert NonFilerNotice.objects.count() == len(missing) - 1


def test_report_by_operator_and_month(hotel, file_return, pay, clerk):
    june = file_return(hotel, (2026, 6), "10000.00", d(2026, 7, 10))
    july = file_return(hotel, (2026, 7), "10000.00", d(2026, 8, 10))
    pay(june, "1000.00", d(2026, 7, 20))
    pay(july, "500.00", d(2026, 8, 20))
    ts.penalties_to_date(ret=july, on=d(2026, 9, 5), acting_user=clerk)
    report = reports.tot_by_operator(2026)
    rows, totals = reports.tot_rows(2026), report.sums
    assert [(r.period, r.tax, r.tax_collected) for r in rows] == [
        (d(2026, 6, 1), D("1000.00"), D("1000.00")),
        (d(2026, 7, 1), D("1200.00"), D("500.00")),
    ]
    assert rows[1].late_assessed == D("70.00") + D("3.50")  # 10% of 700 + 0.5% of 700
    assert totals["tax"] == D("2200.00") and totals["balance"] == D("773.50")
