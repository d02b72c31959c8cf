"""Monthly statistics on collections: money collected by month and revenue account across every
area (licenses, parking, utility, invoices, TOT …), a fiscal year next to the one before.

Collected means applied to a charge: each core payment application counts in the month its
payment was received, under the applied charge's revenue account; a reversed payment (a void, a
returned check) counts back, negative, in the month of its reversal, so a month once reported
never changes. Credit left on account is counted when it is applied to a charge."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connection

from revenue import services as core
from revenue.dates import add_months
from revenue.models import ZERO, Account

_COLLECTED = """
SELECT month, account_id, SUM(amount) AS amount FROM (
    SELECT date_trunc('month', p.received_on)::date AS month, c.revenue_account_id AS account_id, pa.amount
      FROM revenue_paymentapplication pa
      JOIN revenue_payment p ON p.id = pa.payment_id
      JOIN revenue_charge c ON c.id = pa.charge_id
     WHERE p.received_on BETWEEN %(start)s AND %(end)s
    UNION ALL
    SELECT date_trunc('month', r.entry_date)::date, c.revenue_account_id, -pa.amount
      FROM revenue_paymentapplication pa
      JOIN revenue_payment p ON p.id = pa.payment_id
      JOIN revenue_journalentry r ON r.id = p.reversal_entry_id
      JOIN revenue_charge c ON c.id = pa.charge_id
     WHERE r.entry_date BETWEEN %(start)s AND %(end)s
) collected
GROUP BY month, account_id
"""


@dataclass
class AccountRow:
    account: Account
    this_year: list[Decimal]
    last_year: list[Decimal]

    @property
    def this_total(self) -> Decimal:
        return sum(self.this_year, ZERO)

    @property
    def last_total(self) -> Decimal:
        return sum(self.last_year, ZERO)

    @property
    def change(self) -> Decimal:
        return self.this_total - self.last_total

    @property
    def change_pct(self) -> Decimal | None:
        return percent(self.change, self.last_total)


def percent(change: Decimal, base: Decimal) -> Decimal | None:
    if not base:
        return None
    return (change * 100 / abs(base)).quantize(Decimal("0.1"))


@dataclass
class CollectionStatistics:
    fiscal_year: int
    months: list[datetime.date]  # first day of each month of the fiscal year
    rows: list[AccountRow]
    month_this: list[Decimal] = field(default_factory=list)
    month_last: list[Decimal] = field(default_factory=list)

    @property
    def month_change(self) -> list[Decimal]:
        return [a - b for a, b in zip(self.month_this, self.month_last, strict=True)]

    @property
    def total_this(self) -> Decimal:
        return sum(self.month_this, ZERO)

    @property
    def total_last(self) -> Decimal:
        return sum(self.month_last, ZERO)

    @property
    def total_change(self) -> Decimal:
        return self.total_this - self.total_last

    @property
    def total_change_pct(self) -> Decimal | None:
        return percent(self.total_change, self.total_last)


def collections_by_month(fiscal_year: int) -> CollectionStatistics:
    """Collections of a fiscal year and the year before, by month and revenue account (one query)."""
    start, end = core.fiscal_year_bounds(fiscal_year)
    prior_start, _prior_end = core.fiscal_year_bounds(fiscal_year - 1)
    months = [add_months(start, i) for i in range(12)]
    index_this = {m: i for i, m in enumerate(months)}
    index_last = {add_months(prior_start, i): i for i in range(12)}
    with connection.cursor() as cur:
        cur.execute(_COLLECTED, {"start": prior_start, "end": end})
        found = cur.fetchall()
    accounts = Account.objects.in_bulk({a for _m, a, _x in found})
    rows: dict[int, AccountRow] = {}
    for month, account_id, amount in found:
        row = rows.get(account_id)
        if row is None:
            row = rows[account_id] = AccountRow(accounts[account_id], [ZERO] * 12, [ZERO] * 12)
        if month in index_this:
            row.this_year[index_this[month]] += amount
        else:
            row.last_year[index_last[month]] += amount
    ordered = sorted(rows.values(), key=lambda r: r.account.number)
    return CollectionStatistics(
        fiscal_year=fiscal_year,
        months=months,
        rows=ordered,
        month_this=[sum((r.this_year[i] for r in ordered), ZERO) for i in range(12)],
        month_last=[sum((r.last_year[i] for r in ordered), ZERO) for i in range(12)],
    )
