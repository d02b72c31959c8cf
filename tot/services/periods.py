"""The terms a monthly period is taxed by: the TOT policy and rate in force on its first day,
and its due date."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from revenue import services as core
from revenue.dates import month_bounds
from revenue.exceptions import RevenueError

from .. import rules
from ..models import TotPolicy, TotRate


def policy_on(day: datetime.date | None = None) -> TotPolicy:
    return core.policy_on(TotPolicy, day)


def rate_on(day: datetime.date) -> TotRate:
    """The rate in force for periods beginning on `day`."""
    rate = core.in_force(TotRate.objects.all(), day)
    if rate is None:
        raise core.NoRateInForce(f"No TOT rate is in force for periods beginning {day:%m/%d/%Y}.")
    return rate


def period_of(period) -> tuple[datetime.date, datetime.date]:
    """(first day, last day) of a monthly period given as (year, month) or any date in it."""
    if isinstance(period, datetime.date):
        year, month = period.year, period.month
    else:
        try:
            year, month = (int(x) for x in period)
        except (TypeError, ValueError) as exc:
            raise RevenueError("The period must be a year and a month.") from exc
    if not (1 <= month <= 12) or not (2000 <= year <= 2200):
        raise RevenueError("The period must be a month of a year from 2000 on.")
    return month_bounds(year, month)


@dataclass(frozen=True)
class PeriodTerms:
    start: datetime.date
    end: datetime.date
    policy: TotPolicy
    rate: TotRate
    due_on: datetime.date


def period_terms(period) -> PeriodTerms:
    """The rules a period is taxed by: the policy and the rate in force on its first day."""
    start, end = period_of(period)
    policy = policy_on(start)
    return PeriodTerms(
        start=start,
        end=end,
        policy=policy,
        rate=rate_on(start),
        due_on=rules.due_date(start, policy.due_months_after),
    )


@dataclass(frozen=True)
class FilingWindow:
    """The periods a return may be filed for on a day: from `earliest` (first day of a month) to
    `latest` (the last month that has ended), under the policy in force that day."""

    earliest: datetime.date
    latest: datetime.date
    policy: TotPolicy
    limited: bool  # True when the policy's limit, not the operator's opening, sets `earliest`

    def periods(self) -> list[datetime.date]:
        """First days of the months in the window, newest first."""
        out, day = [], self.latest
        while day >= self.earliest:
            out.append(day)
            day = (day - datetime.timedelta(days=1)).replace(day=1)
        return out

    def refusal(self, start: datetime.date) -> str:
        """Why a period before the window is refused ("" when it is not)."""
        if start >= self.earliest or not self.limited:
            return ""
        months = self.policy.filing_limit_months
        return (
            f"{start:%B %Y} is more than {months} months back: the TOT policy from "
            f"{self.policy.effective_from:%m/%d/%Y} accepts returns for {self.earliest:%B %Y} on. "
            "A supervisor can lengthen the limit with a new TOT policy."
        )


def filing_window(operator, today: datetime.date) -> FilingWindow:
    """The window of periods `operator` may file for on `today` (the policy in force today)."""
    policy = policy_on(today)
    earliest = rules.earliest_period(
        opened_on=operator.opened_on, today=today, limit_months=policy.filing_limit_months
    )
    latest = (today.replace(day=1) - datetime.timedelta(days=1)).replace(day=1)
    if operator.closed_on:
        latest = min(latest, operator.closed_on.replace(day=1))
    return FilingWindow(
        earliest=earliest,
        latest=latest,
        policy=policy,
        limited=earliest > operator.opened_on.replace(day=1),
    )
