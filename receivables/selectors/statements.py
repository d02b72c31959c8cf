"""A customer's statement of account for a period: opening balance, each dated movement on the
customer's invoices (invoices, other charges billed on an invoice's number, payments and their
reversals, credit memos, write-offs) with the running balance, closing balance, and the aging of
the closing balance. Past periods give the figures as they stood then."""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType

from revenue.exceptions import RevenueError
from revenue.models import Account, Charge, JournalEntry, JournalLine, Party, PaymentApplication

from ..models import ZERO, Invoice, InvoiceLine
from .aging import bucket_labels, bucket_of
from .invoices import aging_edges, policy_on

_MEMO_NUMBER = re.compile(r"Credit memo (CM\d{4}-\d{6})")
_ORDER = {"invoice": 0, "charge": 1, "payment": 2, "credit": 3, "write_off": 4, "reversal": 5}

# per charge, its reductions: (date, amount) of each payment, reversal (negative) and adjustment
Reductions = dict[int, list[tuple[datetime.date, Decimal]]]


@dataclass
class StatementRow:
    date: datetime.date
    kind: str  # invoice | charge | payment | reversal | credit | write_off
    number: str
    description: str
    amount: Decimal  # + owed more, - owed less
    balance: Decimal = ZERO

    @property
    def charge(self) -> Decimal | None:
        return self.amount if self.amount > 0 else None

    @property
    def credit(self) -> Decimal | None:
        return -self.amount if self.amount < 0 else None


@dataclass
class Statement:
    party: Party
    start: datetime.date
    end: datetime.date
    opening: Decimal
    rows: list[StatementRow]
    closing: Decimal
    aging: list[tuple[str, Decimal]]
    open_items: list[dict] = field(default_factory=list)

    @property
    def total_charges(self) -> Decimal:
        return sum((r.amount for r in self.rows if r.amount > 0), ZERO)

    @property
    def total_credits(self) -> Decimal:
        return sum((-r.amount for r in self.rows if r.amount < 0), ZERO)

    @property
    def aging_total(self) -> Decimal:
        return sum((amount for _label, amount in self.aging), ZERO)


def aging_labels(edges: list[int]) -> list[str]:
    """The statement's words for the aging report's buckets: Current, 1–30 days, …, Over 90 days."""
    return [label if label in ("Current", "Past due") else f"{label} days" for label in bucket_labels(edges)]


# --------------------------------------------------------------------------- the movements


def _billed_rows(party: Party, charges: list[Charge]) -> list[StatementRow]:
    """Invoices as billed (their lines' charges), and anything else billed on an invoice's number."""
    rows = [
        StatementRow(
            inv.invoice_date, "invoice", inv.number, f"Invoice, due {inv.due_on:%m/%d/%Y}", inv.total
        )
        for inv in Invoice.objects.filter(party=party).order_by("invoice_date", "number")
    ]
    line_ids = set(
        InvoiceLine.objects.filter(charge_id__in=[c.pk for c in charges]).values_list("charge_id", flat=True)
    )
    rows += [
        StatementRow(c.assessed_on, "charge", c.source_number, c.description, c.amount)
        for c in charges
        if c.pk not in line_ids
    ]
    return rows


def _payment_rows(charges: list[Charge], reductions: Reductions) -> list[StatementRow]:
    """Payments on the charges, one row per payment, and their reversals (a void or a returned check)."""
    by_payment: dict[int, dict] = {}
    for app in PaymentApplication.objects.filter(charge_id__in=[c.pk for c in charges]).select_related(
        "payment", "payment__reversal_entry", "charge"
    ):
        p = by_payment.setdefault(app.payment_id, {"payment": app.payment, "amount": ZERO, "numbers": []})
        p["amount"] += app.amount
        if app.charge.source_number not in p["numbers"]:
            p["numbers"].append(app.charge.source_number)
        reductions[app.charge_id].append((app.payment.received_on, app.amount))
        if app.payment.reversal_entry_id:
            reductions[app.charge_id].append((app.payment.reversal_entry.entry_date, -app.amount))
    rows = []
    for p in by_payment.values():
        pay = p["payment"]
        ref = pay.reference or f"#{pay.pk}"
        on = ", ".join(p["numbers"])
        rows.append(StatementRow(pay.received_on, "payment", ref, f"Payment on {on}", -p["amount"]))
        if pay.reversal_entry_id:
            text = f"Payment {ref} reversed (void or returned check)"
            rows.append(StatementRow(pay.reversal_entry.entry_date, "reversal", ref, text, p["amount"]))
    return rows


def _adjustment_entries(charges: list[Charge]) -> list[dict]:
    """The journal entries whose source is one of the charges (credit memos, write-offs), each
    with what it took off the charge's receivable, whether it went to bad debt, and its memos."""
    charge_by_pk = {c.pk: c for c in charges}
    lines = JournalLine.objects.filter(
        entry__source_type=ContentType.objects.get_for_model(Charge), entry__source_id__in=list(charge_by_pk)
    ).select_related("entry", "account")
    by_entry: dict[int, dict] = {}
    for line in lines:
        charge = charge_by_pk[line.entry.source_id]
        e = by_entry.setdefault(
            line.entry_id,
            {
                "entry": line.entry,
                "charge": charge,
                "credit": ZERO,
                "bad_debt": False,
                "memos": [line.entry.memo],
            },
        )
        e["memos"].append(line.memo)
        if line.account.role == Account.Role.BAD_DEBT:
            e["bad_debt"] = True
        if line.account_id == charge.receivable_account_id:
            e["credit"] += line.credit - line.debit
    return list(by_entry.values())


def _adjustment_rows(charges: list[Charge], reductions: Reductions) -> list[StatementRow]:
    """Credit memos (waivers) and write-offs, one row per day, kind and document."""
    grouped: dict[tuple, StatementRow] = {}
    for e in _adjustment_entries(charges):
        entry: JournalEntry = e["entry"]
        charge = e["charge"]
        reductions[charge.pk].append((entry.entry_date, e["credit"]))
        if e["bad_debt"]:
            key = (entry.entry_date, "write_off", charge.source_number)
            text, number = f"Written off ({charge.source_number})", charge.source_number
        else:
            found = _MEMO_NUMBER.search(" ".join(e["memos"]))
            number = found.group(1) if found else charge.source_number
            key = (entry.entry_date, "credit", number)
            text = (
                f"Credit memo on {charge.source_number}" if found else f"Adjustment of {charge.source_number}"
            )
        row = grouped.get(key)
        if row is None:
            grouped[key] = StatementRow(entry.entry_date, key[1], number, text, -e["credit"])
        else:
            row.amount -= e["credit"]
    return list(grouped.values())


def _events(party: Party) -> tuple[list[StatementRow], Reductions, list[Charge]]:
    """Every dated movement on the party's invoice charges, in order, and per charge its reductions."""
    numbers = Invoice.objects.filter(party=party).values("number")
    charges = list(
        Charge.objects.filter(party=party, source_number__in=numbers)
        .select_related("source_type")
        .order_by("pk")
    )
    reductions: Reductions = {c.pk: [] for c in charges}
    rows = (
        _billed_rows(party, charges)
        + _payment_rows(charges, reductions)
        + _adjustment_rows(charges, reductions)
    )
    rows.sort(key=lambda r: (r.date, _ORDER[r.kind], r.number))
    return rows, reductions, charges


# --------------------------------------------------------------------------- the statement


def _open_items(
    party: Party, charges: list[Charge], reductions: Reductions, end: datetime.date
) -> list[dict]:
    """What was owed on each charge at the end of `end`, with its days past due. Each charge ages
    with its invoice, by the invoice's due date, as the aging report does: a late fee assessed
    (and due) today on a 95-day-old invoice is 95 days past due, not current."""
    invoice_ct = ContentType.objects.get_for_model(Invoice).pk
    invoice_due, due_by_number = {}, {}
    for pk, number, due_on in Invoice.objects.filter(party=party).values_list("pk", "number", "due_on"):
        invoice_due[pk] = due_by_number[number] = due_on
    items = []
    for c in charges:
        if c.assessed_on > end:
            continue
        owed = c.amount - sum((amt for on, amt in reductions[c.pk] if on <= end), ZERO)
        if owed == 0:
            continue
        if c.source_type_id == invoice_ct and c.source_id in invoice_due:
            due_on = invoice_due[c.source_id]
        else:
            due_on = due_by_number.get(c.source_number, c.due_on)
        items.append({"charge": c, "owed": owed, "due_on": due_on, "days": (end - due_on).days})
    return items


def statement_compute(*, party: Party, start: datetime.date, end: datetime.date) -> Statement:
    """A statement of the party's AR invoices for a period: opening balance (owed before `start`),
    each dated movement with the running balance, closing balance, and the aging of the closing
    balance on `end` in the buckets of the policy in force on `end` (the aging report's; for a
    date before any policy it refuses with NoPolicyInForce, as the aging report does)."""
    if start > end:
        raise RevenueError("The start date is after the end date.")
    edges = aging_edges(policy_on(end))
    rows, reductions, charges = _events(party)
    opening = sum((r.amount for r in rows if r.date < start), ZERO)
    activity = [r for r in rows if start <= r.date <= end]
    balance = opening
    for r in activity:
        balance += r.amount
        r.balance = balance
    labels = aging_labels(edges)
    buckets = [ZERO] * len(labels)
    open_items = _open_items(party, charges, reductions, end)
    for item in open_items:
        buckets[bucket_of(item["days"], edges)] += item["owed"]
        item["days_past_due"] = max(item.pop("days"), 0)
    return Statement(
        party=party,
        start=start,
        end=end,
        opening=opening,
        rows=activity,
        closing=balance,
        aging=list(zip(labels, buckets, strict=True)),
        open_items=open_items,
    )
