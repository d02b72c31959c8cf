"""The license tax, table-driven: every rule kind, bracket edges, minimum and maximum, proration,
add-ons split to the cent."""

import datetime

import pytest

from licensing import services as ls
from licensing.models import TaxRule
from licensing.tax import BracketTableInvalid, compute_tax, tax_year_bounds, tax_year_of, validate_brackets
from revenue import services
from revenue.exceptions import RevenueError
from tests.conftest import D, balance_of

YEAR_START = datetime.date(2026, 3, 1)


def rule(code, classes):
    return TaxRule.objects.get(classification=classes[code], tax_year=2026)


@pytest.mark.parametrize(
    ("code", "employees", "receipts", "expected"),
    [
        ("HOME", 0, "0", "50.00"),  # flat
        ("HOME", 9, "999999.00", "50.00"),
        ("PRO", 0, "0", "100.00"),  # base + per employee
        ("PRO", 4, "0", "160.00"),
        ("PRO", 60, "0", "1000.00"),  # 1,000.00 exactly: the maximum
        ("PRO", 80, "0", "1000.00"),  # 1,300.00 held to the maximum
        ("RET", 0, "0", "75.00"),  # first bracket, fixed amount
        ("RET", 0, "49999.99", "75.00"),
        ("RET", 0, "50000.00", "75.00"),  # exactly on a floor: the higher bracket, nothing over it
        ("RET", 0, "50000.01", "75.00"),  # 0.10% of 0.01 rounds to 0.00
        ("RET", 0, "50005.00", "75.01"),  # 0.10% of 5.00 = 0.005, half up
        ("RET", 0, "150000.00", "175.00"),
        ("RET", 0, "250000.00", "275.00"),  # on the top floor
        ("RET", 0, "4000000.00", "2150.00"),
        ("RET", 0, "5000000.00", "2500.00"),  # 2,775.00 held to the maximum
        ("RES", 0, "20000.00", "100.00"),
        ("RES", 0, "100000.00", "100.00"),
        ("RES", 0, "1000000.00", "1180.00"),  # no maximum
    ],
)
def test_tax_by_rule(classes, code, employees, receipts, expected):
    c = compute_tax(rule(code, classes), employees=employees, receipts=D(receipts))
    assert c.total == D(expected)


def test_the_minimum_raises_a_small_tax_and_says_so(classes):
    r = rule("PRO", classes)
    r.base_amount, r.minimum_tax = D("10.00"), D("100.00")
    c = compute_tax(r, employees=2, receipts=D("0"))
    assert c.total == D("100.00") and "Raised to the minimum tax of 100.00" in [ln.label for ln in c.lines]


def test_the_lines_show_the_arithmetic(classes):
    c = compute_tax(rule("RET", classes), employees=0, receipts=D("150000.00"))
    assert [(ln.label, ln.amount) for ln in c.lines] == [
        ("Gross receipts 150,000.00: bracket 50,000.00 to 250,000.00, fixed amount", D("75.00")),
        ("0.1% of 100,000.00 over 50,000.00", D("100.00")),
    ]


@pytest.mark.parametrize(
    ("started", "expected"),
    [
        (datetime.date(2015, 1, 1), "160.00"),  # before the tax year: the whole year
        (datetime.date(2026, 3, 1), "160.00"),  # on its first day
        (datetime.date(2026, 5, 31), "160.00"),  # still in the first quarter
        (datetime.date(2026, 6, 1), "120.00"),  # three quarters left
        (datetime.date(2026, 9, 15), "80.00"),  # two
        (datetime.date(2026, 12, 15), "40.00"),  # December starts the last quarter
        (datetime.date(2027, 2, 28), "40.00"),  # one
    ],
)
def test_a_new_business_pays_by_quarter(classes, started, expected):
    c = compute_tax(
        rule("PRO", classes),
        employees=4,
        receipts=D("0"),
        tax_year_start=YEAR_START,
        started_on=started,
        prorate_quarterly=True,
    )
    assert c.total == D(expected)


def test_proration_comes_after_the_maximum(classes):
    c = compute_tax(
        rule("PRO", classes),
        employees=80,
        receipts=D("0"),
        tax_year_start=YEAR_START,
        started_on=datetime.date(2026, 9, 1),
        prorate_quarterly=True,
    )
    assert c.total == D("500.00")  # 1,000.00 maximum, two quarters


@pytest.mark.parametrize(
    ("brackets", "message"),
    [
        ([], "at least one"),
        ([(D("10"), None)], "start at 0.00"),
        ([(D("0"), D("100")), (D("150"), None)], "Gap between 100.00 and 150.00"),
        ([(D("0"), D("100")), (D("90"), None)], "overlap"),
        ([(D("0"), D("100")), (D("100"), D("200"))], "must be open-ended"),
        ([(D("0"), None), (D("100"), None)], "Only the last bracket"),
    ],
)
def test_a_bracket_table_with_gaps_or_overlaps_is_refused(brackets, message):
    with pytest.raises(BracketTableInvalid, match=message):
        validate_brackets(brackets)


@pytest.mark.parametrize(("employees", "receipts"), [(-1, "0"), (0, "-1.00")])
def test_negative_employees_or_receipts_are_refused(classes, employees, receipts):
    with pytest.raises(RevenueError, match="negative"):
        compute_tax(rule("PRO", classes), employees=employees, receipts=D(receipts))


def test_tax_years_start_in_march():
    assert (
        tax_year_of(datetime.date(2027, 2, 28), 3) == 2026
        and tax_year_of(datetime.date(2027, 3, 1), 3) == 2027
    )
    assert tax_year_bounds(2026, 3) == (datetime.date(2026, 3, 1), datetime.date(2027, 2, 28))


def test_add_ons_are_assessed_with_the_states_share_split_to_the_cent(
    make_business, clerk, supervisor, accounts, tax_year
):
    business = make_business(code="PRO", employees=4)
    license = ls.application_submit(business=business, acting_user=clerk)
    ls.signoff_add(license=license, item="Zoning", acting_user=supervisor)
    ls.application_approve(license=license, acting_user=supervisor)
    amounts = sorted((c.description, c.amount) for c in license.charges())
    assert amounts == [
        ("Business license processing fee", D("25.00")),
        (f"Business license tax {tax_year}", D("160.00")),
        ("Disability access fee (SB 1186)", D("4.00")),
    ]
    assert balance_of(accounts["100-2210"]) == D("-0.40")  # the State's share
    assert balance_of(accounts["100-4180"]) == D("-3.60")
    assert balance_of(accounts["100-4110"]) == D("-160.00")
    assert services.fee_rate_on(fee_type=next(c.fee_type for c in license.charges() if c.fee_type_id)).amount
