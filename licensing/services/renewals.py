"""Renewals: the yearly run that creates next year's renewals (set-based, numbered from gapless
blocks of the core's license numbers), a renewal's figures and charges, the late penalty brought
up to the day of payment at the counter, and the expiry of licenses not renewed."""

from __future__ import annotations

import datetime
from decimal import Decimal
from functools import partial

from django.db import connection, transaction
from django.dispatch import receiver
from django.urls import reverse
from django.utils import timezone

from revenue import services as core
from revenue.exceptions import NotAllowed, RevenueError
from revenue.models import Charge
from revenue.money import ZERO
from revenue.signals import charges_requested

from ..models import Business, License, LicensingPolicy, RenewalRun
from ..tax import penalty, tax_year_bounds
from .applications import issue
from .schedule import compute, policy_on


def expire_lapsed(*, on: datetime.date | None = None) -> int:
    """Active licenses whose period has ended expire (one statement). Returns how many."""
    on = on or core.city_today()
    return License.objects.filter(status=License.Status.ACTIVE, valid_to__lt=on).update(
        status=License.Status.EXPIRED
    )


# --------------------------------------------------------------------------- the renewal run

RENEWAL_CHUNK = 5_000

# last year's licenses in force (active, or expired since their year ended) in a range of
# businesses, that have no license for the year yet
CANDIDATES = """
    SELECT l.id AS prior_id, l.business_id, row_number() OVER (ORDER BY l.business_id) AS rn
      FROM licensing_license l
     WHERE l.tax_year = %(prior)s AND l.status IN ('active', 'expired')
       AND l.business_id BETWEEN %(low)s AND %(high)s
       AND NOT EXISTS (SELECT 1 FROM licensing_license n
                        WHERE n.business_id = l.business_id AND n.tax_year = %(year)s)
"""


def delinquency_date(tax_year: int) -> datetime.date:
    policy = policy_on(tax_year_bounds(tax_year, policy_on().tax_year_start_month)[0])
    start, _end = tax_year_bounds(tax_year, policy.tax_year_start_month)
    return start + datetime.timedelta(days=policy.delinquent_after_days)


def _renewal_chunk(*, tax_year: int, low: int, high: int, start, end, acting_user) -> int:
    """Create the missing renewals of one range of businesses, numbered from one gapless block
    of the core's license numbers; in the caller's transaction. Returns how many."""
    # take the license counter first: an application taking a number now finishes before the
    # candidates are read (the next statement sees it), so nothing is created twice
    core.numbers_reserve(kind="BL", count=0, year=tax_year)
    params = {"prior": tax_year - 1, "year": tax_year, "low": low, "high": high}
    with connection.cursor() as cur:
        cur.execute(f"SELECT count(*) FROM ({CANDIDATES}) c", params)
        (count,) = cur.fetchone()
        if not count:
            return 0
        block = core.numbers_reserve(kind="BL", count=count, year=tax_year)
        cur.execute(
            f"""
            INSERT INTO licensing_license
                (number, business_id, tax_year, status, valid_from, valid_to, computation, denial_reason,
                 status_reason, prints, created_at, created_by_id, renewal_of_id)
            SELECT {block.sql("c.rn")}, c.business_id, %(year)s, 'renewal', %(start)s, %(end)s, '[]'::jsonb,
                   '', '', 0, now(), %(user)s, c.prior_id
              FROM ({CANDIDATES}) c
            """,
            params | {"start": start, "end": end, "user": acting_user.pk},
        )
        if cur.rowcount != count:  # cannot happen while the counter is locked; never leave a gap
            raise RevenueError(f"{count} renewals were counted but {cur.rowcount} made.")
        return cur.rowcount


def renewal_run(*, tax_year: int, acting_user, progress=None) -> RenewalRun:
    """Create next year's renewal for every license active in the year before, in set-based SQL,
    a chunk of businesses per transaction (progress is saved after each). Running it again
    creates only the renewals that are missing, with their gapless numbers."""
    if not acting_user.has_perm("licensing.decide_license"):
        raise NotAllowed("Only a Revenue Supervisor runs renewals.")
    policy = policy_on()
    start, end = tax_year_bounds(tax_year, policy.tax_year_start_month)
    # last year's licenses that were in force: active, or expired since their year ended
    prior = License.objects.filter(
        tax_year=tax_year - 1, status__in=[License.Status.ACTIVE, License.Status.EXPIRED]
    )
    run = RenewalRun.objects.create(tax_year=tax_year, started_by=acting_user, candidates=prior.count())
    ids = list(prior.order_by("business_id").values_list("business_id", flat=True))
    try:
        for i in range(0, len(ids), RENEWAL_CHUNK):
            low, high = ids[i], ids[min(i + RENEWAL_CHUNK, len(ids)) - 1]
            with transaction.atomic():
                run.created += _renewal_chunk(
                    tax_year=tax_year, low=low, high=high, start=start, end=end, acting_user=acting_user
                )
                run.save(update_fields=["created"])
            if progress:
                progress(min(i + RENEWAL_CHUNK, len(ids)), len(ids), run.created)
    except Exception as exc:
        RenewalRun.objects.filter(pk=run.pk).update(
            finished_at=timezone.now()
        )  # not shown as running forever
        raise RevenueError(
            f"The renewal run stopped after {run.created:,} renewals ({exc}); run it again."
        ) from exc
    expired = expire_lapsed()  # a license not renewed expires at the end of its period
    run.finished_at = timezone.now()
    run.save(update_fields=["finished_at"])
    if expired and progress:
        progress(len(ids), len(ids), run.created)
    core.audit(
        actor=acting_user,
        action="renewals.run",
        obj=run,
        after={"tax_year": tax_year, "candidates": run.candidates, "created": run.created},
    )
    return run


# --------------------------------------------------------------------------- a renewal's figures


def _report_figures(*, license: License, gross_receipts, employees, acting_user) -> Business:
    """The business's receipts and employees as it reports them for the renewal."""
    receipts = core.money(gross_receipts, field="Gross receipts", allow_zero=True)
    if employees is None or int(employees) < 0:
        raise RevenueError("The number of employees cannot be negative.")
    business = license.business
    before = core.snapshot(business, ["gross_receipts", "employees"])
    business.gross_receipts, business.employees, business.receipts_estimated = receipts, int(employees), False
    business.save(update_fields=["gross_receipts", "employees", "receipts_estimated"])
    core.audit(
        actor=acting_user,
        action="business.reported",
        obj=business,
        before=before,
        after=core.snapshot(business, ["gross_receipts", "employees"]),
    )
    return business


def _late_label(months: int, policy: LicensingPolicy, capped: bool) -> str:
    return (
        f"Late: {months} month{'s' if months != 1 else ''} × {policy.penalty_percent_per_month.normalize():f}%"
        + (f", capped at {policy.penalty_cap_percent.normalize():f}%" if capped else "")
    )


def _assess(license: License, *, amount, description, revenue_account, policy, acting_user, on) -> Charge:
    return core.charge_assess(
        party=license.business.party,
        amount=amount,
        description=description,
        receivable_account=policy.tax_receivable_account,
        revenue_account=revenue_account,
        source=license,
        source_number=license.number,
        acting_user=acting_user,
        assessed_on=on,
    )


@transaction.atomic
def renewal_assess(
    *, license: License, gross_receipts, employees: int, acting_user, on: datetime.date | None = None
) -> License:
    """The renewal's figures as the business reports them (at the counter or by mail), then the
    tax, add-ons and, when late, the penalty for this day, assessed together."""
    if not acting_user.has_perm("licensing.add_license"):
        raise NotAllowed("Your role does not process renewals.")
    on = on or core.city_today()
    license = (
        License.objects.select_for_update(no_key=True).select_related("business__party").get(pk=license.pk)
    )
    if license.status != License.Status.RENEWAL:
        raise RevenueError(f"{license} is not a renewal waiting for its figures.")
    business = _report_figures(
        license=license, gross_receipts=gross_receipts, employees=employees, acting_user=acting_user
    )
    computation, addons = compute(business=business, tax_year=license.tax_year, on=on)
    policy = policy_on(on)
    months, late_fee, capped = penalty(
        tax=computation.total,
        delinquent_on=delinquency_date(license.tax_year),
        on=on,
        percent_per_month=policy.penalty_percent_per_month,
        cap_percent=policy.penalty_cap_percent,
    )
    assess = partial(_assess, license, policy=policy, acting_user=acting_user, on=on)
    if computation.total > 0:
        assess(
            amount=computation.total,
            description=f"Business license tax {license.tax_year} (renewal)",
            revenue_account=policy.tax_revenue_account,
        )
    if late_fee:
        computation.add(_late_label(months, policy, capped), late_fee)
        assess(
            amount=late_fee,
            description=f"Late renewal penalty {license.tax_year}",
            revenue_account=policy.penalty_revenue_account,
        )
    for fee_type, _amount, _share in addons:
        core.charge_assess_fee(
            party=business.party,
            fee_type=fee_type,
            source=license,
            source_number=license.number,
            acting_user=acting_user,
            on=on,
        )
    license.computation = computation.as_json()
    license.status = License.Status.ASSESSED
    license.save(update_fields=["computation", "status"])
    if not license.charges().exists():
        issue(license, acting_user)  # nothing to pay: issued at once
    core.audit(
        actor=acting_user,
        action="renewal.assessed",
        obj=license,
        after={"tax": str(computation.total), "penalty": str(late_fee)},
    )
    return license


# --------------------------------------------------------------------------- late renewals


@transaction.atomic
def penalty_to_date(*, license: License, on: datetime.date, acting_user) -> Decimal:
    """Bring a late renewal's penalty up to `on` (the day it is paid): assess the difference
    between the penalty due that day and what was assessed before. Never lowers it."""
    license = (
        License.objects.select_for_update(no_key=True).select_related("business__party").get(pk=license.pk)
    )
    if license.status != License.Status.ASSESSED or license.renewal_of_id is None:
        return ZERO
    policy = policy_on(on)
    charges = list(license.charges().select_for_update(no_key=True).order_by("pk"))
    tax = next((c for c in charges if c.revenue_account_id == policy.tax_revenue_account_id), None)
    if tax is None or tax.is_settled:
        return ZERO
    months, due, _capped = penalty(
        tax=tax.amount,
        delinquent_on=delinquency_date(license.tax_year),
        on=on,
        percent_per_month=policy.penalty_percent_per_month,
        cap_percent=policy.penalty_cap_percent,
    )
    assessed = sum(
        (c.amount for c in charges if c.revenue_account_id == policy.penalty_revenue_account_id), ZERO
    )
    extra = due - assessed
    if extra <= 0:
        return ZERO
    _assess(
        license,
        amount=extra,
        description=f"Late renewal penalty {license.tax_year} to {on:%m/%d/%Y} "
        f"({months} month{'s' if months != 1 else ''})",
        revenue_account=policy.penalty_revenue_account,
        policy=policy,
        acting_user=acting_user,
        on=on,
    )
    return extra


@receiver(charges_requested)
def _penalty_at_the_counter(sender, number: str, on: datetime.date, acting_user, **kwargs) -> None:
    license = License.objects.filter(number__iexact=number).select_related("business__party").first()
    if license is not None:
        penalty_to_date(license=license, on=on, acting_user=acting_user)


@core.job_handler("licensing.expire", permission="licensing.decide_license")
def expire_job(job, progress) -> str:
    """Nightly: licenses whose period has ended expire."""
    progress(1, 1, f"{expire_lapsed():,} licenses expired")
    return ""


@core.job_handler("licensing.renewal_run", permission="licensing.decide_license")
def renewal_run_job(job, progress) -> str:
    """The renewal run from its page, run by the job worker. Run again (a retry), it creates only
    the renewals still missing."""
    year = int(job.params["tax_year"])
    run = renewal_run(
        tax_year=year,
        acting_user=job.created_by,
        progress=lambda done, total, created: progress(done, total, f"{created:,} renewals created"),
    )
    progress(
        run.candidates,
        run.candidates,
        f"Renewal run for {year}: {run.created:,} created of {run.candidates:,} licenses active in "
        f"{year - 1} (the others were already there).",
    )
    return reverse("licensing:renewals") + f"?tax_year={year}"
