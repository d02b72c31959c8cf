"""Rate arithmetic, table-driven: tier edges (at a tier start, one unit below and above), the
minimum, fixed charges by meter size and per dwelling unit, proration at move-in, move-out and a
rate change, sewer by share and by winter average, refuse, surcharges, a rollover, a meter change
within a period, and an estimate trued up by the next actual read."""

import datetime
from decimal import Decimal
from fractions import Fraction

import pytest

from utility_billing import rules
from utility_billing.services.calc import RateMissing, calculate

from .rates_setup import City, day

D = Decimal


@pytest.fixture
def city(accounts, admin_user):
    return City(admin_user)


BLOCKS = [rules.Block(D("0"), D("1.00")), rules.Block(D("10"), D("2.00")), rules.Block(D("20"), D("3.00"))]


# ---- pure rules -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("usage", "scale", "expected", "units_per_block"),
    [
        ("0", "1", "0.00", []),
        ("9", "1", "9.00", ["9"]),  # one unit below the second tier's start
        ("10", "1", "10.00", ["10"]),  # exactly at the start: all in the first block
        ("11", "1", "12.00", ["10", "1"]),  # one unit above
        ("19", "1", "28.00", ["10", "9"]),
        ("20", "1", "30.00", ["10", "10"]),
        ("21", "1", "33.00", ["10", "10", "1"]),
        ("10.5", "1", "11.00", ["10", "0.5"]),
        ("20", "2", "20.00", ["20"]),  # two dwelling units: the blocks twice as wide
        ("21", "2", "22.00", ["20", "1"]),
        ("41", "2", "63.00", ["20", "20", "1"]),
        ("15", "0.5", "30.00", ["5", "5", "5"]),  # half the days: half-size blocks
    ],
)
def test_tiered_charge_at_the_edges(usage, scale, expected, units_per_block):
    parts = rules.tiered_charge(D(usage), BLOCKS, scale=D(scale))
    assert sum((p.amount for p in parts), D("0")) == D(expected)
    assert [p.units for p in parts] == [D(u) for u in units_per_block]


def test_a_negative_usage_is_a_credit_at_the_first_block_price():
    (part,) = rules.tiered_charge(D("-5"), BLOCKS)
    assert (part.units, part.price, part.amount) == (D("-5"), D("1.00"), D("-5.00"))


def test_a_stored_table_not_starting_at_zero_is_refused():
    with pytest.raises(rules.RateTableInvalid, match="start at 0"):
        rules.tiered_charge(D("5"), [rules.Block(D("1"), D("1"))])


@pytest.mark.parametrize(
    ("usage", "price", "expected"),
    [
        ("0", "3.1500", "0.00"),
        ("12", "3.1500", "37.80"),
        ("0.5", "0.0250", "0.01"),
        ("0.1", "0.0250", "0.00"),
    ],
)
def test_uniform_charge_rounds_half_up_once(usage, price, expected):
    assert rules.uniform_charge(D(usage), D(price)) == D(expected)


@pytest.mark.parametrize(
    ("charged", "minimum", "top_up"),
    [
        ("10.00", "15.00", "5.00"),
        ("15.00", "15.00", "0.00"),
        ("15.01", "15.00", "0.00"),
        ("0.00", "0.00", "0.00"),
    ],
)
def test_minimum_top_up(charged, minimum, top_up):
    assert rules.minimum_top_up(D(charged), D(minimum)) == D(top_up)


@pytest.mark.parametrize(
    ("start", "end", "months"),
    [
        ("2027-01-01", "2027-01-31", Fraction(1)),
        ("2028-02-01", "2028-02-29", Fraction(1)),  # a leap February is one month too
        ("2027-03-15", "2027-03-31", Fraction(17, 31)),  # move-in on the 15th
        ("2027-03-01", "2027-03-10", Fraction(10, 31)),  # move-out on the 10th
        ("2027-01-16", "2027-02-14", Fraction(16, 31) + Fraction(14, 28)),
        ("2027-01-01", "2027-02-28", Fraction(2)),  # a two-month cycle
        ("2027-03-02", "2027-03-01", Fraction(0)),
    ],
)
def test_month_fraction_counts_days_over_days_in_each_month(start, end, months):
    assert rules.month_fraction(day(start), day(end)) == months


@pytest.mark.parametrize(
    ("amount", "months", "expected"),
    [
        ("20.00", Fraction(1), "20.00"),
        ("20.00", Fraction(17, 31), "10.97"),  # 10.9677…
        ("20.00", Fraction(10, 31), "6.45"),  # 6.4516…
        ("15.50", Fraction(1, 2), "7.75"),
        ("0.05", Fraction(1, 2), "0.03"),  # 0.025 half up
    ],
)
def test_monthly_amounts_prorate_by_days_rounded_once(amount, months, expected):
    assert rules.monthly_prorated(D(amount), months) == D(expected)


@pytest.mark.parametrize(
    ("start", "end", "dials", "multiplier", "estimate", "usage"),
    [
        (100, 130, 6, "1", False, "30"),
        (999995, 5, 6, "1", False, "10"),  # rolled over past 999999
        (9990, 10, 4, "1", False, "20"),
        (999995, 5, 6, "10", False, "100"),  # times the multiplier
        (100, 130, 6, "0.748", False, "22.44"),
        (120, 115, 6, "1", True, "-5"),  # an estimate read too high: a negative true-up
        (120, 115, 6, "1", False, "999995"),  # an actual before it: a rollover (flagged high elsewhere)
        (999990, 20, 6, "1", True, "30"),  # a rollover after an estimate
    ],
)
def test_meter_usage(start, end, dials, multiplier, estimate, usage):
    got = rules.meter_usage(
        start_read=start, end_read=end, dials=dials, multiplier=D(multiplier), start_is_estimate=estimate
    )
    assert got == D(usage)


@pytest.mark.parametrize(
    ("basis", "units", "segment", "served", "scale"),
    [
        ("fixed", 3, 31, 31, "1"),
        ("fixed", 3, 10, 40, "0.25"),
        ("units", 3, 31, 31, "3"),
        ("days", 3, 45, 45, "1.5"),
        ("days", 1, 15, 30, "0.5"),
    ],
)
def test_block_scale(basis, units, segment, served, scale):
    assert rules.block_scale(basis, dwelling_units=units, segment_days=segment, served_days=served) == D(
        scale
    )


def test_split_usage_adds_up_exactly():
    assert rules.split_usage(D("10"), [1, 1, 1]) == [D("3.33"), D("3.33"), D("3.34")]
    assert rules.split_usage(D("31"), [15, 16]) == [D("15.00"), D("16.00")]


def test_split_at_a_rate_change():
    assert rules.split_at(day("2027-03-01"), day("2027-03-31"), [day("2027-03-16"), day("2027-05-01")]) == [
        (day("2027-03-01"), day("2027-03-15")),
        (day("2027-03-16"), day("2027-03-31")),
    ]


@pytest.mark.parametrize(
    ("water", "percent", "sewer"), [("10", "80", "8.00"), ("0", "80", "0.00"), ("7", "33.33", "2.33")]
)
def test_sewer_share(water, percent, sewer):
    assert rules.sewer_share_usage(D(water), D(percent)) == D(sewer)


@pytest.mark.parametrize(
    ("water", "average", "months", "sewer"),
    [
        ("25", "10", Fraction(1), "10.00"),  # more water than the winter average: the average
        ("6", "10", Fraction(1), "6.00"),  # less: what was used
        ("25", "10", Fraction(2), "20.00"),  # two months
        ("25", "10", Fraction(17, 31), "5.48"),  # a part month
    ],
)
def test_sewer_on_the_winter_average(water, average, months, sewer):
    got = rules.sewer_winter_usage(
        water_usage=D(water), average_per_month=D(average), months=months, percent=D(100)
    )
    assert got == D(sewer)


@pytest.mark.parametrize(
    ("months", "before", "window"),
    [
        ((12, 1, 2), "2027-04-15", ("2026-12-01", "2027-02-28")),
        ((12, 1, 2), "2027-03-01", ("2026-12-01", "2027-02-28")),
        ((12, 1, 2), "2027-02-10", ("2025-12-01", "2026-02-28")),  # this winter is not over
        ((1, 2, 3), "2027-03-01", ("2026-01-01", "2026-03-31")),
    ],
)
def test_winter_window(months, before, window):
    assert rules.winter_window(months, day(before)) == (day(window[0]), day(window[1]))


@pytest.mark.parametrize("text", ["", "12,13", "dec", "1,1"])
def test_winter_months_refused(text):
    with pytest.raises(rules.RateTableInvalid):
        rules.parse_months(text)


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ([("0", "10", "1"), ("10", "", "2")], None),
        ([("0", "", "1")], None),
        ([], "at least one block"),
        ([("1", "10", "1"), ("10", "", "2")], "must start at 0"),
        ([("0", "10", "1"), ("12", "", "2")], "Gap between 10 and 12"),
        ([("0", "10", "1"), ("8", "", "2")], "overlap from 8 to 10"),
        ([("0", "10", "1"), ("10", "20", "2")], "last block must be open-ended"),
        ([("0", "", "1"), ("10", "", "2")], "Only the last block may be open-ended"),
        ([("0", "10", "-1"), ("10", "", "2")], "price cannot be negative"),
        ([("0", "ten", "1"), ("10", "", "2")], "must be a number"),
        ([("0", "10", "abc"), ("10", "", "2")], "must be a number"),
        ([("0", "10", "1"), ("10", "5", "2")], "must be more than"),
        ([("0", "10", ""), ("10", "", "2")], "needs a price"),
    ],
)
def test_block_rows_as_typed(rows, message):
    if message is None:
        assert rules.blocks_from_rows(rows)[0].start == 0
    else:
        with pytest.raises(rules.RateTableInvalid, match=message):
            rules.blocks_from_rows(rows)


# ---- the calculation from the tables ----------------------------------------------------------

MARCH = {"period_start": day("2027-03-01"), "period_end": day("2027-03-31")}


def amounts(calc):
    return [(ln.description.split(",")[0], ln.amount) for ln in calc.lines]


@pytest.fixture
def tiered(city):
    return city.schedule("water", method="tiered", blocks=[("0", "1.00"), ("10", "2.00"), ("20", "3.00")])


@pytest.mark.parametrize(
    ("usage", "total"), [(9, "9.00"), (10, "10.00"), (11, "12.00"), (20, "30.00"), (21, "33.00")]
)
def test_calculation_at_the_tier_edges(city, tiered, usage, total):
    p = city.premise()
    acct = city.account(p)
    m = city.meter(p, read=500)
    city.read(m, "2027-02-28", 1000)
    city.read(m, "2027-03-31", 1000 + usage)
    calc = calculate(account=acct, **MARCH)
    assert calc.usage == D(usage) and calc.total == D(total) and calc.exceptions == []
    assert calc.lines[0].quantity == D(min(usage, 10))


@pytest.mark.parametrize(("size", "total"), [("small", "20.00"), ("inch", "35.00")])
def test_fixed_charge_by_meter_size(city, size, total):
    city.schedule("water", fixed=[(city.small, "20.00"), (city.inch, "35.00")], unit_price=D("0"))
    p = city.premise()
    acct = city.account(p)
    m = city.meter(p, size=getattr(city, size))
    city.read(m, "2027-02-28", 10)
    city.read(m, "2027-03-31", 20)
    calc = calculate(account=acct, **MARCH)
    assert calc.lines[0].amount == D(total) and calc.lines[0].rate == D(total)
    assert calc.total == D(total)


def test_fixed_charge_per_dwelling_unit(city):
    city.schedule("water", fixed=[(None, "12.50")], fixed_per_dwelling_unit=True, unit_price=D("1.00"))
    p = city.premise(units=4)
    acct = city.account(p)
    m = city.meter(p)
    city.read(m, "2027-02-28", 10)
    city.read(m, "2027-03-31", 20)
    assert amounts(calculate(account=acct, **MARCH)) == [
        ("Water fixed charge", D("50.00")),
        ("Water usage: 10 HCF", D("10.00")),
    ]


@pytest.mark.parametrize(
    ("used", "total", "top_up"), [(2, "15.00", "3.00"), (5, "15.00", None), (7, "17.00", None)]
)
def test_minimum_charge(city, used, total, top_up):
    city.schedule("water", fixed=[(None, "10.00")], unit_price=D("1.00"), minimum_charge=D("15.00"))
    p = city.premise()
    acct = city.account(p)
    m = city.meter(p)
    city.read(m, "2027-02-28", 10)
    city.read(m, "2027-03-31", 10 + used)
    calc = calculate(account=acct, **MARCH)
    assert calc.total == D(total)
    minimum = [ln for ln in calc.lines if "minimum" in ln.description]
    assert [ln.amount for ln in minimum] == ([D(top_up)] if top_up else [])


@pytest.mark.parametrize(
    ("move_in", "move_out", "fixed"),
    [
        ("2026-01-01", None, "20.00"),
        ("2027-03-15", None, "10.97"),  # moved in: 17 of 31 days
        ("2027-03-01", None, "20.00"),
        ("2026-01-01", "2027-03-10", "6.45"),  # moved out: 10 of 31 days
        ("2026-01-01", "2027-03-31", "20.00"),
    ],
)
def test_prorated_at_move_in_and_move_out(city, move_in, move_out, fixed):
    city.schedule("water", fixed=[(None, "20.00")], unit_price=D("1.00"))
    p = city.premise()
    acct = city.account(p, move_in=move_in, move_out=move_out)
    m = city.meter(p)
    city.read(m, "2027-02-28", 100)
    if move_in > "2027-03-01":
        city.read(m, move_in, 104, kind="move_in")
    if move_out:
        city.read(m, move_out, 110, kind="move_out")
    city.read(m, "2027-03-31", 130)
    calc = calculate(account=acct, **MARCH)
    assert calc.lines[0].amount == D(fixed)
    expected_usage = {("2027-03-15", None): 26, ("2026-01-01", "2027-03-10"): 10}.get((move_in, move_out), 30)
    assert calc.usage == D(expected_usage)


def test_prorated_across_a_rate_change(city):
    city.schedule("water", fixed=[(None, "20.00")], unit_price=D("1.00"))
    city.schedule("water", start="2027-03-16", fixed=[(None, "31.00")], unit_price=D("2.00"))
    p = city.premise()
    acct = city.account(p)
    m = city.meter(p)
    city.read(m, "2027-02-28", 100)
    city.read(m, "2027-03-31", 131)
    calc = calculate(account=acct, **MARCH)
    # 15 days at the old rates, 16 at the new: fixed 20 × 15/31 and 31 × 16/31; usage 31 split 15/16
    assert [(ln.quantity, ln.rate, ln.amount) for ln in calc.lines] == [
        (D("0.4839"), D("20.00"), D("9.68")),
        (D("15.00"), D("1.0000"), D("15.00")),
        (D("0.5161"), D("31.00"), D("16.00")),
        (D("16.00"), D("2.0000"), D("32.00")),
    ]
    assert all("rates from" in ln.description for ln in calc.lines)
    assert calc.total == D("72.68")


def test_tier_blocks_split_across_a_rate_change(city, tiered):
    city.schedule("water", start="2027-03-16", method="tiered", blocks=[("0", "1.50"), ("10", "2.50")])
    p = city.premise()
    acct = city.account(p)
    m = city.meter(p)
    city.read(m, "2027-02-28", 0)
    city.read(m, "2027-03-31", 31)
    calc = calculate(account=acct, **MARCH)
    # usage 15 on blocks scaled to 15/31 (0–4.84, 4.84–9.68, 9.68–); 16 on 0–5.16, 5.16–
    assert [ln.quantity for ln in calc.lines] == [D("4.84"), D("4.84"), D("5.32"), D("5.16"), D("10.84")]
    assert calc.total == D("4.84") + D("9.68") + D("15.96") + D("7.74") + D("27.10")


def test_sewer_by_share_of_water(city):
    city.schedule("water", unit_price=D("1.00"))
    city.schedule("sewer", method="sewer_share", sewer_share_percent=D("80"), unit_price=D("3.00"))
    p = city.premise()
    acct = city.account(p, services=("water", "sewer"))
    m = city.meter(p)
    city.read(m, "2027-02-28", 0)
    city.read(m, "2027-03-31", 10)
    calc = calculate(account=acct, **MARCH)
    assert amounts(calc) == [
        ("Water usage: 10 HCF", D("10.00")),
        ("Sewer 80% of water usage 10: 8 HCF", D("24.00")),
    ]


@pytest.mark.parametrize(
    ("move_in", "april_use", "sewer_units"),
    [
        ("2026-01-01", 25, "10"),  # winter average 30 over Dec–Feb = 10 a month
        ("2026-01-01", 6, "6"),  # used less than the average
        ("2027-01-15", 25, "7"),  # moved in during the winter: the default 7 a month
    ],
)
def test_sewer_by_winter_average(city, move_in, april_use, sewer_units):
    city.schedule("water", unit_price=D("1.00"))
    city.schedule(
        "sewer",
        method="sewer_winter",
        unit_price=D("2.00"),
        winter_months="12,1,2",
        winter_default_usage=D("7"),
    )
    p = city.premise()
    acct = city.account(p, move_in=move_in, services=("water", "sewer"))
    m = city.meter(p)
    city.read(m, "2026-11-30", 1000)
    city.read(m, "2026-12-31", 1012)
    city.read(m, "2027-01-31", 1020)
    city.read(m, "2027-02-28", 1030)
    city.read(m, "2027-03-31", 1040)
    city.read(m, "2027-04-30", 1040 + april_use)
    calc = calculate(account=acct, period_start=day("2027-04-01"), period_end=day("2027-04-30"))
    sewer = calc.lines[-1]
    assert sewer.quantity == D(sewer_units) and sewer.amount == D(sewer_units) * 2
    assert ("New account" in calc.winter_note) == (move_in == "2027-01-15")


def test_refuse_by_cart_and_pickups_with_surcharges(city):
    sched = city.schedule("refuse", method="refuse")
    city.refuse_rate(sched, 64, 1, "22.00")
    city.refuse_rate(sched, 96, 2, "40.00")
    city.surcharge(sched, "Recycling fee", per_month="3.10")
    water = city.schedule("water", unit_price=D("1.00"))
    city.surcharge(water, "Drought surcharge", per_unit="0.25")
    p = city.premise()
    acct = city.account(p, services=("water", "refuse"), cart=(96, 2))
    m = city.meter(p)
    city.read(m, "2027-02-28", 0)
    city.read(m, "2027-03-31", 10)
    calc = calculate(account=acct, **MARCH)
    assert amounts(calc) == [
        ("Water usage: 10 HCF", D("10.00")),
        ("Drought surcharge: 10 HCF", D("2.50")),
        ("Refuse", D("40.00")),
        ("Recycling fee", D("3.10")),
    ]


def test_a_rollover_in_the_calculation(city):
    city.schedule("water", unit_price=D("1.00"))
    p = city.premise()
    acct = city.account(p)
    m = city.meter(p, dials=6)
    city.read(m, "2027-02-28", 999_995)
    city.read(m, "2027-03-31", 7)
    assert calculate(account=acct, **MARCH).usage == D("12")


def test_a_meter_change_within_the_period_bills_both_meters(city):
    city.schedule("water", unit_price=D("1.00"), fixed=[(city.small, "20.00"), (city.inch, "35.00")])
    p = city.premise()
    acct = city.account(p)
    old = city.meter(p)
    city.read(old, "2027-02-28", 100)
    city.remove(old, on="2027-03-10", read=130)
    new = city.meter(p, installed="2027-03-10", read=0, size=city.inch)
    city.read(new, "2027-03-31", 12)
    calc = calculate(account=acct, **MARCH)
    assert [(r.meter.serial, r.open_value, r.close_value, r.usage) for r in calc.reads] == [
        (old.meter.serial, 100, 130, D("30")),
        (new.meter.serial, 0, 12, D("12")),
    ]
    assert calc.usage == D("42") and calc.exceptions == []
    assert calc.lines[0].description.startswith(
        'Water fixed charge, 1" meter'
    )  # the meter in place at the end


def test_an_estimate_is_trued_up_by_the_next_actual_read(city, tiered):
    p = city.premise()
    acct = city.account(p)
    m = city.meter(p)
    city.read(m, "2027-02-28", 100)
    city.read(m, "2027-03-31", 120, kind="estimate")
    march = calculate(account=acct, **MARCH)
    assert (march.usage, march.estimated, march.exceptions, march.total) == (
        D("20"),
        True,
        ["estimate"],
        D("30.00"),
    )
    city.read(m, "2027-04-30", 115)  # the customer used less: April credits the 5 units over-billed
    april = calculate(account=acct, period_start=day("2027-04-01"), period_end=day("2027-04-30"))
    assert (april.usage, april.estimated, april.exceptions) == (D("-5"), False, ["negative"])
    assert april.total == D("-5.00") and "credit" in april.lines[0].description
    # over both months the customer paid for 15 units, what the meter shows, less the tier gap


def test_an_estimate_followed_by_more_use_bills_the_difference(city, tiered):
    p = city.premise()
    acct = city.account(p)
    m = city.meter(p)
    city.read(m, "2027-02-28", 100)
    city.read(m, "2027-03-31", 120, kind="estimate")
    city.read(m, "2027-04-30", 135)
    april = calculate(account=acct, period_start=day("2027-04-01"), period_end=day("2027-04-30"))
    assert (april.usage, april.estimated, april.exceptions, april.total) == (D("15"), False, [], D("20.00"))


@pytest.mark.parametrize(
    ("reads", "flags", "usage"),
    [
        ([], ["no_read"], "0"),
        ([("2027-03-31", 100, "accepted")], ["zero"], "0"),
        ([("2027-03-31", 150, "exception")], ["no_read"], "0"),  # held for review: not live
        ([("2027-03-31", 150, "replaced")], ["no_read"], "0"),
    ],
)
def test_exceptions_for_the_proof_register(city, tiered, reads, flags, usage):
    p = city.premise()
    acct = city.account(p)
    m = city.meter(p)
    city.read(m, "2027-02-28", 100)
    for on, value, status in reads:
        city.read(m, on, value, status=status)
    calc = calculate(account=acct, **MARCH)
    assert calc.exceptions == flags and calc.usage == D(usage)


def test_water_service_with_no_meter_bills_no_usage_and_says_so(city, tiered):
    acct = city.account(city.premise())
    calc = calculate(account=acct, **MARCH)
    assert calc.exceptions == ["no_read"] and calc.total == D("0.00")


def test_no_schedule_in_force_is_refused_with_a_sentence(city):
    acct = city.account(city.premise())
    with pytest.raises(RateMissing, match="No Water rate for Residential is in force on 03/01/2027"):
        calculate(account=acct, **MARCH)


def test_a_withdrawn_schedule_is_not_used(city, tiered, admin_user):
    from revenue import services as core

    newer = city.schedule("water", start="2027-03-01", unit_price=D("5.00"))
    core.config_withdraw(row=newer, reason="typed the wrong price", acting_user=admin_user)
    p = city.premise()
    acct = city.account(p)
    m = city.meter(p)
    city.read(m, "2027-02-28", 0)
    city.read(m, "2027-03-31", 10)
    assert calculate(account=acct, **MARCH).total == D("10.00")


def test_block_basis_by_dwelling_units_and_days(city):
    city.schedule("water", method="tiered", block_basis="units", blocks=[("0", "1.00"), ("10", "2.00")])
    p = city.premise(units=2)
    acct = city.account(p)
    m = city.meter(p)
    city.read(m, "2027-02-28", 0)
    city.read(m, "2027-03-31", 21)
    assert calculate(account=acct, **MARCH).total == D("22.00")  # 20 at 1.00, 1 at 2.00


def test_period_before_move_in_has_no_lines(city, tiered):
    acct = city.account(city.premise(), move_in="2027-04-02")
    calc = calculate(account=acct, **MARCH)
    assert calc.lines == [] and calc.total == D("0.00")
    assert isinstance(calc.period_start, datetime.date)
