"""The TOT arithmetic to the day: due dates, month fractions, penalty and interest boundaries."""

import datetime
from decimal import Decimal

import pytest

from revenue.dates import add_months, months_late
from tot import rules

D = Decimal
d = datetime.date
RULES = rules.LateRules(
    first_penalty_percent=D("10.00"),
    second_penalty_percent=D("10.00"),
    second_penalty_after_days=30,
    interest_percent_per_month=D("0.500"),
)


DUE = d(2026, 7, 31)


def late(on, tax="1000.00", payments=(), due=DUE):
    lines = rules.late_lines(tax=D(tax), due_on=due, on=on, rules=RULES, payments=payments)
    return {ln.key: ln.amount for ln in lines}, lines


@pytest.mark.parametrize(
    "period, due",
    [
        (d(2026, 6, 1), d(2026, 7, 31)),
        (d(2026, 1, 1), d(2026, 2, 28)),
        (d(2027, 1, 1), d(2027, 2, 28)),
        (d(2027, 12, 1), d(2028, 1, 31)),
        (d(2028, 1, 1), d(2028, 2, 29)),
    ],
)
def test_due_the_last_day_of_the_following_month(period, due):
    assert rules.due_date(period, 1) == due


def test_tot_months_use_the_core_add_months_clamped_to_the_end_of_the_month():
    assert add_months(d(2026, 1, 31), 1) == d(2026, 2, 28)
    assert add_months(d(2026, 1, 31), 2) == d(2026, 3, 31)
    assert add_months(d(2026, 3, 31), -1) == d(2026, 2, 28)
    assert add_months(d(2026, 11, 30), 2) == d(2027, 1, 30)


@pytest.mark.parametrize(
    "on, months",
    [
        (d(2026, 7, 30), 0),
        (d(2026, 7, 31), 0),  # on the due date
        (d(2026, 8, 1), 1),  # one day late: a fraction is a month
        (d(2026, 8, 31), 1),  # due + 1 month exactly
        (d(2026, 9, 1), 2),  # one day more
        (d(2026, 9, 30), 2),  # due + 2 months, clamped (07/31 -> 09/30)
        (d(2026, 10, 1), 3),
        (d(2027, 7, 31), 12),
        (d(2027, 8, 1), 13),
    ],
)
def test_months_or_fractions_after_the_due_date(on, months):
    assert months_late(d(2026, 7, 31), on) == months


def test_months_from_a_due_date_at_the_end_of_february_run_to_the_end_of_march():
    due = d(2026, 2, 28)  # the January return's due date: the last day of the month
    assert months_late(due, d(2026, 3, 29)) == 1
    assert months_late(due, d(2026, 3, 31)) == 1  # the last day of the next month: one month
    assert months_late(due, d(2026, 4, 1)) == 2


@pytest.mark.parametrize(
    "period, paid",
    [
        (d(2026, 1, 1), d(2026, 3, 31)),  # due 02/28 (28 days)
        (d(2028, 1, 1), d(2028, 3, 31)),  # due 02/29 (leap year)
        (d(2026, 3, 1), d(2026, 5, 31)),  # due 04/30 (30 days)
        (d(2026, 5, 1), d(2026, 7, 31)),  # due 06/30
        (d(2026, 6, 1), d(2026, 8, 31)),  # due 07/31 (31 days)
        (d(2026, 12, 1), d(2027, 2, 28)),  # due 01/31, paid 02/28
        (d(2027, 12, 1), d(2028, 2, 29)),  # due 01/31, paid 02/29
    ],
)
def test_a_return_paid_on_the_last_day_of_the_next_month_owes_one_month_of_interest(period, paid):
    due = rules.due_date(period, 1)
    amounts, lines = late(paid, due=due)
    assert amounts["interest"] == D("5.00")
    assert lines[-1].label == "Interest 0.5% × 1 month"
    nxt = paid + datetime.timedelta(days=1)
    assert late(nxt, due=due)[0]["interest"] == D("10.00")  # the day after: the second month


def test_a_payment_in_the_second_month_lowers_the_base_from_the_day_after_the_month_end():
    # due 04/30; month 1 runs to 05/31, so 600 paid on 05/31 lowers only month 2 (from 06/01)
    amounts, lines = late(d(2026, 6, 15), due=d(2026, 4, 30), payments=[(d(2026, 5, 31), D("600.00"))])
    assert amounts["interest"] == D("7.00")
    assert "1,000.00 + 400.00" in lines[-1].detail


def test_nothing_the_day_before_and_on_the_due_date():
    assert late(d(2026, 7, 30))[0] == {}
    assert late(d(2026, 7, 31))[0] == {}


def test_the_day_after_the_due_date_first_penalty_and_one_month_of_interest():
    amounts, lines = late(d(2026, 8, 1))
    assert amounts == {"first_penalty": D("100.00"), "interest": D("5.00")}
    assert [ln.label for ln in lines] == [
        "Penalty 10% (delinquent after 07/31/2026)",
        "Interest 0.5% × 1 month",
    ]


def test_second_penalty_boundary_thirty_days_after_the_due_date():
    assert "second_penalty" not in late(d(2026, 8, 30))[0]  # due + 30 days: not yet
    amounts, lines = late(d(2026, 8, 31))  # due + 31 days
    assert amounts["second_penalty"] == D("100.00")
    assert lines[1].label == "Penalty 10% (unpaid 30 days after due)"
    assert amounts["interest"] == D("5.00")  # still within the first month


def test_interest_month_fraction_boundaries():
    assert late(d(2026, 8, 31))[0]["interest"] == D("5.00")
    assert late(d(2026, 9, 1))[0]["interest"] == D("10.00")
    assert late(d(2026, 9, 30))[0]["interest"] == D("10.00")
    assert late(d(2026, 10, 1))[0]["interest"] == D("15.00")


def test_a_partial_payment_before_the_due_date_lowers_every_base():
    amounts, _ = late(d(2026, 9, 15), payments=[(d(2026, 7, 20), D("600.00"))])
    assert amounts == {"first_penalty": D("40.00"), "second_penalty": D("40.00"), "interest": D("4.00")}


def test_a_payment_after_the_due_date_lowers_only_what_follows():
    # 600 paid 08/10: first penalty on 1,000; second (09/01) on 400; interest month 1 on 1,000,
    # month 2 (from 09/01) on 400
    amounts, lines = late(d(2026, 9, 15), payments=[(d(2026, 8, 10), D("600.00"))])
    assert amounts == {"first_penalty": D("100.00"), "second_penalty": D("40.00"), "interest": D("7.00")}
    assert "1,000.00 + 400.00" in lines[-1].detail


def test_paid_in_full_late_stops_the_interest():
    amounts, _ = late(d(2027, 3, 1), payments=[(d(2026, 8, 5), D("1000.00"))])
    assert amounts == {"first_penalty": D("100.00"), "interest": D("5.00")}


def test_rounding_half_up_once_per_line():
    amounts, _ = late(d(2026, 8, 1), tax="123.45")
    assert amounts == {"first_penalty": D("12.35"), "interest": D("0.62")}  # 12.345, 0.61725


def test_tax_rounds_half_up():
    assert rules.tax_on(D("100.05"), D("10.000")) == D("10.01")  # 10.005
    assert rules.tax_on(D("1000.00"), D("12.000")) == D("120.00")
