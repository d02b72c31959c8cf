"""Past-due receivables: aging as of any date, dunning runs and their letters, the follow-up log
and the day's worklist, write-offs by supervisor approval and the collections-referral list.

An invoice's charges are every core charge whose source is the invoice: its lines and any late
fee a dunning run assessed on it (the fee carries the invoice number, so the counter collects it
with the invoice). Balances are read set-based, in SQL, never by looping over payments."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.db.models import Max, OuterRef, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from revenue import services as core
from revenue.documents import barcode_svg
from revenue.exceptions import NotAllowed, RevenueError
from revenue.models import ApprovalRequest, Charge, Party

from .models import DunningLevel, DunningNotice, DunningRun, FollowUp, Invoice, ReceivablesPolicy

ZERO = Decimal("0.00")
DUNNING_CHUNK = 1000
LETTERS_PER_PART = 500


class NoPolicy(RevenueError):
    pass


def policy_on(on: datetime.date | None = None) -> ReceivablesPolicy:
    """The receivables policy in force on a date (the first one for a date before any policy)."""
    on = on or core.city_today()
    policy = (
        core.in_force(ReceivablesPolicy.objects.all(), on)
        or ReceivablesPolicy.objects.order_by("effective_from").first()
    )
    if policy is None:
        raise NoPolicy("No receivables policy is configured; a supervisor adds one under Configuration.")
    return policy


def levels_on(on: datetime.date) -> list[DunningLevel]:
    """The dunning levels in force on a date: the set with the latest effective date on or before it."""
    start = DunningLevel.objects.filter(effective_from__lte=on).aggregate(m=Max("effective_from"))["m"]
    if start is None:
        return []
    return list(
        DunningLevel.objects.filter(effective_from=start).select_related("fee_type").order_by("level")
    )


def _ct(model) -> int:
    return ContentType.objects.get_for_model(model).pk


def _rows(sql: str, params) -> list[dict]:
    with connection.cursor() as cur:
        cur.execute(sql, params)
        names = [c.name for c in cur.description]
        return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]


# --------------------------------------------------------------------------- balances

# An invoice's balance as it stood at the end of a day: its charges assessed by then, less
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
       py.name AS party_name, py.phone AS party_phone,
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
    """The bucket index: 0 when not yet past due (0 days or fewer); day 30 is in 1–30, day 31 in 31–60."""
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
    party_phone: str = ""

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
    oldest_days: int = 0


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
    then), by customer and in total, in the buckets of the policy in force on that date."""
    edges = sorted(int(e) for e in (policy_on(as_of).aging_edges or []))
    labels = bucket_labels(edges)
    sql = _BALANCES_AS_OF.format(party_filter="AND i.party_id = %(party)s" if party else "")
    rows = _rows(
        sql,
        {
            "invoice_ct": _ct(Invoice),
            "charge_ct": _ct(Charge),
            "as_of": as_of,
            "party": party.pk if party else None,
        },
    )
    customers: dict[int, AgedCustomer] = {}
    totals = [ZERO] * len(labels)
    for row in rows:
        days = (as_of - row["due_on"]).days
        inv = AgedInvoice(
            id=row["id"],
            number=row["number"],
            invoice_date=row["invoice_date"],
            due_on=row["due_on"],
            total=row["total"],
            balance=row["balance"],
            days_past_due=days,
            bucket=bucket_of(days, edges),
            party_id=row["party_id"],
            party_number=row["party_number"],
            party_name=row["party_name"],
            party_phone=row["party_phone"],
        )
        cust = customers.get(inv.party_id)
        if cust is None:
            cust = customers[inv.party_id] = AgedCustomer(
                inv.party_id, inv.party_number, inv.party_name, [ZERO] * len(labels)
            )
        cust.invoices.append(inv)
        cust.buckets[inv.bucket] += inv.balance
        cust.total += inv.balance
        cust.oldest_days = max(cust.oldest_days, days)
        totals[inv.bucket] += inv.balance
    return Aging(
        as_of=as_of,
        edges=edges,
        labels=labels,
        customers=list(customers.values()),
        totals=totals,
        total=sum(totals, ZERO),
    )


def invoice_balance(invoice: Invoice) -> Decimal:
    """What is owed on an invoice now (its lines and late fees)."""
    total = Charge.objects.filter(source_type_id=_ct(Invoice), source_id=invoice.pk).aggregate(
        t=Coalesce(Sum("amount"), ZERO)
        - Coalesce(Sum("amount_paid"), ZERO)
        - Coalesce(Sum("amount_adjusted"), ZERO)
    )["t"]
    return total or ZERO


def with_balance(invoices):
    """Annotate a queryset of invoices with `balance` (owed now) in the same query."""
    charges = (
        Charge.objects.filter(source_type_id=_ct(Invoice), source_id=OuterRef("pk"))
        .order_by()
        .values("source_id")
        .annotate(b=Sum("amount") - Sum("amount_paid") - Sum("amount_adjusted"))
        .values("b")
    )
    return invoices.annotate(balance=Coalesce(Subquery(charges), ZERO))


# --------------------------------------------------------------------------- dunning

# Open invoices with a balance now, at least `min_days` past due on the run's date.
_CANDIDATES = """
SELECT i.id
  FROM receivables_invoice i
  JOIN revenue_charge c ON c.source_type_id = %(invoice_ct)s AND c.source_id = i.id
 WHERE i.status = 'open' AND i.due_on <= %(latest_due)s
 GROUP BY i.id
HAVING SUM(c.amount - c.amount_paid - c.amount_adjusted) > 0
 ORDER BY i.id
"""

# For each invoice of the chunk: the highest level reached on the run's date, inserted unless the
# invoice already had that level or a higher one. ON CONFLICT keeps a concurrent run from sending
# a level twice (the unique invoice + level); only the rows inserted come back for their fees.
_NOTICES = """
WITH bal AS (
    SELECT i.id AS invoice_id, (%(on)s::date - i.due_on) AS days,
           SUM(c.amount - c.amount_paid - c.amount_adjusted) AS balance
      FROM receivables_invoice i
      JOIN revenue_charge c ON c.source_type_id = %(invoice_ct)s AND c.source_id = i.id
     WHERE i.id = ANY(%(ids)s) AND i.status = 'open'
     GROUP BY i.id
    HAVING SUM(c.amount - c.amount_paid - c.amount_adjusted) > 0
), target AS (
    SELECT DISTINCT ON (b.invoice_id) b.invoice_id, b.balance, l.id AS level_id, l.level
      FROM bal b
      JOIN receivables_dunninglevel l ON l.id = ANY(%(levels)s) AND l.days_past_due <= b.days
     ORDER BY b.invoice_id, l.level DESC
)
INSERT INTO receivables_dunningnotice (run_id, invoice_id, level_id, level_number, balance, sent_on)
SELECT %(run)s, t.invoice_id, t.level_id, t.level, t.balance, %(on)s
  FROM target t
 WHERE NOT EXISTS (SELECT 1 FROM receivables_dunningnotice n
                    WHERE n.invoice_id = t.invoice_id AND n.level_number >= t.level)
ON CONFLICT (invoice_id, level_number) DO NOTHING
RETURNING id, invoice_id, level_id, balance
"""


def dunning_run(*, on: datetime.date | None = None, acting_user, progress=None) -> DunningRun:
    """Send each open invoice with a balance the highest dunning level it has reached on `on` and
    not had yet, in chunks (progress saved on the run after each).

    - One notice per invoice and level, ever: the query skips an invoice that already had that
      level or a higher one, and the unique (invoice, level) constraint stops a concurrent run.
    - No catching up: an invoice 95 days past due that never had a notice gets the 90-day level
      only, not the 30- and 60-day letters as well (the last letter says everything the others did).
    - A level's fee (from the core fee schedule, at the rate in force on `on`) is assessed once,
      with the notice that is inserted, as a charge with the invoice as source and its number.
    - A referral level sets the invoice's collections_referred_on when the balance is at least the
      policy's collections threshold; below it the letter still goes, without a referral.
    """
    if not acting_user.has_perm("receivables.run_dunning"):
        raise NotAllowed("Only a Representative II or a Revenue Supervisor runs past-due notices.")
    on = on or core.city_today()
    policy = policy_on(on)
    levels = levels_on(on)
    if not levels:
        raise RevenueError(f"No dunning levels are configured for {on:%m/%d/%Y}.")
    by_id = {lv.pk: lv for lv in levels}
    latest_due = on - datetime.timedelta(days=min(lv.days_past_due for lv in levels))
    invoice_ct = _ct(Invoice)
    with connection.cursor() as cur:
        cur.execute(_CANDIDATES, {"invoice_ct": invoice_ct, "latest_due": latest_due})
        ids = [r[0] for r in cur.fetchall()]
    run = DunningRun.objects.create(run_on=on, candidates=len(ids), started_by=acting_user)
    try:
        for i in range(0, len(ids), DUNNING_CHUNK):
            chunk = ids[i : i + DUNNING_CHUNK]
            with transaction.atomic():
                _dunning_chunk(run, chunk, on, policy, by_id, invoice_ct, acting_user)
            if progress:
                progress(run.done, run.candidates, run.letters)
    except Exception as exc:
        DunningRun.objects.filter(pk=run.pk).update(finished_at=timezone.now())  # not "running" forever
        raise RevenueError(
            f"The dunning run stopped after {run.letters:,} letters ({exc}); run it again to finish."
        ) from exc
    run.finished_at = timezone.now()
    run.save(update_fields=["finished_at"])
    core.audit(
        actor=acting_user,
        action="dunning.run",
        obj=run,
        after={
            "on": on.isoformat(),
            "candidates": run.candidates,
            "letters": run.letters,
            "fees": str(run.fees),
        },
    )
    return run


def _dunning_chunk(run, chunk, on, policy, levels_by_id, invoice_ct, acting_user) -> None:
    rows = _rows(
        _NOTICES,
        {"on": on, "invoice_ct": invoice_ct, "ids": chunk, "levels": list(levels_by_id), "run": run.pk},
    )
    fees = ZERO
    fee_rows = [r for r in rows if levels_by_id[r["level_id"]].fee_type_id]
    if fee_rows:
        invoices = Invoice.objects.select_related("party").in_bulk([r["invoice_id"] for r in fee_rows])
        for r in sorted(fee_rows, key=lambda r: r["invoice_id"]):
            invoice = invoices[r["invoice_id"]]
            charge = core.charge_assess_fee(
                party=invoice.party,
                fee_type=levels_by_id[r["level_id"]].fee_type,
                acting_user=acting_user,
                on=on,
                source=invoice,
                source_number=invoice.number,
            )
            DunningNotice.objects.filter(pk=r["id"]).update(fee_charge=charge)
            fees += charge.amount
    refer = [
        r["invoice_id"]
        for r in rows
        if levels_by_id[r["level_id"]].refer_to_collections and r["balance"] >= policy.collections_threshold
    ]
    if refer:
        referred = list(
            Invoice.objects.filter(pk__in=refer, collections_referred_on__isnull=True).order_by("pk")
        )
        Invoice.objects.filter(pk__in=[inv.pk for inv in referred]).update(collections_referred_on=on)
        for inv in referred:
            core.audit(
                actor=acting_user,
                action="invoice.referred_to_collections",
                obj=inv,
                before={"collections_referred_on": None},
                after={"collections_referred_on": on.isoformat(), "run": run.pk},
            )
    run.done += len(chunk)
    run.letters += len(rows)
    run.fees += fees
    run.save(update_fields=["done", "letters", "fees"])


def letters_of(run: DunningRun, part: int = 1):
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
        letters.append(
            {
                "notice": n,
                "invoice": n.invoice,
                "party": n.invoice.party,
                "level": n.level,
                "days_past_due": (n.sent_on - n.invoice.due_on).days,
                # a referral level below the collections threshold is a final letter, not a referral
                "unreferred": n.level.refer_to_collections
                and (
                    n.invoice.collections_referred_on is None or n.invoice.collections_referred_on > n.sent_on
                ),
                "fee": fee,
                "total_due": n.balance + fee,
                "barcode": barcode_svg(n.invoice.number),
            }
        )
    return letters


def letter_parts(run: DunningRun) -> int:
    return max(1, -(-run.letters // LETTERS_PER_PART))


# --------------------------------------------------------------------------- follow-up


@transaction.atomic
def followup_log(
    *,
    party: Party,
    kind: str,
    note: str,
    acting_user,
    invoice: Invoice | None = None,
    promise_on: datetime.date | None = None,
    promise_amount=None,
    next_action_on: datetime.date | None = None,
) -> FollowUp:
    """Record a call, letter, visit or note on a customer's past-due account: what was said, any
    promise to pay (date and amount) and when to follow up next."""
    if not acting_user.has_perm("receivables.log_followup"):
        raise NotAllowed("Your role does not record follow-up.")
    if kind not in FollowUp.Kind.values:
        raise RevenueError("Choose what kind of contact this was.")
    if not note or not note.strip():
        raise RevenueError("Write what was said or done.")
    today = core.city_today()
    if promise_on is not None and promise_on < today:
        raise RevenueError("The promise-to-pay date cannot be in the past.")
    if next_action_on is not None and next_action_on < today:
        raise RevenueError("The next action date cannot be in the past.")
    if promise_amount not in (None, ""):
        promise_amount = core.money(promise_amount, field="Promised amount")
        if promise_on is None:
            raise RevenueError("Give the date the customer promised to pay by.")
    else:
        promise_amount = None
    if invoice is not None and invoice.party_id != party.pk:
        raise RevenueError(f"Invoice {invoice.number} is not {party.name}'s.")
    followup = FollowUp.objects.create(
        party=party,
        invoice=invoice,
        kind=kind,
        note=note.strip(),
        promise_on=promise_on,
        promise_amount=promise_amount,
        next_action_on=next_action_on,
        created_by=acting_user,
    )
    core.audit(
        actor=acting_user,
        action="followup.logged",
        obj=followup,
        after={
            "party": party.number,
            "invoice": invoice.number if invoice else None,
            "kind": kind,
            "promise_on": promise_on.isoformat() if promise_on else None,
            "promise_amount": str(promise_amount) if promise_amount else None,
            "next_action_on": next_action_on.isoformat() if next_action_on else None,
        },
    )
    return followup


_WORKLIST = """
WITH past_due AS (
    SELECT i.party_id, i.id, i.due_on, SUM(c.amount - c.amount_paid - c.amount_adjusted) AS balance
      FROM receivables_invoice i
      JOIN revenue_charge c ON c.source_type_id = %(invoice_ct)s AND c.source_id = i.id
     WHERE i.status = 'open' AND i.due_on < %(today)s
     GROUP BY i.id
    HAVING SUM(c.amount - c.amount_paid - c.amount_adjusted) > 0
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
    rows = _rows(_WORKLIST, {"invoice_ct": _ct(Invoice), "today": today})
    for r in rows:
        r["days_past_due"] = (today - r["oldest_due"]).days
        if r["followup_id"] is None:
            r["reason"] = "No follow-up yet"
        elif _promise_broken(r, today):
            r["reason"] = f"Promise to pay by {r['promise_on']:%m/%d/%Y} not kept"
        else:
            r["reason"] = f"Next action due {r['next_action_on']:%m/%d/%Y}"
    return rows


# --------------------------------------------------------------------------- write-offs


@transaction.atomic
def write_off_request(*, invoice: Invoice, reason: str, acting_user) -> ApprovalRequest:
    """Ask a supervisor to write off what is owed on an invoice. Nothing changes until a
    supervisor (never the requester) approves; there is no amount, so no role's own limit applies."""
    invoice = Invoice.objects.select_for_update(no_key=True).get(pk=invoice.pk)
    if invoice.status != Invoice.Status.OPEN:
        raise RevenueError(f"{invoice} is {invoice.get_status_display().lower()}; nothing to write off.")
    if invoice_balance(invoice) <= ZERO:
        raise RevenueError(f"Nothing is owed on {invoice}.")
    return core.approval_request(
        kind=ApprovalRequest.Kind.WRITE_OFF,
        target=invoice,
        reason=reason,
        acting_user=acting_user,
        amount=None,
    )


@core.approval_handler(ApprovalRequest.Kind.WRITE_OFF, Invoice)
def _approve_invoice_write_off(request: ApprovalRequest, acting_user) -> None:
    """On approval: every open charge of the invoice (lines and late fees) is written off
    (Dr bad debt, Cr receivable) and the invoice is marked written off."""
    invoice = Invoice.objects.select_for_update(no_key=True).get(pk=request.target_id)
    if invoice.status != Invoice.Status.OPEN:
        raise RevenueError(f"{invoice} is {invoice.get_status_display().lower()} now; nothing to write off.")
    ids = Charge.objects.filter(source_type_id=_ct(Invoice), source_id=invoice.pk).values_list(
        "pk", flat=True
    )
    written = ZERO
    for charge in core.lock_charges(ids).values():
        if charge.balance > ZERO:
            core.charge_adjust(
                charge=charge,
                amount=charge.balance,
                kind=ApprovalRequest.Kind.WRITE_OFF,
                acting_user=acting_user,
                reason=request.reason,
            )
            written += charge.balance
    if written == ZERO:
        raise RevenueError(f"Nothing is owed on {invoice} now.")
    today = core.city_today()
    before = {
        "status": invoice.status,
        "status_on": invoice.status_on.isoformat() if invoice.status_on else None,
    }
    Invoice.objects.filter(pk=invoice.pk).update(status=Invoice.Status.WRITTEN_OFF, status_on=today)
    core.audit(
        actor=acting_user,
        action="invoice.written_off",
        obj=invoice,
        before=before,
        after={"status": Invoice.Status.WRITTEN_OFF, "status_on": today.isoformat(), "amount": str(written)},
        reason=request.reason,
    )


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
