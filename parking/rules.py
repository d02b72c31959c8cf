"""Parking's arithmetic and validation, free of the database: plates, states, addresses, the
dates a citation becomes late, and the windows for contests. Every boundary is inclusive of the
last day named ('within 21 days of issue' allows day 21, refuses day 22)."""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from decimal import Decimal

from revenue.dates import add_months
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


class PermitError(RevenueError):
    """A permit or tag operation refused; the message is for the clerk."""


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


# the largest fine or reduced amount a clerk or a file may write (a typing slip, not a rule)
MAX_FINE = Decimal("10000.00")


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


# --------------------------------------------------------------------------- citation dates


@dataclass(frozen=True)
class Deadlines:
    """The dates that matter for one citation under a policy."""

    due_on: datetime.date  # last day to pay without the late penalty
    penalty_on: datetime.date  # the late penalty applies from this day
    review_by: datetime.date  # last day to ask for an initial review (counted from issue)


def deadlines(issued_on: datetime.date, policy) -> Deadlines:
    due = issued_on + datetime.timedelta(days=policy.penalty_after_days)
    return Deadlines(
        due_on=due,
        penalty_on=due + datetime.timedelta(days=1),
        review_by=issued_on + datetime.timedelta(days=policy.review_days_from_issue),
    )


def _days_before(on: datetime.date, days: int) -> datetime.date:
    return on - datetime.timedelta(days=days)


# The batch runs' cut-offs. Each is the latest date (of issue, of notice, of an installment's due
# date) whose rows the run takes on `on`; the runs' SQL compares with it and never counts days.


def tier_cutoff(on: datetime.date, after_days: int) -> datetime.date:
    """The latest issue date whose citations owe a late penalty of `after_days` on `on`: unpaid the
    whole of after_days after issue (issued on the cut-off, due on the day before `on`)."""
    return _days_before(on, after_days + 1)


def penalty_cutoff(on: datetime.date, policy) -> datetime.date:
    """The latest issue date whose citations owe the (first) late penalty on `on`."""
    return tier_cutoff(on, policy.penalty_after_days)


def penalty_due(issued_on: datetime.date, on: datetime.date, policy) -> bool:
    """Is the first late penalty owed by someone paying on `on`?"""
    return issued_on <= penalty_cutoff(on, policy)


def unpaid_after(issued_on: datetime.date, after_days: int) -> datetime.date:
    """The last day before a late penalty of `after_days` applies (the day after it does)."""
    return issued_on + datetime.timedelta(days=after_days)


def notice_cutoff(on: datetime.date, policy) -> datetime.date:
    """The latest issue date whose unpaid citations are due a delinquent notice on `on`."""
    return _days_before(on, policy.notice_after_days + 1)


def hold_cutoff(on: datetime.date, policy) -> datetime.date:
    """The latest notice date whose unpaid citations go on DMV hold on `on`: more than
    hold_after_notice_days after the notice."""
    return _days_before(on, policy.hold_after_notice_days + 1)


def plan_default_cutoff(on: datetime.date, policy) -> datetime.date:
    """The latest due date of an unpaid installment that defaults its plan on `on`: more than
    plan_grace_days past due."""
    return _days_before(on, policy.plan_grace_days + 1)


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


def _plan_amounts(total: Decimal, months: int | None, policy) -> list[Decimal]:
    """The installments' amounts by the policy's split: equal over `months` (rounded up to the
    cent, the last takes what is left), or the policy's maximum each month and the remainder
    last (70.00 at most 25.00 a month: 25.00, 25.00, 20.00), in as many months as that takes."""
    maximum = policy.plan_max_installment
    if getattr(policy, "plan_split", "equal") == "maximum":
        needed = int((total / maximum).to_integral_value(rounding="ROUND_CEILING"))
        if needed > policy.plan_max_months:
            raise RuleError(
                f"{total} at {maximum} a month takes {needed} months, more than the "
                f"{policy.plan_max_months} allowed."
            )
        if months is not None and months < needed:
            raise RuleError(
                f"At most {maximum} a month, {total} takes {needed} months: choose {needed} or more "
                "(the plan ends when it is paid)."
            )
        return [maximum] * (needed - 1) + [total - maximum * (needed - 1)]
    if months is None:
        raise RuleError("Enter the number of months.")
    if not 1 <= months <= policy.plan_max_months:
        raise RuleError(f"A plan runs from 1 to {policy.plan_max_months} months.")
    installment = (total / months).quantize(Decimal("0.01"), rounding="ROUND_UP")
    if installment > maximum:
        raise RuleError(
            f"{months} months makes installments of {installment}, more than the "
            f"{maximum} a month allowed: choose more months."
        )
    amounts, left = [], total
    for i in range(months):
        amount = installment if i < months - 1 else left
        if amount <= 0:
            break
        amounts.append(amount)
        left -= amount
    return amounts


def plan_schedule(
    total: Decimal, months: int | None, first_due_on: datetime.date, policy
) -> list[tuple[datetime.date, Decimal]]:
    """Monthly installments within the policy's limits, split as the policy in force says
    (`plan_split`: equal, or the maximum each month and the remainder last)."""
    if total <= 0:
        raise RuleError("There is nothing to put on a plan.")
    if total > policy.plan_max_total:
        raise RuleError(f"A plan may cover at most {policy.plan_max_total}; these come to {total}.")
    if months is not None and not 1 <= months <= policy.plan_max_months:
        raise RuleError(f"A plan runs from 1 to {policy.plan_max_months} months.")
    amounts = _plan_amounts(total, months, policy)
    return [(add_months(first_due_on, i), amount) for i, amount in enumerate(amounts)]


# --------------------------------------------------------------------------- the fine schedule


@dataclass(frozen=True)
class PenaltyStep:
    """One late penalty of a fine: the `number`th (1 = the first), `amount` added once a citation
    is unpaid more than `after_days` days after issue."""

    number: int
    after_days: int
    amount: Decimal


@dataclass(frozen=True)
class FinePeriod:
    """One violation's fine, late penalties and (when the officer may write the fine) its range,
    from `starts` until the day before `ends` (the next fine's first day; None while it is the
    latest). `tiers` are the further penalties, (after_days, amount), added to the first."""

    violation_id: int
    code: str
    starts: datetime.date
    ends: datetime.date | None
    fine: Decimal
    late_penalty: Decimal
    fine_min: Decimal | None = None
    fine_max: Decimal | None = None
    tiers: tuple[tuple[int, Decimal], ...] = ()

    def fine_for(self, written: Decimal | None, day: datetime.date) -> tuple[Decimal, bool]:
        """(the citation's fine, whether it was written): the scheduled fine when none is
        written; a written one only within the code's range, if it has one."""
        if written is None or written == self.fine:
            return self.fine, False
        if self.fine_min is None:
            raise RuleError(
                f"The fine for {self.code} on {day:%m/%d/%Y} is {self.fine}, not {written} "
                "(the officer may not write another amount for this code)."
            )
        if not self.fine_min <= written <= self.fine_max:
            raise RuleError(
                f"The fine for {self.code} may be written from {self.fine_min} to {self.fine_max}; "
                f"{written} is outside that range."
            )
        return written, True

    def penalty_steps(self, policy) -> list[PenaltyStep]:
        """The late penalties in the order their days come: the first after the policy's
        `penalty_after_days`, then each tier. Amounts add up (a tier is an addition, not a total)."""
        steps = sorted([(policy.penalty_after_days, self.late_penalty), *self.tiers], key=lambda s: s[0])
        return [PenaltyStep(i, days, amount) for i, (days, amount) in enumerate(steps, start=1)]


def steps_reached(issued_on: datetime.date, on: datetime.date, steps: list[PenaltyStep]) -> int:
    """How many of the late penalties a citation issued on `issued_on` owes on `on`."""
    return sum(1 for s in steps if issued_on <= tier_cutoff(on, s.after_days))


class FineSchedule:
    """The fines of violation codes over time, built from (violation id, code, effective from,
    fine, late penalty[, fine min, fine max, tiers]) rows: the one place that says which fine is
    in force on a day (the latest effective on or before it). The penalty run hands its periods
    to SQL as a table."""

    def __init__(self, rows):
        by_violation: dict[int, list] = {}
        for row in sorted(rows, key=lambda r: (r[0], r[2])):
            by_violation.setdefault(row[0], []).append(row)
        self._periods: dict[int, list[FinePeriod]] = {}
        self._codes: dict[str, int] = {}
        for violation_id, fines in by_violation.items():
            ends = [f[2] for f in fines[1:]] + [None]
            self._periods[violation_id] = [
                FinePeriod(vid, code, starts, end, fine, penalty, *extra)
                for (vid, code, starts, fine, penalty, *extra), end in zip(fines, ends, strict=True)
            ]
            self._codes[fines[0][1].upper()] = violation_id

    def fine(self, code: str, on: datetime.date) -> FinePeriod:
        """The fine of a code on a day, or RuleError for the clerk."""
        violation_id = self._codes.get((code or "").strip().upper())
        if violation_id is None:
            raise RuleError(f"Unknown violation code {code!r}.")
        for period in self._periods[violation_id]:
            if period.starts <= on and (period.ends is None or on < period.ends):
                return period
        raise RuleError(f"Violation {code} had no fine set on {on:%m/%d/%Y}.")

    def periods(self) -> list[FinePeriod]:
        return [p for periods in self._periods.values() for p in periods]
