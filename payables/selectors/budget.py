"""Budget against actual, as of any date: per expense account its budget (adopted plus the
amendments approved and in force by then), what open orders hold (the encumbrance ledger), what
was spent (the core ledger: debits less credits on the account from the fiscal year's first day)
and what is available; rolled up by department and by fund."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection

from revenue import services as core

from .. import rules

ZERO = Decimal("0.00")


@dataclass
class BudgetLine:
    account_id: int
    account_number: str
    account_name: str
    fund_code: str
    fund_name: str
    department_code: str
    department_name: str
    budget: Decimal
    encumbered: Decimal
    spent: Decimal

    @property
    def available(self) -> Decimal:
        return rules.available(budget=self.budget, encumbered=self.encumbered, spent=self.spent)


@dataclass
class BudgetActual:
    fiscal_year: int
    as_of: datetime.date
    lines: list[BudgetLine]

    def rollup(self, level: str) -> list[BudgetLine]:
        """The lines summed by department or by fund (level "account": the lines themselves)."""
        if level == "account":
            return self.lines
        groups: dict[str, BudgetLine] = {}
        for ln in self.lines:
            key = ln.department_code if level == "department" else ln.fund_code
            g = groups.get(key)
            if g is None:
                g = groups[key] = BudgetLine(
                    0, "", "", ln.fund_code if level == "fund" else "", ln.fund_name if level == "fund" else "",
                    ln.department_code if level == "department" else "",
                    ln.department_name if level == "department" else "", ZERO, ZERO, ZERO,
                )  # fmt: skip
            g.budget += ln.budget
            g.encumbered += ln.encumbered
            g.spent += ln.spent
        return [groups[k] for k in sorted(groups)]

    @property
    def totals(self) -> BudgetLine:
        t = BudgetLine(0, "", "Total", "", "", "", "", ZERO, ZERO, ZERO)
        for ln in self.lines:
            t.budget += ln.budget
            t.encumbered += ln.encumbered
            t.spent += ln.spent
        return t


_SQL = """
WITH b AS (
    SELECT bu.account_id, bu.department_id,
           bu.adopted + COALESCE((SELECT SUM(am.amount) FROM payables_budgetamendment am
                                   WHERE am.budget_id = bu.id AND am.status = 'approved'
                                     AND am.effective_on <= %(as_of)s), 0) AS budget
      FROM payables_budget bu
     WHERE bu.fiscal_year = %(year)s AND bu.adopted_on <= %(as_of)s
), e AS (
    SELECT account_id, SUM(amount) AS encumbered FROM payables_encumbrance
     WHERE fiscal_year = %(year)s AND entry_date <= %(as_of)s GROUP BY account_id
), s AS (
    SELECT jl.account_id, SUM(jl.debit - jl.credit) AS spent
      FROM revenue_journalline jl
      JOIN revenue_journalentry je ON je.id = jl.entry_id
      JOIN revenue_account a ON a.id = jl.account_id
     WHERE a.type = 'expense' AND je.entry_date BETWEEN %(start)s AND %(as_of)s
     GROUP BY jl.account_id
), ids AS (
    SELECT account_id FROM b UNION SELECT account_id FROM e UNION SELECT account_id FROM s
)
SELECT a.id, a.number, a.name, f.code, f.name, COALESCE(d.code, ''), COALESCE(d.name, 'Not budgeted'),
       COALESCE(b.budget, 0)::numeric(14, 2), COALESCE(e.encumbered, 0)::numeric(14, 2),
       COALESCE(s.spent, 0)::numeric(14, 2)
  FROM ids
  JOIN revenue_account a ON a.id = ids.account_id
  JOIN revenue_fund f ON f.id = a.fund_id
  LEFT JOIN b ON b.account_id = a.id
  LEFT JOIN payables_department d ON d.id = b.department_id
  LEFT JOIN e ON e.account_id = a.id
  LEFT JOIN s ON s.account_id = a.id
 ORDER BY COALESCE(d.code, '~'), a.number
"""


def budget_actual(*, as_of: datetime.date | None = None, fiscal_year: int | None = None,
                  account_ids=None) -> BudgetActual:  # fmt: skip
    """Budget against actual for the fiscal year of `as_of` (default today), up to that day."""
    as_of = as_of or core.city_today()
    fiscal_year = fiscal_year or core.fiscal_year_of(as_of)
    start, end = core.fiscal_year_bounds(fiscal_year)
    as_of = min(as_of, end)
    with connection.cursor() as cur:
        cur.execute(_SQL, {"year": fiscal_year, "as_of": as_of, "start": start})  # one set-based read
        lines = [BudgetLine(*row) for row in cur.fetchall()]
    if account_ids is not None:
        wanted = set(account_ids)
        lines = [ln for ln in lines if ln.account_id in wanted]
    return BudgetActual(fiscal_year=fiscal_year, as_of=as_of, lines=lines)


def budget_warning(amounts: dict[int, Decimal], *, on: datetime.date | None = None) -> str:
    """What an order or invoice charging `amounts` (account id → amount) would take past what
    is available, as a sentence for the person entering it and for the approver; "" if nothing."""
    wanted = {k: v for k, v in amounts.items() if v > 0}
    if not wanted:
        return ""
    report = budget_actual(as_of=on, account_ids=wanted)
    found = {ln.account_id: ln for ln in report.lines}
    over = []
    for account_id, amount in sorted(wanted.items()):
        ln = found.get(account_id)
        left = ln.available if ln else ZERO
        if amount > left:
            name = ln.account_number if ln else "an account with no budget"
            over.append(f"{name}: {amount:,.2f} against {left:,.2f} available")
    if not over:
        return ""
    return "Over budget — " + "; ".join(over) + "."
