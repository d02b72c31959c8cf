"""The TOT arithmetic: periods, due dates, the tax, and the late penalties and interest, line by
line. Pure functions: no database, no "today" (the caller says which day).

Rules chosen (docs/architecture.md, TOT):

* A period is a calendar month. The return is due on the last day of the month
  `due_months_after` months after the period (March -> April 30 with 1); it counts as filed the
  day the city received it (not the postmark).
* The tax is the taxable rents times the rate of the period, rounded half up to the cent, once.
* Late charges are figured for the day the tax is paid in full ("on"), on the tax only:
  - first penalty: paid after the due date -> first percent of the tax still unpaid at the end
    of the due date (a partial payment on or before the due date lowers the base);
  - second penalty: paid more than `second_penalty_after_days` days after the due date -> second
    percent of the tax still unpaid at the end of that last day (due + days);
  - interest: for each month or fraction of a month after the due date, the monthly percent of
    the tax unpaid when that month began. Months are counted by the city's one convention,
    `revenue.dates.months_late`: month k ends on month_end_after(due, k), the due date's day k
    months later, or the last day of that month when the due date is a month's last day (as a
    return's always is: due 04/30, paid 05/31 is one month late, not two). Paid from due + 1 day
    through month_end_after(due, 1) -> 1 month; one day more -> 2 months; and so on. Month k
    begins the day after month_end_after(due, k - 1), so a payment made during a month lowers
    the base of the months after it, not of the month it was made in.
  Each line is rounded half up once (interest on the sum of its monthly bases).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from revenue.dates import add_months, last_day, month_end_after, months_late
from revenue.money import ZERO, percent_of


def due_date(period_start: datetime.date, months_after: int) -> datetime.date:
    """The last day of the month `months_after` months after the period's month."""
    first = add_months(period_start.replace(day=1), months_after)
    return last_day(first.year, first.month)


def earliest_period(
    *, opened_on: datetime.date, today: datetime.date, limit_months: int | None
) -> datetime.date:
    """The first day of the earliest period a return may be filed for on `today`: the month the
    operator opened, or, when the policy sets a limit, `limit_months` months before this month
    (24 on 12/02/2026 -> December 2024), whichever is later."""
    earliest = opened_on.replace(day=1)
    if limit_months is not None:
        earliest = max(earliest, add_months(today.replace(day=1), -limit_months))
    return earliest


def tax_on(taxable: Decimal, rate_percent: Decimal) -> Decimal:
    return percent_of(taxable, rate_percent)


def percent_text(value: Decimal) -> str:
    return f"{value.normalize():f}"


@dataclass(frozen=True)
class LateLine:
    key: str  # first_penalty | second_penalty | interest
    label: str
    base: Decimal
    amount: Decimal
    months: int = 0
    detail: str = ""


@dataclass(frozen=True)
class LateRules:
    first_penalty_percent: Decimal
    second_penalty_percent: Decimal
    second_penalty_after_days: int
    interest_percent_per_month: Decimal

    @classmethod
    def of(cls, policy) -> LateRules:
        return cls(
            first_penalty_percent=policy.first_penalty_percent,
            second_penalty_percent=policy.second_penalty_percent,
            second_penalty_after_days=policy.second_penalty_after_days,
            interest_percent_per_month=policy.interest_percent_per_month,
        )


def unpaid_after(tax: Decimal, payments: Iterable[tuple[datetime.date, Decimal]], day: datetime.date):
    """The tax still unpaid at the end of `day`, given (received_on, amount) payments on it."""
    paid = sum((amount for received, amount in payments if received <= day), ZERO)
    return max(tax - paid, ZERO)


def late_lines(
    *,
    tax: Decimal,
    due_on: datetime.date,
    on: datetime.date,
    rules: LateRules,
    payments: Iterable[tuple[datetime.date, Decimal]] = (),
) -> list[LateLine]:
    """The penalties and interest owed on a period's tax when it is paid in full on `on`, given the
    payments already made on it. Nothing when paid on or before the due date."""
    payments = [(d, a) for d, a in payments if d <= on]
    lines: list[LateLine] = []
    if on <= due_on or tax <= ZERO:
        return lines
    base = unpaid_after(tax, payments, due_on)
    if base and rules.first_penalty_percent:
        lines.append(
            LateLine(
                "first_penalty",
                f"Penalty {percent_text(rules.first_penalty_percent)}% (delinquent after {due_on:%m/%d/%Y})",
                base,
                percent_of(base, rules.first_penalty_percent),
                detail=f"{percent_text(rules.first_penalty_percent)}% of {base:,.2f} unpaid on {due_on:%m/%d/%Y}",
            )
        )
    second_day = due_on + datetime.timedelta(days=rules.second_penalty_after_days)
    if on > second_day and rules.second_penalty_percent:
        base2 = unpaid_after(tax, payments, second_day)
        if base2:
            lines.append(
                LateLine(
                    "second_penalty",
                    f"Penalty {percent_text(rules.second_penalty_percent)}% "
                    f"(unpaid {rules.second_penalty_after_days} days after due)",
                    base2,
                    percent_of(base2, rules.second_penalty_percent),
                    detail=f"{percent_text(rules.second_penalty_percent)}% of {base2:,.2f} "
                    f"unpaid on {second_day:%m/%d/%Y}",
                )
            )
    months = months_late(due_on, on)
    if months and rules.interest_percent_per_month:
        bases = [unpaid_after(tax, payments, month_end_after(due_on, k - 1)) for k in range(1, months + 1)]
        charged = [b for b in bases if b]
        if charged:
            total_base = sum(charged, ZERO)
            pct = percent_text(rules.interest_percent_per_month)
            if len(set(charged)) == 1:
                detail = (
                    f"{pct}% of {charged[0]:,.2f} × {len(charged)} month{'s' if len(charged) != 1 else ''}"
                )
            else:
                detail = " + ".join(f"{b:,.2f}" for b in charged) + f" = {total_base:,.2f} at {pct}%"
            lines.append(
                LateLine(
                    "interest",
                    f"Interest {pct}% × {len(charged)} month{'s' if len(charged) != 1 else ''}",
                    total_base,
                    percent_of(total_base, rules.interest_percent_per_month),
                    months=len(charged),
                    detail=f"{detail} (to {on:%m/%d/%Y}, month {months} after the due date)",
                )
            )
    return lines
