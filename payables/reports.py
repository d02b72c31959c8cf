"""Payables' reports, each a core `Report` (columns defined once, for the page and the .xlsx)."""

from __future__ import annotations

from revenue.documents import Column
from revenue.reporting import Report

from .selectors.budget import BudgetActual

LEVEL_TITLES = {"account": "by account", "department": "by department", "fund": "by fund"}


def budget_actual_report(ba: BudgetActual, *, level: str = "account") -> Report:
    """Budget, encumbered, spent and available, per account or rolled up."""
    lines = ba.rollup(level)
    head = {
        "account": [Column("Department", width=22), Column("Fund", width=8), Column("Account", width=12),
                    Column("Name", width=34)],
        "department": [Column("Department", width=28)],
        "fund": [Column("Fund", width=8), Column("Name", width=24)],
    }[level]  # fmt: skip

    def label(ln):
        if level == "account":
            return [ln.department_name, ln.fund_code, ln.account_number, ln.account_name]
        if level == "department":
            return [ln.department_name or "Not budgeted"]
        return [ln.fund_code, ln.fund_name]

    t = ba.totals
    money = [Column("Budget", "money", 14), Column("Encumbered", "money", 14), Column("Spent", "money", 14),
             Column("Available", "money", 14)]  # fmt: skip
    return Report(
        title=f"Budget against actual, FY{ba.fiscal_year}, {LEVEL_TITLES[level]}",
        subtitle=f"As of {ba.as_of:%m/%d/%Y}: encumbered is what open orders hold; spent is the ledger.",
        columns=[*head, *money],
        rows=[[*label(ln), ln.budget, ln.encumbered, ln.spent, ln.available] for ln in lines],
        totals=["Total", *[""] * (len(head) - 1), t.budget, t.encumbered, t.spent, t.available],
        filename=f"budget-actual-FY{ba.fiscal_year}-{ba.as_of:%Y-%m-%d}-{level}",
        sheet_name="Budget",
    )
