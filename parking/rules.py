"""Parking's arithmetic and validation, free of the database: plates, states, addresses, the
dates a citation becomes late, and the windows for contests. Every boundary is inclusive of the
last day named ('within 21 days of issue' allows day 21, refuses day 22)."""

from __future__ import annotations

import calendar
import datetime
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from revenue.exceptions import RevenueError

# USPS codes of the states, DC and the territories whose plates appear on citations; plus the
# federal government (US), Mexico (MX) and the Canadian provinces seen on the border routes.
STATES = frozenset(
    [
        "AL",
        "AK",
        "AZ",
        "AR",
        "CA",
        "CO",
        "CT",
        "DE",
        "DC",
        "FL",
        "GA",
        "HI",
        "ID",
        "IL",
        "IN",
        "IA",
        "KS",
        "KY",
        "LA",
        "ME",
        "MD",
        "MA",
        "MI",
        "MN",
        "MS",
        "MO",
        "MT",
        "NE",
        "NV",
        "NH",
        "NJ",
        "NM",
        "NY",
        "NC",
        "ND",
        "OH",
        "OK",
        "OR",
        "PA",
        "RI",
        "SC",
        "SD",
        "TN",
        "TX",
        "UT",
        "VT",
        "VA",
        "WA",
        "WV",
        "WI",
        "WY",
        "AS",
        "GU",
        "MP",
        "PR",
        "VI",
        "US",
        "MX",
        "AB",
        "BC",
        "MB",
        "NB",
        "NL",
        "NS",
        "ON",
        "PE",
        "QC",
        "SK",
        "YT",
        "NT",
        "NU",
    ]
)
_PLATE = re.compile(r"^[A-Z0-9]{1,8}$")


class RuleError(RevenueError, ValueError):
    """Input that breaks a parking rule; the message is for the clerk."""


def clean_plate(value: str) -> str:
    """A plate as DMV keys it: letters and digits only, up to 8. Spaces and dashes as printed on
    the plate are dropped; any other character is refused (no state issues it)."""
    plate = re.sub(r"[\s\-]", "", (value or "").upper())
    if not plate:
        raise RuleError("Enter the plate.")
    if not _PLATE.match(plate):
        if len(plate) > 8:
            raise RuleError(f"{value!r} is too long for a plate: at most 8 letters and digits.")
        raise RuleError(f"{value!r} is not a plate: plates have only letters A-Z and digits 0-9.")
    return plate


def clean_state(value: str) -> str:
    state = (value or "").strip().upper()
    if state not in STATES:
        raise RuleError(f"{value!r} is not a state or province code (e.g. CA, NV, BC).")
    return state


def clean_money(value, *, field: str = "Amount", maximum: Decimal = Decimal("10000.00")) -> Decimal:
    try:
        amount = Decimal(str(value).strip().replace("$", "").replace(",", ""))
    except (InvalidOperation, ValueError):
        raise RuleError(f"{field} {value!r} is not an amount.") from None
    if not amount.is_finite() or amount <= 0:
        raise RuleError(f"{field} must be more than zero.")
    if amount != amount.quantize(Decimal("0.01")):
        raise RuleError(f"{field} {value} has more than two decimal places.")
    if amount > maximum:
        raise RuleError(f"{field} {amount} is more than {maximum}: check it.")
    return amount.quantize(Decimal("0.01"))


_ADDRESS = re.compile(r"^(\d+)\s+(.+)$")
_SUFFIXES = {
    "STREET": "ST",
    "AVENUE": "AVE",
    "AV": "AVE",
    "BOULEVARD": "BLVD",
    "DRIVE": "DR",
    "ROAD": "RD",
    "LANE": "LN",
    "COURT": "CT",
    "PLACE": "PL",
    "WAY": "WAY",
    "TERRACE": "TER",
    "CIRCLE": "CIR",
}


def clean_address(value: str) -> tuple[str, int, str]:
    """'123 Elm Street' -> ('123 ELM ST', 123, 'ELM ST'): one spelling per address, so that the
    permits at an address can be counted."""
    text = re.sub(r"[.,#]", " ", (value or "").upper())
    text = re.sub(r"\s+", " ", text).strip()
    m = _ADDRESS.match(text)
    if not m:
        raise RuleError("Enter the street address as number and street, e.g. 123 Elm St.")
    words = m.group(2).split(" ")
    if words and words[-1] in _SUFFIXES:
        words[-1] = _SUFFIXES[words[-1]]
    street = " ".join(words)
    number = int(m.group(1))
    return f"{number} {street}", number, street


def add_months(day: datetime.date, months: int) -> datetime.date:
    month = day.month - 1 + months
    year = day.year + month // 12
    month = month % 12 + 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


# --------------------------------------------------------------------------- citation dates


@dataclass(frozen=True)
class Deadlines:
    """The dates that matter for one citation under a policy."""

    due_on: datetime.date  # last day to pay without the late penalty
    penalty_on: datetime.date  # the late penalty applies from this day
    review_by: datetime.date  # last day to ask for an initial review (counted from issue)
    notice_eligible_on: datetime.date  # a delinquent notice can go out from this day


def deadlines(issued_on: datetime.date, policy) -> Deadlines:
    due = issued_on + datetime.timedelta(days=policy.penalty_after_days)
    return Deadlines(
        due_on=due,
        penalty_on=due + datetime.timedelta(days=1),
        review_by=issued_on + datetime.timedelta(days=policy.review_days_from_issue),
        notice_eligible_on=issued_on + datetime.timedelta(days=policy.notice_after_days + 1),
    )


def penalty_due(issued_on: datetime.date, on: datetime.date, policy) -> bool:
    """Is the late penalty owed by someone paying on `on`?"""
    return on >= deadlines(issued_on, policy).penalty_on


def review_allowed(
    issued_on: datetime.date, notice_on: datetime.date | None, on: datetime.date, policy
) -> bool:
    """Within the window from issue, or within the window from the delinquent notice."""
    if on < issued_on:
        return False
    if on <= deadlines(issued_on, policy).review_by:
        return True
    return notice_on is not None and notice_on <= on <= notice_on + datetime.timedelta(
        days=policy.review_days_from_notice
    )


def hearing_allowed(review_decided_on: datetime.date, on: datetime.date, policy) -> bool:
    return (
        review_decided_on
        <= on
        <= review_decided_on + datetime.timedelta(days=policy.hearing_days_from_review)
    )


def hold_eligible(notice_on: datetime.date | None, on: datetime.date, policy) -> bool:
    return notice_on is not None and on > notice_on + datetime.timedelta(days=policy.hold_after_notice_days)


def plan_schedule(
    total: Decimal, months: int, first_due_on: datetime.date, policy
) -> list[tuple[datetime.date, Decimal]]:
    """Equal monthly installments (the last takes the odd cents) within the policy's limits."""
    if total <= 0:
        raise RuleError("There is nothing to put on a plan.")
    if total > policy.plan_max_total:
        raise RuleError(f"A plan may cover at most {policy.plan_max_total}; these come to {total}.")
    if not 1 <= months <= policy.plan_max_months:
        raise RuleError(f"A plan runs from 1 to {policy.plan_max_months} months.")
    installment = (total / months).quantize(Decimal("0.01"), rounding="ROUND_UP")
    if installment > policy.plan_max_installment:
        raise RuleError(
            f"{months} months makes installments of {installment}, more than the "
            f"{policy.plan_max_installment} a month allowed: choose more months."
        )
    rows = []
    left = total
    for i in range(months):
        amount = installment if i < months - 1 else left
        if amount <= 0:
            break
        rows.append((add_months(first_due_on, i), amount))
        left -= amount
    return rows
