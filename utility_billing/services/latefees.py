"""The late fee run: each posted bill still unpaid after its grace period gets its late fee once
(a `LateFee` row per bill, unique), a percentage of its current charges unpaid plus a percentage
of the account's past-due balance of earlier bills. Set-based, in chunks, idempotent: run twice
or retried after a failure, it adds only what is missing."""

from __future__ import annotations

import datetime

from django.db import connection, transaction
from django.urls import reverse

from revenue import services as core
from revenue.models import ZERO, charge_balance_sql

from .. import collect_rules as rules
from ..collect_selectors import ctype, policy_on, sql_rows
from ..models import Bill, DelinquencyPolicy, LateFee, UtilityPolicy

CHUNK = 2000

# Posted bills due on or before the latest due date with no late fee yet and current charges still
# open: each with its unpaid current charges, the account's unpaid earlier bills, and whether the
# customer is income-qualified with no late fee waived in the waiver window.
_CANDIDATES = f"""
SELECT b.id AS bill_id, b.account_id, b.number,
       sum({charge_balance_sql("c")}) AS current_unpaid,
       COALESCE((SELECT sum({charge_balance_sql("e")})
                   FROM utility_billing_bill eb
                   JOIN revenue_charge e ON e.source_type_id = %(bill_ct)s AND e.source_id = eb.id
                  WHERE eb.account_id = b.account_id AND eb.status = 'posted' AND eb.id <> b.id
                    AND e.due_on < b.due_on), 0) AS past_due,
       a.income_qualified,
       (SELECT max(w.assessed_on) FROM utility_billing_latefee w
         WHERE w.account_id = b.account_id AND w.waived) AS last_waived
  FROM utility_billing_bill b
  JOIN utility_billing_serviceaccount a ON a.id = b.account_id
  JOIN revenue_charge c ON c.source_type_id = %(bill_ct)s AND c.source_id = b.id
 WHERE b.status = 'posted' AND b.due_on <= %(latest_due)s AND b.id > %(after)s
   AND NOT EXISTS (SELECT 1 FROM utility_billing_latefee f WHERE f.bill_id = b.id)
 GROUP BY b.id, a.id
HAVING sum({charge_balance_sql("c")}) > 0
 ORDER BY b.id
 LIMIT %(chunk)s
"""

# The chunk's late fees, one per bill (ON CONFLICT: a run at the same time adds nothing twice).
_INSERT = """
INSERT INTO utility_billing_latefee (bill_id, account_id, assessed_on, current_unpaid, past_due, amount, waived, job_id)
SELECT * FROM unnest(%(bills)s::bigint[], %(accounts)s::bigint[], %(dates)s::date[], %(current)s::numeric[],
                     %(past)s::numeric[], %(amounts)s::numeric[], %(waived)s::boolean[], %(jobs)s::bigint[])
ON CONFLICT (bill_id) DO NOTHING
RETURNING id
"""

# The charges of the late fees just inserted: the bill's number, so the counter collects the fee
# with the bill it is about.
_CHARGES = """
SELECT f.id AS source_id, b.number AS source_number, a.party_id,
       'Late fee on bill ' || b.number AS description, f.amount, f.assessed_on, f.assessed_on AS due_on
  FROM utility_billing_latefee f
  JOIN utility_billing_bill b ON b.id = f.bill_id
  JOIN utility_billing_serviceaccount a ON a.id = f.account_id
 WHERE f.id = ANY(%(ids)s) AND NOT f.waived AND f.amount > 0
 ORDER BY f.id
"""


def _fees_for(rows: list[dict], on: datetime.date, policy: DelinquencyPolicy) -> dict:
    """The chunk's late fees by the rule (arrays for the INSERT), waived where the rule says."""
    cols = {k: [] for k in ("bills", "accounts", "dates", "current", "past", "amounts", "waived")}
    waived_now = set()  # one waiver per account, even with two of its bills late in the chunk
    for r in rows:
        amount = rules.late_fee(
            r["current_unpaid"],
            r["past_due"],
            policy.late_fee_current_percent,
            policy.late_fee_past_due_percent,
        )
        waived = (
            bool(r["income_qualified"])
            and r["account_id"] not in waived_now
            and rules.interest_waiver_due(r["last_waived"], on, policy.interest_waiver_months)
        )
        if amount <= ZERO:
            continue
        if waived:
            waived_now.add(r["account_id"])
        for key, value in zip(
            cols,
            (r["bill_id"], r["account_id"], on, r["current_unpaid"], r["past_due"], amount, waived),
            strict=True,
        ):
            cols[key].append(value)
    return cols


def late_fee_chunk(
    *, on: datetime.date, after: int, acting_user, job_id: int | None = None
) -> tuple[int, int, int]:
    """One chunk in one transaction: returns (last bill id looked at, fees inserted, candidates)."""
    policy = policy_on(on)
    utility = core.policy_on(UtilityPolicy, on)
    with transaction.atomic():
        rows = sql_rows(
            _CANDIDATES,
            {
                "bill_ct": ctype(Bill),
                "latest_due": rules.late_fee_latest_due(on, policy.grace_days),
                "after": after,
                "chunk": CHUNK,
            },
        )
        if not rows:
            return after, 0, 0
        cols = _fees_for(rows, on, policy)
        with connection.cursor() as cur:
            cur.execute(_INSERT, {**cols, "jobs": [job_id] * len(cols["bills"])})
            ids = [r[0] for r in cur.fetchall()]
        core.charges_assess_set(
            rows_sql=_CHARGES,
            params={"ids": ids},
            party=None,
            receivable_account=utility.receivable_account,
            revenue_account=policy.late_fee_revenue_account,
            source_model=LateFee,
            memo=f"Utility late fees {on:%m/%d/%Y}",
            noun="late fees",
            entry_date=on,
            acting_user=acting_user,
        )
        if ids:
            core.audit(
                actor=acting_user,
                action="utility.late_fees",
                obj=LateFee.objects.get(pk=ids[0]),
                after={"on": on.isoformat(), "fees": len(ids), "bills": [r["number"] for r in rows][:50]},
            )
    return rows[-1]["bill_id"], len(ids), len(rows)


def late_fee_run(*, on: datetime.date | None = None, acting_user, progress=None, job_id=None) -> int:
    """Every bill past its grace period on `on` gets its late fee once; returns the fees added."""
    if not acting_user.has_perm("utility_billing.run_late_fees"):
        raise core.NotAllowed("Only a Revenue Supervisor runs the late fees.")
    on = on or core.city_today()
    policy_on(on)  # refuses with the sentence when none is in force
    after, added, seen = 0, 0, 0
    while True:
        after, fees, candidates = late_fee_chunk(on=on, after=after, acting_user=acting_user, job_id=job_id)
        if not candidates:
            break
        added, seen = added + fees, seen + candidates
        if progress:
            progress(seen, seen, f"{added:,} late fees so far")
    return added


@core.job_handler("utility_billing.late_fee_run", permission="utility_billing.run_late_fees")
def late_fee_run_job(job, progress) -> str:
    """The late fee run from its page. A retry carries on: bills with their fee are left out."""
    on = datetime.date.fromisoformat(job.params["on"])
    added = late_fee_run(on=on, acting_user=job.created_by, progress=progress, job_id=job.pk)
    progress(1, 1, f"Late fees as of {on:%m/%d/%Y}: {core.plural(added, 'late fee')} added.")
    return reverse("utility_billing:late_fees")
