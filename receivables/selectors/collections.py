"""Reads of collections: the dunning levels in force and a run's letters, the follow-up
worklist and the collections-referral list."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db.models import Max, OuterRef, Subquery

from revenue import services as core
from revenue.documents import barcode_svg
from revenue.models import charge_balance_sql

from ..models import ZERO, DunningLevel, DunningNotice, DunningRun, FollowUp, Invoice
from .invoices import content_type_id, sql_rows, with_balance

LETTERS_PER_PART = 500


def levels_on(on: datetime.date) -> list[DunningLevel]:
    """The dunning levels in force on a date: the set with the latest effective date on or before it."""
    start = DunningLevel.objects.filter(effective_from__lte=on).aggregate(m=Max("effective_from"))["m"]
    if start is None:
        return []
    return list(
        DunningLevel.objects.filter(effective_from=start).select_related("fee_type").order_by("level")
    )


# --------------------------------------------------------------------------- follow-up worklist

_WORKLIST = f"""
WITH past_due AS (
    SELECT i.party_id, i.id, i.due_on, SUM({charge_balance_sql("c")}) AS balance
      FROM receivables_invoice i
      JOIN revenue_charge c ON c.source_type_id = %(invoice_ct)s AND c.source_id = i.id
     WHERE i.status = 'open' AND i.due_on < %(today)s
     GROUP BY i.id
    HAVING SUM({charge_balance_sql("c")}) > 0
), customers AS (
    SELECT party_id, COUNT(*) AS invoices, SUM(balance) AS balance, MIN(due_on) AS oldest_due
      FROM past_due GROUP BY party_id
), latest AS (
    SELECT DISTINCT ON (f.party_id) f.party_id, f.id, f.created_at, f.kind, f.note, f.next_action_on,
           f.promise_on, f.promise_amount, f.invoice_id
      FROM receivables_followup f
     WHERE f.party_id IN (SELECT party_id FROM customers)
     ORDER BY f.party_id, f.created_at DESC, f.id DESC
), rows AS (
    SELECT cu.*, l.id AS followup_id, l.created_at AS followup_at, l.kind AS followup_kind,
           l.note AS followup_note, l.next_action_on, l.promise_on, l.promise_amount,
           l.invoice_id AS followup_invoice_id,
           -- what the promise is kept with: payments since the follow-up applied to the
           -- customer's invoice charges (lines and late fees), to the invoice it names if any;
           -- not a parking ticket or a license paid meanwhile, nor credit left on account
           COALESCE((SELECT SUM(pa.amount)
                       FROM revenue_paymentapplication pa
                       JOIN revenue_payment p ON p.id = pa.payment_id
                       JOIN revenue_charge c ON c.id = pa.charge_id
                       JOIN receivables_invoice i ON i.id = c.source_id
                      WHERE c.source_type_id = %(invoice_ct)s AND i.party_id = cu.party_id
                        AND (l.invoice_id IS NULL OR i.id = l.invoice_id)
                        AND p.status = 'posted' AND p.created_at >= l.created_at), 0) AS paid_since
      FROM customers cu LEFT JOIN latest l ON l.party_id = cu.party_id
)
SELECT rows.*, py.number AS party_number, py.name AS party_name, py.phone AS party_phone
  FROM rows JOIN revenue_party py ON py.id = rows.party_id
 WHERE rows.followup_id IS NULL
    OR rows.next_action_on <= %(today)s
    OR (rows.promise_on < %(today)s AND rows.paid_since < COALESCE(rows.promise_amount, 0.01))
 ORDER BY rows.oldest_due, rows.balance DESC, py.name
"""


def _promise_broken(row: dict, today: datetime.date) -> bool:
    """The latest follow-up's promise date has passed and less than the amount promised was paid
    on the customer's invoices since (the query's paid_since: invoice charges only, the named
    invoice's when there is one), the same test as the query's."""
    return bool(
        row["promise_on"]
        and row["promise_on"] < today
        and row["paid_since"] < (row["promise_amount"] or Decimal("0.01"))
    )


def worklist(today: datetime.date | None = None) -> list[dict]:
    """Customers to follow up today: past-due invoices owed and either no follow-up yet, the
    latest follow-up's next action due, or a promise to pay whose date has passed without the
    money: `paid_since`, what payments since the promise applied to the customer's invoices (to
    the invoice the follow-up names, when it names one), is less than the amount promised.
    Payments of other charges (a parking ticket, a license) do not keep the promise.
    Oldest, then largest, first.
    A customer whose latest follow-up set no next action and no promise stays off the list
    until a new follow-up sets one."""
    today = today or core.city_today()
    rows = sql_rows(_WORKLIST, {"invoice_ct": content_type_id(Invoice), "today": today})
    for r in rows:
        r["days_past_due"] = (today - r["oldest_due"]).days
        if r["followup_id"] is None:
            r["reason"] = "No follow-up yet"
        elif _promise_broken(r, today):
            r["reason"] = f"Promise to pay by {r['promise_on']:%m/%d/%Y} not kept"
        else:
            r["reason"] = f"Next action due {r['next_action_on']:%m/%d/%Y}"
    return rows


# --------------------------------------------------------------------------- referrals


def referrals(*, open_only: bool = True):
    """Invoices referred to collections with their customer, balance now and latest follow-up."""
    latest = FollowUp.objects.filter(party=OuterRef("party")).order_by("-created_at", "-pk")
    qs = with_balance(
        Invoice.objects.filter(collections_referred_on__isnull=False).select_related("party")
    ).annotate(
        last_followup_at=Subquery(latest.values("created_at")[:1]),
        last_followup_note=Subquery(latest.values("note")[:1]),
        last_followup_kind=Subquery(latest.values("kind")[:1]),
    )
    if open_only:
        qs = qs.filter(status=Invoice.Status.OPEN)
    return qs.order_by("-collections_referred_on", "party__name", "number")


# --------------------------------------------------------------------------- dunning letters


def letters_of(run: DunningRun, part: int = 1) -> list[dict]:
    """One part (500 letters) of a run's letters, in invoice-number order, ready for the template."""
    notices = (
        DunningNotice.objects.filter(run=run)
        .select_related("invoice__party", "level", "fee_charge")
        .prefetch_related("invoice__lines")
        .order_by("invoice__number")
    )[(part - 1) * LETTERS_PER_PART : part * LETTERS_PER_PART]
    letters = []
    for n in notices:
        fee = n.fee_charge.amount if n.fee_charge_id else ZERO
        referred_on = n.invoice.collections_referred_on
        letters.append(
            {
                "notice": n,
                "invoice": n.invoice,
                "party": n.invoice.party,
                "level": n.level,
                "days_past_due": (n.sent_on - n.invoice.due_on).days,
                # a referral level below the collections threshold is a final letter, not a referral
                "unreferred": n.level.refer_to_collections
                and (referred_on is None or referred_on > n.sent_on),
                "fee": fee,
                "total_due": n.balance + fee,
                "barcode": barcode_svg(n.invoice.number),
            }
        )
    return letters


def letter_parts(run: DunningRun) -> int:
    return max(1, -(-run.letters // LETTERS_PER_PART))
