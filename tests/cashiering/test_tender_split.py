"""The tender arithmetic on its own (no database): what each tender kind posts, the change, the
credit on account, and every refusal."""

from dataclasses import dataclass
from decimal import Decimal

import pytest

from cashiering.exceptions import TenderShort
from cashiering.models import CashieringPolicy
from cashiering.rules import tender_split
from revenue.exceptions import InvalidAmount, RevenueError

D = Decimal
CREDIT, REFUSE = CashieringPolicy.Overpayment.CREDIT, CashieringPolicy.Overpayment.REFUSE


@dataclass(frozen=True)
class T:
    kind: str
    amount: Decimal


def policy(checks=CREDIT, cards=REFUSE):
    return CashieringPolicy(check_overpayment=checks, card_overpayment=cards)


# due, tenders, policy -> (cash kept, change, checks, cards, credit, receipt total)
CASES = {
    "exact cash": (
        "20.00",
        [T("cash", D("20.00"))],
        policy(),
        ("20.00", "0.00", "0.00", "0.00", "0.00", "20.00"),
    ),
    "cash with change": (
        "17.25",
        [T("cash", D("20.00"))],
        policy(),
        ("17.25", "2.75", "0.00", "0.00", "0.00", "17.25"),
    ),
    "check over, credit allowed": (
        "80.00",
        [T("check", D("100.00"))],
        policy(checks=CREDIT),
        ("0.00", "0.00", "100.00", "0.00", "20.00", "100.00"),
    ),
    "money order over, credit allowed": (
        "80.00",
        [T("money_order", D("85.00"))],
        policy(checks=CREDIT),
        ("0.00", "0.00", "85.00", "0.00", "5.00", "85.00"),
    ),
    "card exact": (
        "42.10",
        [T("card", D("42.10"))],
        policy(),
        ("0.00", "0.00", "0.00", "42.10", "0.00", "42.10"),
    ),
    "card and cash with change": (
        "50.00",
        [T("card", D("30.00")), T("cash", D("40.00"))],
        policy(),
        ("20.00", "20.00", "0.00", "30.00", "0.00", "50.00"),
    ),
    "several checks": (
        "150.00",
        [T("check", D("100.00")), T("check", D("50.00"))],
        policy(),
        ("0.00", "0.00", "150.00", "0.00", "0.00", "150.00"),
    ),
    "check and cash, the cash making up the rest": (
        "155.50",
        [T("check", D("100.00")), T("cash", D("60.00"))],
        policy(),
        ("55.50", "4.50", "100.00", "0.00", "0.00", "155.50"),
    ),
    "card over, credit allowed by policy": (
        "10.00",
        [T("card", D("12.00"))],
        policy(cards=CREDIT),
        ("0.00", "0.00", "0.00", "12.00", "2.00", "12.00"),
    ),
}


@pytest.mark.parametrize("due,tenders,rules,expected", CASES.values(), ids=CASES.keys())
def test_tender_split(due, tenders, rules, expected):
    split = tender_split(D(due), tenders, rules)
    got = (split.cash_kept, split.change, split.checks, split.cards, split.credit, split.total)
    assert got == tuple(D(x) for x in expected)
    # what posts always balances: every tender's kept amount is the receipt's total
    assert split.cash_kept + split.checks + split.cards == split.total == split.due + split.credit


REFUSALS = {
    "short tender": ("50.00", [T("cash", D("49.99"))], policy(), TenderShort, "short 0.01"),
    "short across tenders": (
        "90.00",
        [T("check", D("50.00")), T("cash", D("20.00"))],
        policy(),
        TenderShort,
        "short 20.00",
    ),
    "check over, refused by policy": (
        "80.00",
        [T("check", D("100.00"))],
        policy(checks=REFUSE),
        RevenueError,
        "The check tender is 20.00 more than is due",
    ),
    "card over, refused by policy": (
        "10.00",
        [T("card", D("12.00"))],
        policy(cards=REFUSE),
        RevenueError,
        "The card tender is 2.00 more than is due",
    ),
    "cash not needed": (
        "30.00",
        [T("check", D("30.00")), T("cash", D("5.00"))],
        policy(),
        RevenueError,
        "no cash is needed",
    ),
    "nothing due": (
        "0.00",
        [T("cash", D("5.00"))],
        policy(),
        InvalidAmount,
        "The total must be more than zero",
    ),
    "negative due": (
        "-5.00",
        [T("cash", D("5.00"))],
        policy(),
        InvalidAmount,
        "The total must be more than zero",
    ),
    "zero tender": (
        "5.00",
        [T("cash", D("0.00")), T("card", D("5.00"))],
        policy(),
        InvalidAmount,
        "Cash amount",
    ),
    "negative tender": (
        "5.00",
        [T("check", D("-5.00")), T("cash", D("10.00"))],
        policy(),
        InvalidAmount,
        "Check amount",
    ),
    "fractions of a cent": ("5.001", [T("cash", D("6.00"))], policy(), InvalidAmount, "two decimal places"),
}


@pytest.mark.parametrize("due,tenders,rules,error,words", REFUSALS.values(), ids=REFUSALS.keys())
def test_tender_split_refuses(due, tenders, rules, error, words):
    with pytest.raises(error, match=words):
        tender_split(D(due), tenders, rules)
