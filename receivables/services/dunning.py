"""Dunning runs: each open invoice with a balance gets the highest past-due level it has reached
and not had yet, with the level's late fee and, at a referral level, a referral to collections."""

from __future__ import annotations

import datetime

from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone

from revenue import services as core
from revenue.exceptions import NotAllowed, RevenueError
from revenue.models import charge_balance_sql

from ..models import ZERO, DunningLevel, DunningNotice, DunningRun, Invoice, ReceivablesPolicy
from ..selectors import levels_on, policy_on
from ..selectors.invoices import content_type_id, sql_rows
from .referrals import invoices_refer

DUNNING_CHUNK = 1000

# Open invoices with a balance now, at least `min_days` past due on the run's date.
_CANDIDATES = f"""
SELECT i.id
  FROM receivables_invoice i
  JOIN revenue_charge c ON c.source_type_id = %(invoice_ct)s AND c.source_id = i.id
 WHERE i.status = 'open' AND i.due_on <= %(latest_due)s
 GROUP BY i.id
HAVING SUM({charge_balance_sql("c")}) > 0
 ORDER BY i.id
"""

# For each invoice of the chunk: the highest level reached on the run's date, inserted unless the
# invoice already had that level or a higher one. ON CONFLICT keeps a concurrent run from sending
# a level twice (the unique invoice + level); only the rows inserted come back for their fees.
_NOTICES = f"""
WITH bal AS (
    SELECT i.id AS invoice_id, (%(on)s::date - i.due_on) AS days, SUM({charge_balance_sql("c")}) AS balance
      FROM receivables_invoice i
      JOIN revenue_charge c ON c.source_type_id = %(invoice_ct)s AND c.source_id = i.id
     WHERE i.id = ANY(%(ids)s) AND i.status = 'open'
     GROUP BY i.id
    HAVING SUM({charge_balance_sql("c")}) > 0
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
    - With no receivables policy in force on `on` it refuses (NoPolicyInForce) and sends nothing.
    """
    if not acting_user.has_perm("receivables.run_dunning"):
        raise NotAllowed("Only a Representative II or a Revenue Supervisor runs past-due notices.")
    on = on or core.city_today()
    policy = policy_on(on)
    levels = levels_on(on)
    if not levels:
        raise RevenueError(f"No dunning levels are configured for {on:%m/%d/%Y}.")
    ids = _candidates(on, levels)
    run = DunningRun.objects.create(run_on=on, candidates=len(ids), started_by=acting_user)
    by_id = {lv.pk: lv for lv in levels}
    try:
        for i in range(0, len(ids), DUNNING_CHUNK):
            with transaction.atomic():
                _dunning_chunk(run, ids[i : i + DUNNING_CHUNK], on, policy, by_id, acting_user)
            if progress:
                progress(run.done, run.candidates, run.letters)
    except Exception as exc:
        DunningRun.objects.filter(pk=run.pk).update(finished_at=timezone.now())  # not "running" forever
        raise RevenueError(
            f"The dunning run stopped after {run.letters:,} letters ({exc}); run it again to finish."
        ) from exc
    with transaction.atomic():
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


def _candidates(on: datetime.date, levels: list[DunningLevel]) -> list[int]:
    """Open invoices with a balance now that are past due at least the first level's days on `on`."""
    latest_due = on - datetime.timedelta(days=min(lv.days_past_due for lv in levels))
    with connection.cursor() as cur:
        cur.execute(_CANDIDATES, {"invoice_ct": content_type_id(Invoice), "latest_due": latest_due})
        return [r[0] for r in cur.fetchall()]


def _dunning_chunk(
    run: DunningRun,
    chunk: list[int],
    on: datetime.date,
    policy: ReceivablesPolicy,
    levels_by_id: dict[int, DunningLevel],
    acting_user,
) -> None:
    """One chunk in one transaction: the notices inserted, their fees, the referrals, the progress."""
    params = {"on": on, "invoice_ct": content_type_id(Invoice), "ids": chunk, "levels": list(levels_by_id)}
    rows = sql_rows(_NOTICES, {**params, "run": run.pk})
    fees = _notice_fees(
        [r for r in rows if levels_by_id[r["level_id"]].fee_type_id], on, levels_by_id, acting_user
    )
    refer = [
        r["invoice_id"]
        for r in rows
        if levels_by_id[r["level_id"]].refer_to_collections and r["balance"] >= policy.collections_threshold
    ]
    if refer:
        invoices_refer(invoice_ids=refer, on=on, run=run, acting_user=acting_user)
    run.done += len(chunk)
    run.letters += len(rows)
    run.fees += fees
    run.save(update_fields=["done", "letters", "fees"])


def _notice_fees(fee_rows: list[dict], on: datetime.date, levels_by_id: dict, acting_user):
    """Assess each new notice's late fee on its invoice (the invoice's number, so the counter
    collects it with the invoice) and link it to the notice; the total assessed."""
    fees = ZERO
    invoices = Invoice.objects.select_related("party").in_bulk([r["invoice_id"] for r in fee_rows])
    charged = {}  # fee type id: whether its rate on the day is more than 0.00 (0.00: not charged)
    for r in sorted(fee_rows, key=lambda r: r["invoice_id"]):
        invoice = invoices[r["invoice_id"]]
        fee_type = levels_by_id[r["level_id"]].fee_type
        if fee_type.pk not in charged:
            charged[fee_type.pk] = core.fee_compute(fee_type=fee_type, on=on, allow_zero=True)[0] > 0
        if not charged[fee_type.pk]:
            continue
        charge = core.charge_assess_fee(
            party=invoice.party,
            fee_type=fee_type,
            acting_user=acting_user,
            on=on,
            source=invoice,
            source_number=invoice.number,
        )
        DunningNotice.objects.filter(pk=r["id"]).update(fee_charge=charge)
        fees += charge.amount
    return fees


@core.job_handler("receivables.dunning_run", permission="receivables.run_dunning")
def dunning_run_job(job, progress) -> str:
    """The past-due run from its page, run by the job worker. Run again (a retry), it sends only
    the notices not sent yet (one per invoice and level, ever)."""
    on = datetime.date.fromisoformat(job.params["on"])
    run = dunning_run(
        on=on,
        acting_user=job.created_by,
        progress=lambda done, total, letters: progress(done, total, f"{letters:,} letters so far"),
    )
    progress(
        run.candidates,
        run.candidates,
        f"Past-due run as of {run.run_on:%m/%d/%Y}: {run.letters} letter{'s' if run.letters != 1 else ''} "
        f"for {run.candidates} past-due invoices (the others had their letter already); "
        f"late fees ${run.fees:,.2f}.",
    )
    return reverse("receivables:dunning")
