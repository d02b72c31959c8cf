"""Posting bills to the ledger (one journal entry per chunk: a charge per service of each bill,
Dr the utility receivable, Cr each service's revenue account), taking a run back before its
bills are released (the entries reversed through the core), releasing and e-mailing the bills."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.core.validators import validate_email
from django.db import connection, transaction
from django.db.models import Model
from django.utils import timezone

from revenue import services as core
from revenue.exceptions import NotAllowed, RevenueError
from revenue.models import Account, JournalEntry

from ..models import Bill, BillRun, UtilityPolicy

APPROVE_PERM = "utility_billing.approve_billrun"

# Each bill's net amount per service (a true-up credit line nets against the same service's
# charges); a positive net is a charge to the customer, numbered with the bill's number.
_SERVICE_NETS = """
    SELECT b.id AS source_id, b.number AS source_number,
           s.name || ' ' || to_char(b.period_start, 'MM/DD/YYYY') || '–' || to_char(b.period_end, 'MM/DD/YYYY')
               AS description,
           sum(l.amount) AS amount, b.bill_date AS assessed_on, b.due_on, a.party_id,
           s.revenue_account_id, s.sort_order
      FROM utility_billing_bill b
      JOIN utility_billing_serviceaccount a ON a.id = b.account_id
      JOIN utility_billing_billline l ON l.bill_id = b.id
      JOIN utility_billing_service s ON s.id = l.service_id
     WHERE b.id = ANY(%(ids)s)
     GROUP BY b.id, s.id, a.party_id
"""
_CHARGES = f"SELECT * FROM ({_SERVICE_NETS}) n WHERE n.amount > 0 ORDER BY n.source_id, n.sort_order"
_CREDITS = f"""SELECT n.party_id, n.revenue_account_id, -n.amount FROM ({_SERVICE_NETS}) n
                WHERE n.amount < 0 ORDER BY n.source_id, n.sort_order"""

# each bill line points at the charge of its service on its bill (same bill, same description)
_LINK_LINES = """
    UPDATE utility_billing_billline l SET charge_id = c.id
      FROM utility_billing_bill b, utility_billing_service s, revenue_charge c
     WHERE b.id = l.bill_id AND s.id = l.service_id AND b.id = ANY(%(ids)s)
       AND c.journal_entry_id = %(entry)s AND c.source_id = b.id
       AND c.description = s.name || ' ' || to_char(b.period_start, 'MM/DD/YYYY') || '–' || to_char(b.period_end, 'MM/DD/YYYY')
"""


def _credit_lines(ids: list[int], memo: str) -> list[core.Line]:
    """A service whose lines net below zero (an estimate trued up) is a credit to the customer:
    Dr the service's revenue, Cr the customer's credit on account."""
    with connection.cursor() as cur:
        cur.execute(_CREDITS, {"ids": ids})
        rows = cur.fetchall()
    if not rows:
        return []
    from revenue.models import Party

    accounts = Account.objects.in_bulk({r[1] for r in rows})
    parties = Party.objects.in_bulk({r[0] for r in rows})
    credit_account = core.account_for_role(Account.Role.CUSTOMER_CREDIT)
    lines = []
    for party_id, account_id, amount in rows:
        lines.append(
            core.Line(account=accounts[account_id], debit=amount, party=parties[party_id], memo=memo)
        )
        lines.append(core.Line(account=credit_account, credit=amount, party=parties[party_id], memo=memo))
    return lines


def post_bills(*, bill_ids: list[int], memo: str, source: Model, acting_user) -> JournalEntry | None:
    """Post draft bills in ONE journal entry (in the caller's transaction): charges by set-based
    SQL, credits to the customers' credit on account, the bills marked posted, lines linked."""
    bills = Bill.objects.filter(pk__in=bill_ids, status=Bill.Status.DRAFT)
    if bills.count() != len(bill_ids):
        raise RevenueError("Some of these bills are not drafts any more; nothing was posted.")
    first = bills.order_by("pk").first()
    policy = core.policy_on(UtilityPolicy, first.bill_date, related=["receivable_account"])
    entry, _count, _total = core.charges_assess_set(
        rows_sql=_CHARGES,
        params={"ids": bill_ids},
        party=None,
        receivable_account=policy.receivable_account,
        revenue_account=None,
        source_model=Bill,
        memo=memo,
        noun="bill charges",
        entry_date=first.bill_date,
        source=source,
        acting_user=acting_user,
        extra_lines=_credit_lines(bill_ids, f"{memo}: credit on account"),
    )
    bills.update(status=Bill.Status.POSTED)
    if entry is not None:
        with connection.cursor() as cur:
            cur.execute(_LINK_LINES, {"ids": bill_ids, "entry": entry.pk})
    return entry


def run_entries(run: BillRun):
    """The run's posting entries not reversed yet."""
    return JournalEntry.objects.filter(
        source_type=ContentType.objects.get_for_model(BillRun), source_id=run.pk, reverses__isnull=True
    ).exclude(reversed_by__isnull=False)


@transaction.atomic
def bill_run_take_back(*, run: BillRun, acting_user, reason: str) -> BillRun:
    """Take a run back before its bills are released: every posting entry reversed through the
    core (the ledger per account exactly as before), the bills marked taken back, the period free
    to be run again."""
    if not acting_user.has_perm(APPROVE_PERM):
        raise NotAllowed("Only a Revenue Supervisor takes back a bill run.")
    if not (reason or "").strip():
        raise RevenueError("Say why the run is taken back.")
    run = BillRun.objects.select_for_update(no_key=True).get(pk=run.pk)
    if run.status in (BillRun.Status.RELEASED, BillRun.Status.TAKEN_BACK):
        raise RevenueError(f"{run.number} is {run.get_status_display().lower()}; it cannot be taken back.")
    if run.job and run.job.status in ("queued", "running") and not core.job_stalled(run.job):
        raise RevenueError(f"{run.number} has work under way; wait for it to finish.")
    reversed_ = [
        core.charges_withdraw_set(entry=entry, acting_user=acting_user, reason=f"{run.number}: {reason}")
        for entry in run_entries(run).order_by("pk")
    ]
    before = core.snapshot(run, ["status"])
    run.bills.exclude(status=Bill.Status.TAKEN_BACK).update(status=Bill.Status.TAKEN_BACK)
    run.status, run.taken_back_at, run.taken_back_by = BillRun.Status.TAKEN_BACK, timezone.now(), acting_user
    run.take_back_reason = reason.strip()[:250]
    run.save(update_fields=["status", "taken_back_at", "taken_back_by", "take_back_reason"])
    core.audit(
        actor=acting_user,
        action="utility.bill_run_taken_back",
        obj=run,
        before=before,
        after={"status": run.status, "reversals": [e.number for e in reversed_]},
        reason=reason,
    )
    return run


@transaction.atomic
def bill_run_release(*, run: BillRun, acting_user) -> BillRun:
    """Release a posted run's bills to the customers (the mail house's PDF, the e-mails); from
    now on it cannot be taken back. The e-mails go out as a job."""
    if not acting_user.has_perm(APPROVE_PERM):
        raise NotAllowed("Only a Revenue Supervisor releases a bill run.")
    run = BillRun.objects.select_for_update(no_key=True).get(pk=run.pk)
    if run.status != BillRun.Status.POSTED:
        raise RevenueError(
            f"{run.number} is {run.get_status_display().lower()}; only a posted run is released."
        )
    run.status, run.released_at, run.released_by = BillRun.Status.RELEASED, timezone.now(), acting_user
    run.job = core.job_start(
        kind="utility.bill_email", title=f"Bill run {run.number}: e-mail bills", params={"run": run.number},
        acting_user=acting_user,
    )  # fmt: skip
    run.save(update_fields=["status", "released_at", "released_by", "job"])
    core.audit(
        actor=acting_user, action="utility.bill_run_released", obj=run, after={"bills": run.bill_count}
    )
    return run


def bill_email(*, bill: Bill, acting_user) -> str:
    """E-mail one bill to its customer's address (the mail first, outside any transaction; then
    recorded once, audited). Returns the address, or "" when there is none to send to."""
    from ..bill_documents import bill_pdf

    address = (bill.account.party.email or "").strip()
    try:
        validate_email(address)
    except ValidationError:
        return ""
    office = core.office_on()
    message = EmailMessage(
        subject=f"Your utility bill {bill.number} for account {bill.account.number}",
        body=(
            f"Your bill for {bill.account.premise} is attached: ${bill.amount_due:,.2f} due by "
            f"{bill.due_on:%m/%d/%Y}.\n\n{office.office_name}\n{office.address_one_line}\n{office.phone}\n"
            f"{office.second_language}"
        ).strip(),
        to=[address],
    )
    message.attach(f"{bill.number}.pdf", bill_pdf(bill), "application/pdf")
    message.send()
    with transaction.atomic():
        Bill.objects.filter(pk=bill.pk).update(emailed_at=timezone.now(), emailed_to=address)
        core.audit(actor=acting_user, action="utility.bill_emailed", obj=bill, after={"to": address})
    return address


def bill_run_email(*, run: BillRun, acting_user, progress: Callable | None = None) -> int:
    """E-mail the released run's bills whose account chose e-mail, once each (a retry sends only
    those not sent yet). Returns how many went."""
    if run.status != BillRun.Status.RELEASED:
        raise RevenueError(f"{run.number} is not released; its bills are not sent yet.")
    bills = (
        run.bills.filter(status=Bill.Status.POSTED, account__bill_by_email=True, emailed_at__isnull=True)
        .select_related("account__party", "account__premise")
        .order_by("pk")
    )
    total, sent = bills.count(), 0
    for i, bill in enumerate(bills.iterator(chunk_size=200), start=1):
        sent += bool(bill_email(bill=bill, acting_user=acting_user))
        if progress and (i % 50 == 0 or i == total):
            progress(i, total, f"{sent:,} bills e-mailed")
    return sent


@core.job_handler("utility.bill_email", permission=APPROVE_PERM)
def bill_email_job(job, progress) -> str:
    run = BillRun.objects.get(number=job.params["run"])
    sent = bill_run_email(run=run, acting_user=job.created_by, progress=progress)
    progress(sent, sent, f"{sent:,} bills e-mailed to the customers who chose e-mail.")
    return run.get_absolute_url()
