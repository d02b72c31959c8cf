"""Aging as of any date: each invoice's balance as it stood then, by customer and in the
policy's past-due buckets. Balances are read set-based, in SQL, never by looping over payments."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from revenue.models import Charge, Party

from ..models import ZERO, Invoice
from .invoices import aging_edges, content_type_id, policy_on, sql_rows

# payments received by then and not reversed by then, less adjustments (credit memos,
# write-offs: entries whose source is the charge) posted by then.
_BALANCES_AS_OF = """
WITH ch AS (
    SELECT c.id, c.source_id AS invoice_id, c.amount, c.receivable_account_id
      FROM revenue_charge c
      JOIN receivables_invoice i ON i.id = c.source_id
     WHERE c.source_type_id = %(invoice_ct)s AND c.assessed_on <= %(as_of)s
       AND i.invoice_date <= %(as_of)s {party_filter}
), paid AS (
    SELECT pa.charge_id, SUM(pa.amount) AS amount
      FROM revenue_paymentapplication pa
      JOIN ch ON ch.id = pa.charge_id
      JOIN revenue_payment p ON p.id = pa.payment_id
      LEFT JOIN revenue_journalentry r ON r.id = p.reversal_entry_id
     WHERE p.received_on <= %(as_of)s AND (r.id IS NULL OR r.entry_date > %(as_of)s)
     GROUP BY pa.charge_id
), adjusted AS (
    SELECT ch.id AS charge_id, SUM(jl.credit - jl.debit) AS amount
      FROM ch
      JOIN revenue_journalentry e
        ON e.source_type_id = %(charge_ct)s AND e.source_id = ch.id AND e.entry_date <= %(as_of)s
      JOIN revenue_journalline jl ON jl.entry_id = e.id AND jl.account_id = ch.receivable_account_id
     GROUP BY ch.id
)
SELECT i.id, i.number, i.invoice_date, i.due_on, i.total, i.party_id, py.number AS party_number,
       py.name AS party_name,
       SUM(ch.amount - COALESCE(paid.amount, 0) - COALESCE(adjusted.amount, 0)) AS balance
  FROM ch
  JOIN receivables_invoice i ON i.id = ch.invoice_id
  JOIN revenue_party py ON py.id = i.party_id
  LEFT JOIN paid ON paid.charge_id = ch.id
  LEFT JOIN adjusted ON adjusted.charge_id = ch.id
 GROUP BY i.id, py.id
HAVING SUM(ch.amount - COALESCE(paid.amount, 0) - COALESCE(adjusted.amount, 0)) <> 0
 ORDER BY py.name, py.id, i.due_on, i.number
"""


def bucket_labels(edges: list[int]) -> list[str]:
    """[30, 60, 90] → Current, 1–30, 31–60, 61–90, Over 90."""
    labels, low = ["Current"], 1
    for edge in edges:
        labels.append(f"{low}–{edge}")
        low = edge + 1
    labels.append(f"Over {edges[-1]}" if edges else "Past due")
    return labels


def bucket_of(days_past_due: int, edges: list[int]) -> int:
    """The bucket index: 0 when not yet past due (0 days or fewer); day 30 is in 1–30, day 31 in 31–60.
    The aging report's and the statement's one rule, so they never bucket differently."""
    if days_past_due <= 0:
        return 0
    for i, edge in enumerate(edges, start=1):
        if days_past_due <= edge:
            return i
    return len(edges) + 1


@dataclass
class AgedInvoice:
    id: int
    number: str
    invoice_date: datetime.date
    due_on: datetime.date
    total: Decimal
    balance: Decimal
    days_past_due: int
    bucket: int
    party_id: int
    party_number: str
    party_name: str

    def amounts(self, n: int) -> list[Decimal | None]:
        return [self.balance if i == self.bucket else None for i in range(n)]


@dataclass
class AgedCustomer:
    party_id: int
    party_number: str
    party_name: str
    buckets: list[Decimal]
    total: Decimal = ZERO
    invoices: list[AgedInvoice] = field(default_factory=list)

    def add(self, inv: AgedInvoice) -> None:
        self.invoices.append(inv)
        self.buckets[inv.bucket] += inv.balance
        self.total += inv.balance


@dataclass
class Aging:
    as_of: datetime.date
    edges: list[int]
    labels: list[str]
    customers: list[AgedCustomer]
    totals: list[Decimal]
    total: Decimal

    @property
    def invoices(self) -> list[AgedInvoice]:
        return [inv for c in self.customers for inv in c.invoices]


def aging(as_of: datetime.date, party: Party | None = None) -> Aging:
    """Every invoice's balance as it stood on `as_of` (a past date gives the answer as it was
    then), by customer and in total, in the buckets of the policy in force on that date. For a
    date before any policy it refuses with NoPolicyInForce, as every receivables read and
    service does (no invoice can be dated before the first policy)."""
    edges = aging_edges(policy_on(as_of))
    labels = bucket_labels(edges)
    sql = _BALANCES_AS_OF.format(party_filter="AND i.party_id = %(party)s" if party else "")
    params = {
        "invoice_ct": content_type_id(Invoice),
        "charge_ct": content_type_id(Charge),
        "as_of": as_of,
        "party": party.pk if party else None,
    }
    customers: dict[int, AgedCustomer] = {}
    totals = [ZERO] * len(labels)
    for row in sql_rows(sql, params):
        days = (as_of - row["due_on"]).days
        inv = AgedInvoice(**row, days_past_due=days, bucket=bucket_of(days, edges))
        cust = customers.get(inv.party_id)
        if cust is None:
            cust = customers[inv.party_id] = AgedCustomer(
                inv.party_id, inv.party_number, inv.party_name, [ZERO] * len(labels)
            )
        cust.add(inv)
        totals[inv.bucket] += inv.balance
    return Aging(
        as_of=as_of,
        edges=edges,
        labels=labels,
        customers=list(customers.values()),
        totals=totals,
        total=sum(totals, ZERO),
    )
