"""The supervisor's batch runs over citations and plans, each one set-based statement per step:
the late penalty, delinquent notices, the DMV hold file and defaulted payment plans. Who is
taken is decided by parking.rules (a cut-off date) and handed to the SQL as a parameter; each
run writes its audit row in its own transaction."""

from __future__ import annotations

import datetime

from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.urls import reverse

from revenue import csvsafe
from revenue import services as core
from revenue.exceptions import NotAllowed
from revenue.models import charge_balance_sql

from .. import rules, selectors
from ..models import Citation, HoldExport, NoticeRun, PaymentPlan

# the citations a penalty run takes: each marked with the penalties it has now had, and one row
# per penalty newly owed (a citation first seen past two tiers' days owes both)
_PENALTIES_MARK = """
CREATE TEMP TABLE parking_penalty_run ON COMMIT DROP AS
{owed}, marked AS (
    UPDATE parking_citation c SET penalty_tiers = r.reached, penalty_on = COALESCE(c.penalty_on, %(on)s)
      FROM reached r
     WHERE c.id = r.id AND c.penalty_tiers = r.before AND c.status = 'open'
    RETURNING c.id, c.number, c.violation_id, c.issued_on, r.before, r.reached
)
SELECT m.id, m.number, m.issued_on, s.number AS step, s.after_days, s.amount AS penalty
  FROM marked m
  JOIN steps s ON s.violation_id = m.violation_id AND s.starts <= m.issued_on
              AND (s.ends IS NULL OR m.issued_on < s.ends) AND s.number > m.before AND s.number <= m.reached
"""

_PENALTY_CHARGES = """
SELECT r.id AS source_id, r.number AS source_number,
       'Late penalty (unpaid after ' || to_char(d.due_on, 'MM/DD/YYYY') || ')' AS description,
       r.penalty AS amount, %(on)s::date AS assessed_on, %(on)s::date AS due_on
  FROM parking_penalty_run r
  JOIN unnest(%(issued)s::date[], %(days)s::int[], %(due)s::date[]) AS d(issued_on, after_days, due_on)
    ON d.issued_on = r.issued_on AND d.after_days = r.after_days
 ORDER BY r.number, r.step
"""


def _supervisor(acting_user, what: str) -> None:
    if not acting_user.has_perm("parking.run_parking_notices"):
        raise NotAllowed(f"Only a supervisor {what}.")


def penalty_run(*, on: datetime.date | None = None, acting_user) -> int:
    """Add the late penalties every citation owes on `on` and has not had (the first, then each
    tier of its fine whose day has passed; no contest pending, something still owed), set-based:
    one UPDATE marks them, one journal entry for the total, one INSERT for the charges. Running it
    again adds nothing. Returns the number of penalties added."""
    _supervisor(acting_user, "runs late penalties")
    on = on or core.city_today()
    policy = selectors.policy_on(on)
    marks = {
        "on": on,
        "ct": ContentType.objects.get_for_model(Citation).pk,
        **selectors.penalty_step_params(on, policy),
    }
    owed = selectors.PENALTY_STEPS_OWED.format(balance=charge_balance_sql("ch"))
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute("DROP TABLE IF EXISTS parking_penalty_run")
        cur.execute(_PENALTIES_MARK.format(owed=owed), marks)
        cur.execute("DELETE FROM parking_penalty_run WHERE penalty IS NULL OR penalty <= 0")
        cur.execute("SELECT DISTINCT issued_on, after_days FROM parking_penalty_run ORDER BY 1, 2")
        pairs = cur.fetchall()
        entry, count, total = core.charges_assess_set(
            rows_sql=_PENALTY_CHARGES,
            params={
                "on": on,
                "issued": [d for d, _n in pairs],
                "days": [n for _d, n in pairs],
                "due": [rules.unpaid_after(d, n) for d, n in pairs],
            },
            party=policy.citation_party,
            receivable_account=policy.citation_receivable_account,
            revenue_account=policy.penalty_revenue_account,
            source_model=Citation,
            memo=f"Parking late penalties run {on:%m/%d/%Y}",
            noun="late penalties",
            acting_user=acting_user,
            entry_date=on,
        )
        if count:
            core.audit(
                actor=acting_user,
                action="citations.penalty_run",
                obj=entry,
                after={"on": on, "count": count, "total": total},
            )
    return count


def notice_run(*, on: datetime.date | None = None, acting_user) -> NoticeRun:
    """Mark every citation due a delinquent notice (unpaid, issued on or before the notice
    cut-off, no contest pending, no notice yet) in one UPDATE, under a run whose letters print
    as one PDF."""
    _supervisor(acting_user, "runs delinquent notices")
    on = on or core.city_today()
    if on > core.city_today():
        raise rules.RuleError("The notice date is in the future.")
    policy = selectors.policy_on(on)
    with transaction.atomic():
        run = NoticeRun.objects.create(run_on=on, created_by=acting_user)
        with connection.cursor() as cur:
            cur.execute(
                """
                UPDATE parking_citation c SET notice_on = %(on)s, notice_run_id = %(run)s
                 WHERE c.status = 'open' AND c.notice_on IS NULL AND c.issued_on <= %(cutoff)s
                   AND NOT EXISTS (SELECT 1 FROM parking_contest k
                                    WHERE k.citation_id = c.id AND k.decision = 'pending')
                """,
                {"on": on, "run": run.pk, "cutoff": rules.notice_cutoff(on, policy)},
            )
            run.count = cur.rowcount
        run.save(update_fields=["count"])
        core.audit(
            actor=acting_user, action="citations.notice_run", obj=run, after={"on": on, "count": run.count}
        )
    return run


_HOLDS_PLACE = """
UPDATE parking_citation c SET hold_on = %(on)s
 WHERE c.hold_on IS NULL AND c.notice_on IS NOT NULL AND c.notice_on <= %(cutoff)s
   AND (c.status = 'open'
        OR (c.status = 'in_plan' AND EXISTS (SELECT 1 FROM parking_paymentplan p
                                              WHERE p.id = c.plan_id AND p.status = 'defaulted')))
   AND NOT EXISTS (SELECT 1 FROM parking_contest k WHERE k.citation_id = c.id AND k.decision = 'pending')
RETURNING c.number, c.plate, c.state, {owed}
"""

_HOLDS_RELEASE = """
UPDATE parking_citation c SET hold_released_on = %(on)s
 WHERE c.hold_on IS NOT NULL AND c.hold_released_on IS NULL AND c.hold_on < %(on)s
   AND (c.status IN ('paid', 'dismissed')
        OR (c.status = 'in_plan' AND EXISTS (SELECT 1 FROM parking_paymentplan p
                                              WHERE p.id = c.plan_id AND p.status <> 'defaulted')))
RETURNING c.number, c.plate, c.state, {owed}
"""


def _hold_line(action: str, row) -> str:
    number, plate, state, owed = row
    return csvsafe.row([action, number, plate, state, f"{owed:.2f}"])


def hold_export(*, on: datetime.date | None = None, acting_user) -> HoldExport:
    """The file for DMV: holds to place (unpaid, noticed on or before the hold cut-off, no contest
    pending, not on a live plan) and holds to release (paid, dismissed, or on a plan in good
    standing). Each citation is placed once and released once."""
    _supervisor(acting_user, "sends DMV hold files")
    on = on or core.city_today()
    if on > core.city_today():
        raise rules.RuleError("The file date is in the future.")
    policy = selectors.policy_on(on)
    ct = ContentType.objects.get_for_model(Citation)
    owed = f"""(SELECT COALESCE(sum({charge_balance_sql("ch")}), 0) FROM revenue_charge ch
                 WHERE ch.source_type_id = %(ct)s AND ch.source_id = c.id)"""
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute(
            _HOLDS_PLACE.format(owed=owed), {"on": on, "cutoff": rules.hold_cutoff(on, policy), "ct": ct.pk}
        )
        placed = sorted(cur.fetchall())
        cur.execute(_HOLDS_RELEASE.format(owed=owed), {"on": on, "ct": ct.pk})
        released = sorted(cur.fetchall())
        lines = ["action,citation,plate,state,amount_due"]
        lines += [_hold_line("PLACE", r) for r in placed] + [_hold_line("RELEASE", r) for r in released]
        export = HoldExport.objects.create(
            run_on=on,
            placed=len(placed),
            released=len(released),
            content="\n".join(lines) + "\n",
            created_by=acting_user,
        )
        core.audit(
            actor=acting_user,
            action="citations.dmv_holds",
            obj=export,
            after={"on": on, "placed": len(placed), "released": len(released)},
        )
    return export


def plans_default(*, on: datetime.date | None = None, acting_user) -> list[str]:
    """Every active plan with an installment unpaid and due on or before the default cut-off
    defaults, in one UPDATE: what is left is due at once, and its citations can go on DMV hold."""
    _supervisor(acting_user, "defaults payment plans")
    on = on or core.city_today()
    policy = selectors.policy_on(on)
    ct = ContentType.objects.get_for_model(PaymentPlan)
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute(
            f"""
            UPDATE parking_paymentplan p SET status = 'defaulted', status_on = %(on)s
             WHERE p.status = 'active'
               AND EXISTS (SELECT 1 FROM revenue_charge ch
                            WHERE ch.source_type_id = %(ct)s AND ch.source_id = p.id
                              AND {charge_balance_sql("ch")} > 0 AND ch.due_on <= %(cutoff)s)
            RETURNING p.id, p.number
            """,
            {"on": on, "ct": ct.pk, "cutoff": rules.plan_default_cutoff(on, policy)},
        )
        rows = cur.fetchall()
        for pk, number in rows:
            core.audit(
                actor=acting_user,
                action="parking.plan_defaulted",
                obj=PaymentPlan(pk=pk, number=number),
                after={"on": on},
                reason=f"An installment unpaid more than {policy.plan_grace_days} days past due.",
            )
    return sorted(n for _pk, n in rows)


@core.job_handler("parking.nightly", permission="parking.run_parking_notices")
def nightly_job(job, progress) -> str:
    """The nightly runs, as the queue's periodic task starts them: late penalties on citations
    past due, then payment plans in default. Each is set-based and adds nothing when run again."""
    penalties = penalty_run(acting_user=job.created_by)
    progress(1, 2, f"{penalties:,} late penalties added")
    defaulted = plans_default(acting_user=job.created_by)
    progress(2, 2, f"{penalties:,} late penalties added; {len(defaulted)} payment plans defaulted")
    return reverse("parking:notices")
