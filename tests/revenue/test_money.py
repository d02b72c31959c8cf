"""Amounts: Decimal, two places, positive, at most 10 digits; forms say what is wrong."""

from decimal import Decimal

import pytest

from revenue import services
from revenue.exceptions import InvalidAmount
from revenue.forms import MoneyField
from revenue.templatetags.money import money as money_filter


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("12.5", Decimal("12.50")),
        ("0.01", Decimal("0.01")),
        ("1,234.56", Decimal("1234.56")),
        (Decimal("9999999999.99"), Decimal("9999999999.99")),
    ],
)
def test_good_amounts(raw, expected):
    assert services.money(raw) == expected


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("1.005", "more than two decimal places"),
        ("-1.00", "more than zero"),
        ("0", "more than zero"),
        ("10000000000.00", "over 10 digits"),
        ("ten", "dollars and cents"),
        ("NaN", "dollars and cents"),
        ("Infinity", "dollars and cents"),
    ],
)
def test_bad_amounts_say_why(raw, message):
    with pytest.raises(InvalidAmount, match=message):
        services.money(raw)


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("1.005", "at most two decimal places"),
        ("-3.00", "more than zero"),
        ("12345678901.00", "larger than the system accepts"),
        ("abc", "dollars and cents"),
    ],
)
def test_money_field_messages(raw, message):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match=message):
        MoneyField().clean(raw)


def test_money_field_accepts_commas_and_dollar_sign():
    assert MoneyField().clean("$1,250.00") == Decimal("1250.00")


def test_half_up_rounding_once():
    assert services.round_money(Decimal("2.675")) == Decimal("2.68")
    assert services.round_money(Decimal("-2.675")) == Decimal("-2.68")


@pytest.mark.parametrize(
    ("value", "shown"),
    [(Decimal("1234.5"), "$1,234.50"), (Decimal("-3"), "($3.00)"), (None, ""), (0, "$0.00")],
)
def test_money_filter(value, shown):
    assert money_filter(value) == shown


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("$75.00 ", Decimal("75.00")), (" $1,234.5", Decimal("1234.50")), ("0", Decimal("0.00"))],
)
def test_amounts_as_clerks_and_files_write_them(raw, expected):
    assert services.money(raw, allow_zero=True) == expected


def test_a_maximum_is_checked_and_named():
    assert services.money("500.00", maximum=Decimal("500.00")) == Decimal("500.00")
    with pytest.raises(InvalidAmount, match="Fine 500.01 is more than 500.00"):
        services.money("500.01", field="Fine", maximum=Decimal("500.00"))


@pytest.mark.parametrize(
    ("amount", "percent", "expected"),
    [
        (Decimal("12.345"), Decimal("10"), Decimal("1.23")),
        (Decimal("100.05"), Decimal("10"), Decimal("10.01")),  # 10.005 rounds half up
        (Decimal("0.00"), Decimal("12"), Decimal("0.00")),
    ],
)
def test_a_percent_of_an_amount_rounds_half_up_once(amount, percent, expected):
    from revenue.money import percent_of

    assert percent_of(amount, percent) == expected
