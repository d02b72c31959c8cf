"""Reads of the bill runs: each account's balance for its next bill, the proof register (paged,
totals from SQL), a bill's lines and its consumption history."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.models import Count, Q, Sum
from django.db.models.functions import Coalesce

from revenue.documents import Column
from revenue.models import ZERO, charge_balance_sql
from revenue.reporting import Link, Report

from .bill_rules import EXCEPTIONS
from .models import Bill, BillRun, ServiceAccount


def content_type_id(model) -> int:
    return ContentType.objects.get_for_model(model).pk


# An account's charges: those of its bills, and those assessed on the account itself (fees,
# deposits, late fees). Rows (account_id, charge columns); %(ids)s the accounts.
ACCOUNT_CHARGES = """
    SELECT b.account_id, c.id, c.amount, c.amount_paid, c.amount_adjusted
      FROM utility_billing_bill b
      JOIN revenue_charge c ON c.source_type_id = %(bill_ct)s AND c.source_id = b.id
     WHERE b.account_id = ANY(%(ids)s)
    UNION ALL
    SELECT c.source_id, c.id, c.amount, c.amount_paid, c.amount_adjusted
      FROM revenue_charge c
     WHERE c.source_type_id = %(account_ct)s AND c.source_id = ANY(%(ids)s)
"""

# Per account: what is open now, what was paid on its charges since its last posted bill's date,
# and the customer's credit on account (the core's customer-credit liability, by party).
_BALANCES = f"""
WITH ch AS ({ACCOUNT_CHARGES}),
last AS (
    SELECT account_id, max(bill_date) AS since FROM utility_billing_bill
     WHERE account_id = ANY(%(ids)s) AND status = 'posted' GROUP BY account_id
)
SELECT a.id,
       COALESCE((SELECT sum({charge_balance_sql("ch")}) FROM ch WHERE ch.account_id = a.id), 0),
       COALESCE((SELECT sum(pa.amount) FROM ch
                   JOIN revenue_paymentapplication pa ON pa.charge_id = ch.id
                   JOIN revenue_payment p ON p.id = pa.payment_id AND p.status = 'posted'
                  WHERE ch.account_id = a.id AND p.received_on > COALESCE(l.since, '1900-01-01')), 0),
       COALESCE((SELECT sum(jl.credit - jl.debit) FROM revenue_journalline jl
                   JOIN revenue_account ac ON ac.id = jl.account_id AND ac.role = 'customer_credit'
                  WHERE jl.party_id = a.party_id), 0)
  FROM utility_billing_serviceaccount a
  LEFT JOIN last l ON l.account_id = a.id
 WHERE a.id = ANY(%(ids)s)
"""


def balances(account_ids: list[int]) -> dict[int, tuple[Decimal, Decimal, Decimal]]:
    """{account id: (open balance, payments since the last bill, credit on account)}."""
    params = {
        "ids": list(account_ids),
        "bill_ct": content_type_id(Bill),
        "account_ct": content_type_id(ServiceAccount),
    }
    with connection.cursor() as cur:
        cur.execute(_BALANCES, params)
        return {row[0]: (row[1], row[2], row[3]) for row in cur.fetchall()}


def account_balance(account: ServiceAccount) -> Decimal:
    return balances([account.pk]).get(account.pk, (ZERO, ZERO, ZERO))[0]


# --------------------------------------------------------------------------- the proof register


def register_bills(run: BillRun, kind: str = ""):
    bills = (
        run.bills.exclude(status=Bill.Status.TAKEN_BACK)
        if run.status != BillRun.Status.TAKEN_BACK
        else run.bills
    )
    if kind:
        bills = bills.filter(exceptions__contains=[kind])
    return bills.select_related("account__party", "account__premise").order_by("number")


def register_totals(run: BillRun) -> dict:
    """The run's totals from SQL: bills, usage, charges, amount due, and a count per exception."""
    bills = register_bills(run)
    totals = bills.aggregate(
        bills=Count("pk"),
        usage=Coalesce(Sum("usage"), Decimal(0)),
        charges=Coalesce(Sum("current_charges"), ZERO),
        previous=Coalesce(Sum("previous_balance"), ZERO),
        payments=Coalesce(Sum("payments_since"), ZERO),
        with_exceptions=Count("pk", filter=~Q(exceptions=[])),
    )
    totals["due"] = totals["previous"] - totals["payments"] + totals["charges"]
    with connection.cursor() as cur:
        cur.execute(
            """SELECT e.code, count(*) FROM utility_billing_bill b, jsonb_array_elements_text(b.exceptions) e(code)
                WHERE b.run_id = %s AND b.status <> 'taken_back' GROUP BY e.code""",
            [run.pk],
        )
        found = dict(cur.fetchall())
    totals["by_exception"] = [(code, label, found.get(code, 0)) for code, label in EXCEPTIONS.items()]
    return totals


REGISTER_COLUMNS = [
    Column("Bill", width=14),
    Column("Account", width=10),
    Column("Customer", width=28),
    Column("Service address", width=28),
    Column("Usage", "money", 10),
    Column("Previous balance", "money"),
    Column("Payments since", "money"),
    Column("Current charges", "money"),
    Column("Amount due", "money"),
    Column("Exceptions", width=30),
]


def register_report(run: BillRun, kind: str = "", bills=None) -> Report:
    """The proof register as a report (the .xlsx holds every bill; the screen pages them)."""
    bills = register_bills(run, kind) if bills is None else bills
    rows = [
        [
            Link(b.number, b.get_absolute_url()),
            b.account.number,
            b.account.party.name,
            str(b.account.premise),
            b.usage,
            b.previous_balance,
            b.payments_since,
            b.current_charges,
            b.amount_due,
            ", ".join(EXCEPTIONS.get(c, c) for c in b.exceptions),
        ]
        for b in bills
    ]
    t = register_totals(run)
    label = f" · {EXCEPTIONS[kind]}" if kind in EXCEPTIONS else ""
    return Report(
        title=f"Proof register {run.number}{label}",
        subtitle=f"{run.cycle} · {run.period_start:%m/%d/%Y}–{run.period_end:%m/%d/%Y} · bill date {run.bill_date:%m/%d/%Y}",
        columns=REGISTER_COLUMNS,
        rows=rows,
        totals=[
            "Totals (all bills)",
            f"{t['bills']:,} bills",
            "",
            "",
            t["usage"],
            t["previous"],
            t["payments"],
            t["charges"],
            t["due"],
            f"{t['with_exceptions']:,} with exceptions",
        ],  # fmt: skip
        filename=f"proof-register-{run.number}",
        sheet_name="Proof register",
    )


# --------------------------------------------------------------------------- a bill


def consumption_history(bill: Bill, periods: int = 13) -> list[tuple[str, Decimal]]:
    """The account's usage on its last `periods` bills up to this one (oldest first), for the chart."""
    rows = (
        Bill.objects.filter(account_id=bill.account_id, period_start__lte=bill.period_start)
        .exclude(status=Bill.Status.TAKEN_BACK)
        .order_by("-period_start", "-pk")
        .values_list("period_end", "usage")[:periods]
    )
    return [(f"{end:%b %y}", usage) for end, usage in reversed(rows)]


def bill_charges_open(bill: Bill) -> Decimal:
    with connection.cursor() as cur:
        cur.execute(
            f"SELECT COALESCE(sum({charge_balance_sql('c')}), 0) FROM revenue_charge c "
            "WHERE c.source_type_id = %s AND c.source_id = %s",
            [content_type_id(Bill), bill.pk],
        )
        return cur.fetchone()[0]


def runs_of_period(cycle_id: int, period_start: datetime.date):
    return BillRun.objects.filter(cycle_id=cycle_id, period_start=period_start)
