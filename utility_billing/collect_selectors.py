"""Collection's reads: an account's charges (oldest first), what it owes and since when, the
delinquent accounts, the shut-off list under the rules, the yearly count of disconnections."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.models import Q

from revenue import services as core
from revenue.models import ZERO, Charge, charge_balance_sql

from . import collect_rules as rules
from .models import (
    Bill,
    BillLine,
    DelinquencyNotice,
    DelinquencyPolicy,
    Deposit,
    LateFee,
    PaymentPlan,
    ServiceAccount,
    ServiceOrder,
)


def policy_on(on: datetime.date | None = None) -> DelinquencyPolicy:
    return core.policy_on(DelinquencyPolicy, on)


def ctype(model) -> int:
    return ContentType.objects.get_for_model(model).pk


def sql_rows(sql: str, params) -> list[dict]:
    with connection.cursor() as cur:
        cur.execute(sql, params)
        names = [c.name for c in cur.description]
        return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]


# --------------------------------------------------------------------------- one account's charges


def account_charges(account: ServiceAccount):
    """Every charge of the account: its bills' (a bill is their source, or a bill line points at
    them), its late fees, its service orders' fees, its deposits and any charge whose source is
    the account."""
    bills = Bill.objects.filter(account=account).values("pk")
    orders = ServiceOrder.objects.filter(account=account).values("pk")
    return Charge.objects.filter(
        Q(source_type_id=ctype(Bill), source_id__in=bills)
        | Q(pk__in=BillLine.objects.filter(bill__account=account, charge__isnull=False).values("charge"))
        | Q(source_type_id=ctype(LateFee), source_id__in=LateFee.objects.filter(account=account).values("pk"))
        | Q(source_type_id=ctype(ServiceOrder), source_id__in=orders)
        | Q(
            pk__in=ServiceOrder.fee_charges.through.objects.filter(serviceorder__account=account).values(
                "charge"
            )
        )
        | Q(source_type_id=ctype(Deposit), source_id__in=Deposit.objects.filter(account=account).values("pk"))
        | Q(source_type_id=ctype(ServiceAccount), source_id=account.pk)
    )


def open_charges_oldest_first(account: ServiceAccount) -> list[Charge]:
    """The account's open charges, oldest due first (then in the order assessed)."""
    return list(account_charges(account).open().order_by("due_on", "pk"))


def numbers_oldest_first(charges: list[Charge]) -> list[str]:
    """The charges' document numbers, each once, in the order of its oldest open charge."""
    return list(dict.fromkeys(c.source_number for c in charges if c.source_number))


@dataclass(frozen=True)
class Standing:
    """What an account owes on a day and since when."""

    balance: Decimal  # every open charge
    past_due: Decimal  # bills' charges due before the day, and open late fees
    oldest_due: datetime.date | None  # the due date of the oldest unpaid bill

    def days_delinquent(self, on: datetime.date) -> int:
        return (on - self.oldest_due).days if self.oldest_due else 0


def standing(account: ServiceAccount, on: datetime.date | None = None) -> Standing:
    on = on or core.city_today()
    charges = list(account_charges(account).open())
    bill_ct, fee_ct = ctype(Bill), ctype(LateFee)
    bill_ids = set(
        BillLine.objects.filter(bill__account=account, charge__isnull=False).values_list("charge", flat=True)
    )
    late = [
        c
        for c in charges
        if (c.source_type_id == bill_ct or c.pk in bill_ids) and c.due_on < on and c.balance
    ]
    fees = [c for c in charges if c.source_type_id == fee_ct]
    return Standing(
        balance=sum((c.balance for c in charges), ZERO),
        past_due=sum((c.balance for c in late + fees), ZERO),
        oldest_due=min((c.due_on for c in late), default=None),
    )


# --------------------------------------------------------------------------- the delinquent accounts

# Each account's bills' open charges due before the day: the past-due balance and the oldest due
# date. Bill charges are those whose source is a posted bill of the account.
_DELINQUENT = f"""
WITH due AS (
    SELECT b.account_id, min(c.due_on) AS oldest_due, sum({charge_balance_sql("c")}) AS past_due,
           (array_agg(b.id ORDER BY b.due_on, b.id))[1] AS oldest_bill_id
      FROM utility_billing_bill b
      JOIN revenue_charge c ON c.source_type_id = %(bill_ct)s AND c.source_id = b.id
     WHERE b.status = 'posted' AND c.due_on < %(on)s AND {charge_balance_sql("c")} > 0
     GROUP BY b.account_id
), fees AS (
    SELECT f.account_id, sum({charge_balance_sql("c")}) AS open_fees
      FROM utility_billing_latefee f
      JOIN revenue_charge c ON c.source_type_id = %(fee_ct)s AND c.source_id = f.id
     WHERE {charge_balance_sql("c")} > 0
     GROUP BY f.account_id
), notice AS (
    SELECT DISTINCT ON (n.account_id) n.account_id, n.sent_on, n.shutoff_on, n.bill_id
      FROM utility_billing_delinquencynotice n
     WHERE n.kind = 'letter'
     ORDER BY n.account_id, n.sent_on DESC, n.id DESC
)
SELECT a.id AS account_id, a.number, a.income_qualified, a.medical_certificate_until,
       p.address_line1 AS address, pa.name AS customer,
       d.oldest_due, d.oldest_bill_id, d.past_due + COALESCE(f.open_fees, 0) AS past_due,
       %(on)s::date - d.oldest_due AS days,
       n.sent_on AS notice_on, n.shutoff_on, (n.bill_id = d.oldest_bill_id) AS notice_current,
       pl.status AS plan_status,
       EXISTS (SELECT 1 FROM utility_billing_serviceorder o
                WHERE o.account_id = a.id AND o.kind = 'disconnect'
                  AND o.status IN ('requested', 'scheduled', 'assigned')) AS disconnect_open
  FROM due d
  JOIN utility_billing_serviceaccount a ON a.id = d.account_id
  JOIN utility_billing_premise p ON p.id = a.premise_id
  JOIN revenue_party pa ON pa.id = a.party_id
  LEFT JOIN fees f ON f.account_id = a.id
  LEFT JOIN notice n ON n.account_id = a.id
  LEFT JOIN utility_billing_paymentplan pl ON pl.account_id = a.id AND pl.status IN ('requested', 'active')
 WHERE d.oldest_due <= %(latest_due)s
 ORDER BY d.oldest_due, a.number
 LIMIT %(limit)s
"""


@dataclass
class Delinquent:
    row: dict
    eligible: bool
    why_not: str
    earliest: datetime.date | None

    def __getattr__(self, name):
        try:
            return self.row[name]
        except KeyError as exc:
            raise AttributeError(name) from exc


def delinquent(*, on: datetime.date | None = None, min_days: int = 1, limit: int = 2000) -> list[dict]:
    """Accounts whose oldest unpaid bill is at least `min_days` past due on `on`, oldest first."""
    on = on or core.city_today()
    return sql_rows(
        _DELINQUENT,
        {
            "on": on,
            "latest_due": on - datetime.timedelta(days=min_days),
            "bill_ct": ctype(Bill),
            "fee_ct": ctype(LateFee),
            "limit": limit,
        },
    )


def shutoff_check(
    row: dict, on: datetime.date, policy: DelinquencyPolicy
) -> tuple[bool, str, datetime.date | None]:
    """Whether the account may be shut off on `on` under the rules, and if not why not."""
    notice_on = row["notice_on"] if row["notice_current"] else None
    earliest = rules.shutoff_earliest(
        oldest_due=row["oldest_due"],
        shutoff_days=policy.shutoff_days,
        notice_on=notice_on,
        notice_business_days=policy.notice_business_days,
    )
    medical = row["medical_certificate_until"] is not None and row["medical_certificate_until"] >= on
    if row["plan_status"] == PaymentPlan.Status.ACTIVE:
        return False, "On a payment plan", earliest
    if medical and row["plan_status"] == PaymentPlan.Status.REQUESTED:
        return False, "Medical certification on file and a payment plan asked for", earliest
    if row["past_due"] < policy.shutoff_minimum or row["past_due"] <= ZERO:
        return False, f"Past due below {policy.shutoff_minimum:,.2f}", earliest
    if row["days"] < policy.shutoff_days:
        return False, f"{row['days']} days delinquent; {policy.shutoff_days} needed", earliest
    if notice_on is None:
        return False, "No notice sent for this bill", earliest
    if earliest > on:
        return False, f"Notice sent {notice_on:%m/%d/%Y}: not before {earliest:%m/%d/%Y}", earliest
    return True, "", earliest


def shutoff_list(*, on: datetime.date | None = None, everyone: bool = False) -> list[Delinquent]:
    """The accounts that may be shut off on `on` (with `everyone`, the delinquent ones that may
    not, each with the reason)."""
    on = on or core.city_today()
    policy = policy_on(on)
    out = []
    for row in delinquent(on=on, min_days=1 if everyone else policy.shutoff_days):
        ok, why, earliest = shutoff_check(row, on, policy)
        if ok or everyone:
            out.append(Delinquent(row, ok, why, earliest))
    return out


def disconnections_by_year() -> list[dict]:
    """Completed disconnections for non-payment per calendar year (city time), for the state report."""
    from django.conf import settings

    return sql_rows(
        """
        SELECT extract(year FROM completed_at AT TIME ZONE %(tz)s)::int AS year,
               count(*) AS disconnections,
               count(DISTINCT account_id) AS accounts,
               count(*) FILTER (WHERE a.income_qualified) AS income_qualified
          FROM utility_billing_serviceorder o
          LEFT JOIN utility_billing_serviceaccount a ON a.id = o.account_id
         WHERE o.kind = 'disconnect' AND o.status = 'completed' AND o.completed_at IS NOT NULL
         GROUP BY 1 ORDER BY 1 DESC
        """,
        {"tz": settings.TIME_ZONE},
    )


def notices_on(sent_on: datetime.date, kind: str = DelinquencyNotice.Kind.LETTER):
    return (
        DelinquencyNotice.objects.filter(sent_on=sent_on, kind=kind)
        .select_related("account__party", "account__premise", "account__landlord", "bill")
        .order_by("account__number")
    )
