"""Bill runs per cycle and period: calculated (a job, in committed chunks), proved (the
register), approved by another person, posted (one journal entry per chunk), released (mailed and
e-mailed), or taken back until released. And the final bill of one account, at once."""

from __future__ import annotations

import datetime
from collections.abc import Callable

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from revenue import services as core
from revenue.exceptions import NotAllowed, RevenueError

from .. import bill_selectors as selectors
from ..bill_rules import proof_flags
from ..models import Bill, BillingCycle, BillLine, BillRun, ServiceAccount, UtilityPolicy
from .bill_posting import post_bills

RUN_CHUNK = 500  # accounts calculated (or bills posted) per committed transaction
START_PERM = "utility_billing.add_billrun"
APPROVE_PERM = "utility_billing.approve_billrun"


def calculate(*, account, period_start, period_end):
    """The rate engine's calculation of one account (ub-rates' `services/calc.py`)."""
    from .calc import calculate as engine

    return engine(account=account, period_start=period_start, period_end=period_end)


def _locked_run(run: BillRun) -> BillRun:
    return BillRun.objects.select_for_update(no_key=True).select_related("cycle").get(pk=run.pk)


@transaction.atomic
def bill_run_start(
    *,
    cycle: BillingCycle,
    period_start: datetime.date,
    period_end: datetime.date,
    bill_date: datetime.date,
    acting_user,
) -> BillRun:
    """Record a bill run for a cycle and period and queue its calculation. One live run per cycle
    and period (a constraint): a second is refused with the first's number."""
    if not acting_user.has_perm(START_PERM):
        raise NotAllowed("Your role does not start bill runs.")
    if period_end < period_start:
        raise RevenueError("The period's end is before its start.")
    if bill_date < period_end:
        raise RevenueError("The bill date cannot be before the end of the period billed.")
    if not cycle.active:
        raise RevenueError(f"{cycle} is not an active billing cycle.")
    existing = (
        selectors.runs_of_period(cycle.pk, period_start).exclude(status=BillRun.Status.TAKEN_BACK).first()
    )
    if existing is not None:
        raise RevenueError(f"{existing.number} already bills {cycle} from {period_start:%m/%d/%Y}.")
    policy = core.policy_on(UtilityPolicy, bill_date)
    try:
        with transaction.atomic():
            run = BillRun.objects.create(
                number=core.number_next(kind="BR", on=bill_date),
                cycle=cycle,
                period_start=period_start,
                period_end=period_end,
                bill_date=bill_date,
                due_on=bill_date + datetime.timedelta(days=policy.due_days),
                created_by=acting_user,
            )
    except IntegrityError as exc:  # a run started at the same moment by someone else
        raise RevenueError(f"A run for {cycle} from {period_start:%m/%d/%Y} was started just now.") from exc
    run.job = core.job_start(
        kind="utility.bill_calculate",
        title=f"Bill run {run.number}: calculate {cycle} {period_start:%m/%d/%Y}–{period_end:%m/%d/%Y}",
        params={"run": run.number},
        acting_user=acting_user,
    )
    run.save(update_fields=["job"])
    core.audit(
        actor=acting_user,
        action="utility.bill_run_started",
        obj=run,
        after={
            "cycle": cycle.code,
            "period_start": period_start,
            "period_end": period_end,
            "bill_date": bill_date,
        },
    )
    return run


def candidates(run: BillRun) -> list[int]:
    """The cycle's active accounts in service during the period with no live bill for it yet."""
    return list(
        ServiceAccount.objects.filter(
            premise__cycle_id=run.cycle_id,
            status=ServiceAccount.Status.ACTIVE,
            move_in__lte=run.period_end,
        )
        .exclude(move_out__lt=run.period_start)
        .exclude(
            bills__period_start=run.period_start,
            bills__kind=Bill.Kind.REGULAR,
            bills__status__in=[Bill.Status.DRAFT, Bill.Status.POSTED],
        )
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def _estimate_missing_reads(run: BillRun, acting_user) -> int:
    """Before calculating: estimate the reads missing at the period's end (ub-reads), so a meter
    with no read in the window is billed on an estimate (flagged) rather than not at all. A city
    with no read policy in force has not set estimates up: the run goes on and flags "no read"."""
    from ..models import ReadPolicy
    from .reads import reads_estimate

    if run.period_end > core.city_today() or core.in_force(ReadPolicy.objects.all(), run.period_end) is None:
        return 0
    with transaction.atomic():
        return reads_estimate(cycle=run.cycle, on=run.period_end, acting_user=acting_user)


def bill_run_calculate(*, run: BillRun, acting_user, progress: Callable | None = None) -> BillRun:
    """Calculate every account of the run, RUN_CHUNK accounts per committed transaction. Run
    again (a retry), it calculates only the accounts with no bill for the period yet."""
    if not acting_user.has_perm(START_PERM):
        raise NotAllowed("Your role does not start bill runs.")
    run = BillRun.objects.select_related("cycle").get(pk=run.pk)
    if run.status != BillRun.Status.CALCULATING:
        raise RevenueError(
            f"{run.number} is {run.get_status_display().lower()}; there is nothing to calculate."
        )
    _estimate_missing_reads(run, acting_user)
    ids = candidates(run)
    done_before = run.bills.exclude(status=Bill.Status.TAKEN_BACK).count()
    BillRun.objects.filter(pk=run.pk).update(candidates=done_before + len(ids), done=done_before)
    for i in range(0, len(ids), RUN_CHUNK):
        with transaction.atomic():
            made = _calculate_chunk(_locked_run(run), ids[i : i + RUN_CHUNK])
            BillRun.objects.filter(pk=run.pk).update(done=done_before + i + len(ids[i : i + RUN_CHUNK]))
        if progress:
            progress(done_before + min(i + RUN_CHUNK, len(ids)), done_before + len(ids), made)
    with transaction.atomic():
        run = _locked_run(run)
        totals = selectors.register_totals(run)
        run.status = BillRun.Status.CALCULATED
        run.bill_count, run.total = totals["bills"], totals["charges"]
        run.exception_count = totals["with_exceptions"]
        run.save(update_fields=["status", "bill_count", "total", "exception_count"])
        core.audit(
            actor=acting_user,
            action="utility.bill_run_calculated",
            obj=run,
            after={"bills": run.bill_count, "total": run.total, "exceptions": run.exception_count},
        )
    return run


def _calculate_chunk(run: BillRun, ids: list[int]) -> int:
    """Calculate and store one chunk of bills (their lines too), numbered from one gapless block;
    in the caller's transaction. Accounts billed meanwhile are skipped. Returns how many."""
    core.numbers_reserve(kind="B", count=0, on=run.bill_date)  # the bill counter first: no race
    accounts = list(
        ServiceAccount.objects.filter(pk__in=ids)
        .exclude(
            bills__period_start=run.period_start,
            bills__kind=Bill.Kind.REGULAR,
            bills__status__in=[Bill.Status.DRAFT, Bill.Status.POSTED],
        )
        .select_related("premise", "party")
        .order_by("pk")
    )
    if not accounts:
        return 0
    from .calc import calc_batch

    with calc_batch(accounts, through=run.period_end):  # schedules, services, meters, reads: once
        calcs = [
            calculate(account=a, period_start=run.period_start, period_end=run.period_end) for a in accounts
        ]
    block = core.numbers_reserve(kind="B", count=len(accounts), on=run.bill_date)
    bills = store_bills(
        accounts=accounts,
        calcs=calcs,
        numbers=block.numbers,
        run=run,
        kind=Bill.Kind.REGULAR,
        period_start=run.period_start,
        period_end=run.period_end,
        bill_date=run.bill_date,
        due_on=run.due_on,
    )
    return len(bills)


def store_bills(
    *, accounts, calcs, numbers, run, kind, period_start, period_end, bill_date, due_on
) -> list[Bill]:
    """Bills and their lines in two multi-row INSERTs, with each account's balance from one query."""
    owed = selectors.balances([a.pk for a in accounts])
    bills = []
    for account, calc, number in zip(accounts, calcs, numbers, strict=True):
        open_now, paid_since, credit = owed[account.pk]
        bills.append(
            Bill(
                number=number,
                run=run,
                account=account,
                kind=kind,
                status=Bill.Status.DRAFT,
                period_start=max(period_start, account.move_in),
                period_end=period_end,
                bill_date=bill_date,
                due_on=due_on,
                usage=calc.usage,
                estimated=calc.estimated,
                previous_balance=open_now + paid_since,
                payments_since=paid_since,
                current_charges=calc.total,
                exceptions=proof_flags(
                    list(calc.exceptions), amount_due=open_now + calc.total, credit_on_account=credit
                ),
            )
        )
    Bill.objects.bulk_create(bills)
    BillLine.objects.bulk_create(
        BillLine(
            bill=bill,
            service_id=getattr(line.service, "pk", line.service),
            schedule_id=getattr(line.schedule, "pk", line.schedule),
            description=line.description[:200],
            quantity=line.quantity,
            rate=line.rate,
            amount=line.amount,
            sort_order=line.sort_order,
        )
        for bill, calc in zip(bills, calcs, strict=True)
        for line in calc.lines
    )
    return bills


@transaction.atomic
def bill_run_approve(*, run: BillRun, acting_user) -> BillRun:
    """A supervisor who did not start the run approves its proof register."""
    if not acting_user.has_perm(APPROVE_PERM):
        raise NotAllowed("Only a Revenue Supervisor approves a bill run.")
    run = _locked_run(run)
    if run.status != BillRun.Status.CALCULATED:
        raise RevenueError(
            f"{run.number} is {run.get_status_display().lower()}; only a calculated run is approved."
        )
    if run.created_by_id == acting_user.pk:
        raise NotAllowed("You started this run; another supervisor approves it.")
    run.status, run.approved_at, run.approved_by = BillRun.Status.APPROVED, timezone.now(), acting_user
    run.save(update_fields=["status", "approved_at", "approved_by"])
    core.audit(
        actor=acting_user, action="utility.bill_run_approved", obj=run, after={"bills": run.bill_count}
    )
    return run


@transaction.atomic
def bill_run_post_start(*, run: BillRun, acting_user) -> BillRun:
    """Queue the posting of an approved run."""
    if not acting_user.has_perm(APPROVE_PERM):
        raise NotAllowed("Only a Revenue Supervisor posts a bill run.")
    run = _locked_run(run)
    if run.status != BillRun.Status.APPROVED:
        raise RevenueError(
            f"{run.number} is {run.get_status_display().lower()}; only an approved run is posted."
        )
    if run.job and run.job.kind == "utility.bill_post" and run.job.status in ("queued", "running"):
        raise RevenueError(f"{run.number} is being posted already.")
    run.job = core.job_start(
        kind="utility.bill_post",
        title=f"Bill run {run.number}: post",
        params={"run": run.number},
        acting_user=acting_user,
    )
    run.save(update_fields=["job"])
    core.audit(actor=acting_user, action="utility.bill_run_post_started", obj=run)
    return run


def bill_run_post(*, run: BillRun, acting_user, progress: Callable | None = None) -> BillRun:
    """Post the run's draft bills, RUN_CHUNK bills (one journal entry) per committed transaction.
    Run again, it posts only the bills still in draft."""
    if not acting_user.has_perm(APPROVE_PERM):
        raise NotAllowed("Only a Revenue Supervisor posts a bill run.")
    run = BillRun.objects.get(pk=run.pk)
    if run.status != BillRun.Status.APPROVED:
        raise RevenueError(
            f"{run.number} is {run.get_status_display().lower()}; only an approved run is posted."
        )
    total = run.bills.exclude(status=Bill.Status.TAKEN_BACK).count()
    while True:
        with transaction.atomic():
            locked = _locked_run(run)
            ids = list(
                locked.bills.filter(status=Bill.Status.DRAFT)
                .order_by("pk")
                .values_list("pk", flat=True)[:RUN_CHUNK]
            )
            if not ids:
                break
            post_bills(bill_ids=ids, memo=f"Bill run {run.number}", source=locked, acting_user=acting_user)
            done = locked.bills.filter(status=Bill.Status.POSTED).count()
            BillRun.objects.filter(pk=run.pk).update(done=done)
        if progress:
            progress(done, total, f"{done:,} of {total:,} bills posted")
    with transaction.atomic():
        run = _locked_run(run)
        run.status, run.posted_at, run.posted_by = BillRun.Status.POSTED, timezone.now(), acting_user
        run.save(update_fields=["status", "posted_at", "posted_by"])
        core.audit(
            actor=acting_user,
            action="utility.bill_run_posted",
            obj=run,
            after={"bills": total, "total": run.total},
        )
    return run


@core.job_handler("utility.bill_calculate", permission=START_PERM)
def bill_calculate_job(job, progress) -> str:
    """A run's calculation, by the job worker; a retry carries on with the accounts not billed yet."""
    run = BillRun.objects.select_related("cycle").get(number=job.params["run"])
    run = bill_run_calculate(
        run=run,
        acting_user=job.created_by,
        progress=lambda done, total, made: progress(
            done, total, f"{done:,} of {total:,} accounts calculated"
        ),
    )
    progress(
        run.candidates,
        run.candidates,
        f"{run.bill_count:,} bills calculated, {run.exception_count:,} with exceptions.",
    )
    return run.get_absolute_url()


@core.job_handler("utility.bill_post", permission=APPROVE_PERM)
def bill_post_job(job, progress) -> str:
    """A run's posting, by the job worker; a retry posts only the bills still in draft."""
    run = bill_run_post(
        run=BillRun.objects.get(number=job.params["run"]), acting_user=job.created_by, progress=progress
    )
    progress(run.bill_count, run.bill_count, f"{run.bill_count:,} bills posted, ${run.total:,.2f}.")
    return run.get_absolute_url()


def runs_url() -> str:
    return reverse("utility_billing:runs")


@transaction.atomic
def bill_final(*, account: ServiceAccount, through: datetime.date, acting_user) -> Bill:
    """The final bill of an account (move-out): from the day after its last bill's period to
    `through`, prorated to the day by the rate engine, posted at once in one entry (no run)."""
    account = (
        ServiceAccount.objects.select_for_update(no_key=True)
        .select_related("premise", "party")
        .get(pk=account.pk)
    )
    last = account.bills.exclude(status=Bill.Status.TAKEN_BACK).order_by("-period_end", "-pk").first()
    start = last.period_end + datetime.timedelta(days=1) if last else account.move_in
    if last is not None and last.kind == Bill.Kind.FINAL:
        raise RevenueError(f"{account.number} already has its final bill, {last.number}.")
    if through < start:
        raise RevenueError(
            f"{account.number} is billed through {start - datetime.timedelta(days=1):%m/%d/%Y} already."
        )
    today = core.city_today()
    policy = core.policy_on(UtilityPolicy, today)
    calc = calculate(account=account, period_start=start, period_end=through)
    [bill] = store_bills(
        accounts=[account],
        calcs=[calc],
        numbers=[core.number_next(kind="B", on=today)],
        run=None,
        kind=Bill.Kind.FINAL,
        period_start=start,
        period_end=through,
        bill_date=today,
        due_on=today + datetime.timedelta(days=policy.due_days),
    )
    post_bills(bill_ids=[bill.pk], memo=f"Final bill {bill.number}", source=bill, acting_user=acting_user)
    bill.refresh_from_db()
    core.audit(
        actor=acting_user,
        action="utility.bill_final",
        obj=bill,
        after={"account": account.number, "through": through, "charges": bill.current_charges},
    )
    return bill
