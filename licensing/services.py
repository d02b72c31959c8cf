"""License operations: apply, review, approve (which assesses the charges), deny, and the
automatic issue when the charges are paid at the counter (and un-issue when that payment is
voided or its check returned)."""

from __future__ import annotations

import datetime
from decimal import Decimal
from functools import partial

from django.db import IntegrityError, transaction
from django.dispatch import receiver
from django.utils import timezone

from revenue import services as core
from revenue.exceptions import NotAllowed, RevenueError
from revenue.models import Charge, Party
from revenue.signals import charge_reopened, charge_settled, charges_requested

from .models import AddOn, Business, Classification, License, LicensingPolicy, RenewalRun, SignOff, TaxRule
from .tax import Computation, compute_tax, penalty, tax_year_bounds, tax_year_of


def policy_on(day: datetime.date | None = None) -> LicensingPolicy:
    day = day or core.city_today()
    policy = core.in_force(LicensingPolicy.objects.all(), day)
    if policy is None:
        raise RevenueError("No licensing policy is in force; a supervisor must set one in Configuration.")
    return policy


def current_tax_year(day: datetime.date | None = None) -> int:
    day = day or core.city_today()
    return tax_year_of(day, policy_on(day).tax_year_start_month)


def rule_for(classification: Classification, tax_year: int) -> TaxRule:
    rule = (
        TaxRule.objects.filter(classification=classification, tax_year=tax_year)
        .prefetch_related("brackets")
        .first()
    )
    if rule is None:
        raise RevenueError(f"{classification.name} has no tax rule for tax year {tax_year}.")
    return rule


def compute(
    *, business: Business, tax_year: int, on: datetime.date | None = None
) -> tuple[Computation, list]:
    """The license tax and add-ons for a business and tax year, line by line (nothing written)."""
    on = on or core.city_today()
    policy = policy_on(on)
    start, _end = tax_year_bounds(tax_year, policy.tax_year_start_month)
    c = compute_tax(
        rule_for(business.classification, tax_year),
        employees=business.employees,
        receipts=business.gross_receipts,
        tax_year_start=start,
        started_on=business.started_on,
        prorate_quarterly=policy.proration == LicensingPolicy.Proration.QUARTERLY,
    )
    addons = []
    for addon in AddOn.objects.filter(tax_year=tax_year).select_related("fee_type"):
        amount, share, _rate = core.fee_compute(fee_type=addon.fee_type, on=on)
        addons.append((addon.fee_type, amount, share))
    return c, addons


@transaction.atomic
def business_create(*, party: Party, acting_user, **data) -> Business:
    if data.get("employees") is not None and int(data["employees"]) < 0:
        raise RevenueError("The number of employees cannot be negative.")
    receipts = core.money(data.get("gross_receipts", 0), field="Gross receipts", allow_zero=True)
    data["gross_receipts"] = receipts
    business = Business.objects.create(party=party, created_by=acting_user, **data)
    core.audit(
        actor=acting_user,
        action="business.created",
        obj=business,
        after={"dba": business.dba, "classification": str(business.classification)},
    )
    return business


@transaction.atomic
def application_submit(
    *, business: Business, acting_user, tax_year: int | None = None, replacing: License | None = None
) -> License:
    if not acting_user.has_perm("licensing.add_license"):
        raise NotAllowed("Your role does not take license applications.")
    policy = policy_on()
    tax_year = tax_year or current_tax_year()
    start, end = tax_year_bounds(tax_year, policy.tax_year_start_month)
    computation, addons = compute(
        business=business, tax_year=tax_year
    )  # refuse now if it cannot be worked out
    existing = (
        License.objects.filter(
            business__party=business.party,
            business__location_address__iexact=business.location_address.strip(),
            business__location_city__iexact=business.location_city.strip(),
            tax_year=tax_year,
            status__in=License.LIVE,
        )
        .exclude(business=business)
        .first()
    )
    if existing is not None and not replacing:
        raise RevenueError(
            f"{business.party.name} already has license {existing.number} at {business.location} "
            f"for tax year {tax_year}."
        )
    try:
        with transaction.atomic():
            license = License.objects.create(
                number=core.number_next(kind="BL", year=tax_year),
                business=business,
                tax_year=tax_year,
                valid_from=max(start, business.started_on),
                valid_to=end,
                created_by=acting_user,
                computation=computation.as_json(),
            )
    except IntegrityError as exc:
        raise RevenueError(f"{business} already has a license for tax year {tax_year}.") from exc
    core.audit(actor=acting_user, action="license.submitted", obj=license, after={"tax_year": tax_year})
    return license


@transaction.atomic
def signoff_add(*, license: License, item: str, acting_user, note: str = "") -> SignOff:
    if not acting_user.has_perm("licensing.review_license"):
        raise NotAllowed("Your role does not sign off license reviews.")
    license = License.objects.select_for_update(no_key=True).get(pk=license.pk)
    if license.status not in (License.Status.SUBMITTED, License.Status.IN_REVIEW):
        raise RevenueError(f"{license} is {license.get_status_display().lower()}: its review is over.")
    if item not in license.business.classification.checklist:
        raise RevenueError(f"{item} is not on this classification's checklist.")
    try:
        with transaction.atomic():
            signoff = SignOff.objects.create(
                license=license, item=item, signed_by=acting_user, note=note[:250]
            )
    except IntegrityError as exc:
        raise RevenueError(f"{item} is already signed off.") from exc
    license.status = License.Status.IN_REVIEW
    license.save(update_fields=["status"])
    core.audit(actor=acting_user, action="license.signed_off", obj=license, after={"item": item}, reason=note)
    return signoff


@transaction.atomic
def application_approve(*, license: License, acting_user) -> License:
    """Approve a fully signed-off application and assess its charges (tax and add-ons), worked
    out again now so the figures are those in force today."""
    if not acting_user.has_perm("licensing.decide_license"):
        raise NotAllowed("Only a Revenue Supervisor approves license applications.")
    license = (
        License.objects.select_for_update(no_key=True).select_related("business__party").get(pk=license.pk)
    )
    if license.status not in (License.Status.SUBMITTED, License.Status.IN_REVIEW):
        raise RevenueError(f"{license} is {license.get_status_display().lower()}.")
    missing = set(license.business.classification.checklist) - set(
        license.signoffs.values_list("item", flat=True)
    )
    if missing:
        raise RevenueError(f"Still to sign off: {', '.join(sorted(missing))}.")
    computation, addons = compute(business=license.business, tax_year=license.tax_year)
    party = license.business.party
    if computation.total > 0:
        core.charge_assess(
            party=party,
            amount=computation.total,
            description=f"Business license tax {license.tax_year}",
            receivable_account=policy_on().tax_receivable_account,
            revenue_account=policy_on().tax_revenue_account,
            source=license,
            source_number=license.number,
            acting_user=acting_user,
        )
    for fee_type, _amount, _share in addons:
        core.charge_assess_fee(
            party=party,
            fee_type=fee_type,
            source=license,
            source_number=license.number,
            acting_user=acting_user,
        )
    license.computation = computation.as_json()
    license.status = License.Status.ASSESSED
    license.save(update_fields=["computation", "status"])
    core.audit(
        actor=acting_user,
        action="license.approved",
        obj=license,
        after={"tax": str(computation.total), "addons": [str(a[1]) for a in addons]},
    )
    if not license.charges().exists():
        _issue(license, acting_user)
    return license


@transaction.atomic
def application_deny(*, license: License, reason: str, acting_user) -> License:
    if not acting_user.has_perm("licensing.decide_license"):
        raise NotAllowed("Only a Revenue Supervisor denies license applications.")
    if not reason.strip():
        raise RevenueError("Say why the application is denied.")
    license = License.objects.select_for_update(no_key=True).get(pk=license.pk)
    if license.status not in (License.Status.SUBMITTED, License.Status.IN_REVIEW):
        raise RevenueError(f"{license} is {license.get_status_display().lower()}.")
    license.status = License.Status.DENIED
    license.denial_reason = reason.strip()
    license.save(update_fields=["status", "denial_reason"])
    core.audit(actor=acting_user, action="license.denied", obj=license, reason=reason)
    return license


def _issue(license: License, acting_user) -> None:
    license.status = License.Status.ACTIVE
    license.issued_at = timezone.now()
    license.save(update_fields=["status", "issued_at"])
    core.audit(actor=acting_user, action="license.issued", obj=license)
    if license.replaces_id:  # a change of location or ownership: the old license ends now
        old = License.objects.select_for_update(no_key=True).get(pk=license.replaces_id)
        if old.status in (License.Status.ACTIVE, License.Status.SUSPENDED):
            old.status, old.status_reason = License.Status.CLOSED, f"Replaced by {license.number}"
            old.save(update_fields=["status", "status_reason"])
            core.audit(actor=acting_user, action="license.closed", obj=old, reason=old.status_reason)


@receiver(charge_settled, sender=License)
def _issue_on_payment(sender, charge: Charge, acting_user, **kwargs) -> None:
    """Issued automatically when every one of its charges is paid (same transaction)."""
    license = License.objects.select_for_update(no_key=True).get(pk=charge.source_id)
    if license.status == License.Status.ASSESSED and all(c.is_settled for c in license.charges()):
        _issue(license, acting_user)


@receiver(charge_reopened, sender=License)
def _unissue_on_reversal(sender, charge: Charge, acting_user, **kwargs) -> None:
    """A void or a returned check takes the license back to awaiting payment."""
    license = License.objects.select_for_update(no_key=True).get(pk=charge.source_id)
    if license.status == License.Status.ACTIVE:
        license.status = License.Status.ASSESSED
        license.issued_at = None
        license.save(update_fields=["status", "issued_at"])
        replaced = License.objects.filter(
            pk=license.replaces_id,
            status=License.Status.CLOSED,
            status_reason=f"Replaced by {license.number}",
        ).first()
        if replaced is not None:  # the change did not go through after all: the old license stands
            replaced.status, replaced.status_reason = License.Status.ACTIVE, ""
            replaced.save(update_fields=["status", "status_reason"])
            core.audit(
                actor=acting_user,
                action="license.reinstated",
                obj=replaced,
                reason=f"payment on {license.number} reversed",
            )
        core.audit(
            actor=acting_user,
            action="license.unissued",
            obj=license,
            reason=f"payment on {charge.source_number} reversed",
        )


def verify(number: str) -> dict | None:
    """What the public may know of a license: status word, business, location, period."""
    license = (
        License.objects.select_related("business__party")
        .filter(number__iexact=(number or "").strip())
        .first()
    )
    if license is None or license.status not in (
        License.Status.ACTIVE,
        License.Status.EXPIRED,
        License.Status.SUSPENDED,
        License.Status.REVOKED,
        License.Status.CLOSED,
    ):
        return None
    today = core.city_today()
    status = license.get_status_display()
    if license.status == License.Status.ACTIVE:
        if today < license.valid_from:
            status = "Not yet valid"
        else:
            status = "Valid" if today <= license.valid_to else "Expired"
    business = license.business
    return {
        "number": license.number,
        "status": status,
        "name": business.party.name,
        "dba": business.dba,
        "location": business.location_city if business.home_based else business.location,
        "valid_from": license.valid_from,
        "valid_to": license.valid_to,
        "classification": business.classification.name,
    }


def total_due(license: License) -> Decimal:
    return sum((c.balance for c in license.charges()), Decimal("0.00"))


@transaction.atomic
def certificate_printed(*, license: License, acting_user) -> int:
    license = License.objects.select_for_update(no_key=True).get(pk=license.pk)
    if license.status != License.Status.ACTIVE:
        raise RevenueError(f"{license} is not active: no certificate.")
    license.prints += 1
    license.save(update_fields=["prints"])
    core.audit(
        actor=acting_user, action="license.certificate_printed", obj=license, after={"prints": license.prints}
    )
    return license.prints


# --------------------------------------------------------------------------- renewals

RENEWAL_CHUNK = 5_000


def delinquency_date(tax_year: int) -> datetime.date:
    policy = policy_on(tax_year_bounds(tax_year, policy_on().tax_year_start_month)[0])
    start, _end = tax_year_bounds(tax_year, policy.tax_year_start_month)
    return start + datetime.timedelta(days=policy.delinquent_after_days)


def renewal_run(*, tax_year: int, acting_user, progress=None) -> RenewalRun:
    """Create next year's renewal for every license active in the year before, in set-based SQL,
    a chunk of businesses per transaction (progress is saved after each). Running it again
    creates only the renewals that are missing, with their gapless numbers."""
    from django.db import connection

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
            with transaction.atomic(), connection.cursor() as cur:
                # take the license counter first: an application taking a number now finishes before
                # the candidates are read (the next statement sees it), so nothing is created twice
                cur.execute(
                    "INSERT INTO revenue_documentsequence (kind, fiscal_year, last_number) VALUES ('BL', %s, 0) "
                    "ON CONFLICT (kind, fiscal_year) DO UPDATE SET last_number = revenue_documentsequence.last_number",
                    [tax_year],
                )
                cur.execute(
                    """
                    WITH candidates AS (
                        SELECT l.id AS prior_id, l.business_id,
                               row_number() OVER (ORDER BY l.business_id) AS rn
                          FROM licensing_license l
                         WHERE l.tax_year = %(prior)s AND l.status IN ('active', 'expired')
                           AND l.business_id BETWEEN %(low)s AND %(high)s
                           AND NOT EXISTS (SELECT 1 FROM licensing_license n
                                            WHERE n.business_id = l.business_id AND n.tax_year = %(year)s)
                    ), counted AS (
                        SELECT count(*) AS n FROM candidates
                    ), seq AS (
                        INSERT INTO revenue_documentsequence (kind, fiscal_year, last_number)
                        SELECT 'BL', %(year)s, n FROM counted
                        ON CONFLICT (kind, fiscal_year)
                        DO UPDATE SET last_number = revenue_documentsequence.last_number + EXCLUDED.last_number
                        RETURNING last_number
                    )
                    INSERT INTO licensing_license
                        (number, business_id, tax_year, status, valid_from, valid_to, computation, denial_reason, status_reason,
                         prints, created_at, created_by_id, renewal_of_id)
                    SELECT 'BL' || %(year)s || '-' || lpad((seq.last_number - counted.n + c.rn)::text, 6, '0'),
                           c.business_id, %(year)s, 'renewal', %(start)s, %(end)s, '[]'::jsonb, '', '', 0, now(),
                           %(user)s, c.prior_id
                      FROM candidates c, counted, seq
                    """,
                    {
                        "prior": tax_year - 1,
                        "year": tax_year,
                        "low": low,
                        "high": high,
                        "start": start,
                        "end": end,
                        "user": acting_user.pk,
                    },
                )
                run.created += cur.rowcount
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
    computation, addons = compute(business=business, tax_year=license.tax_year, on=on)
    policy = policy_on(on)
    months, late_fee, capped = penalty(
        tax=computation.total,
        delinquent_on=delinquency_date(license.tax_year),
        on=on,
        percent_per_month=policy.penalty_percent_per_month,
        cap_percent=policy.penalty_cap_percent,
    )
    party = business.party
    if computation.total > 0:
        core.charge_assess(
            party=party,
            amount=computation.total,
            description=f"Business license tax {license.tax_year} (renewal)",
            receivable_account=policy_on().tax_receivable_account,
            revenue_account=policy_on().tax_revenue_account,
            source=license,
            source_number=license.number,
            acting_user=acting_user,
            assessed_on=on,
        )
    if late_fee:
        label = (
            f"Late: {months} month{'s' if months != 1 else ''} × {policy.penalty_percent_per_month.normalize():f}%"
            + (f", capped at {policy.penalty_cap_percent.normalize():f}%" if capped else "")
        )
        computation.add(label, late_fee)
        core.charge_assess(
            party=party,
            amount=late_fee,
            description=f"Late renewal penalty {license.tax_year}",
            receivable_account=policy_on().tax_receivable_account,
            revenue_account=policy_on().penalty_revenue_account,
            source=license,
            source_number=license.number,
            acting_user=acting_user,
            assessed_on=on,
        )
    for fee_type, _amount, _share in addons:
        core.charge_assess_fee(
            party=party,
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
        _issue(license, acting_user)  # nothing to pay: issued at once
    core.audit(
        actor=acting_user,
        action="renewal.assessed",
        obj=license,
        after={"tax": str(computation.total), "penalty": str(late_fee)},
    )
    return license


# --------------------------------------------------------------------------- later changes


def _change_status(license: License, *, to: str, allowed_from: tuple, reason: str, acting_user, action: str):
    if not reason.strip():
        raise RevenueError("Give the reason; it is kept with the license.")
    license = License.objects.select_for_update(no_key=True).get(pk=license.pk)
    if license.status not in allowed_from:
        raise RevenueError(f"{license} is {license.get_status_display().lower()}.")
    before = license.status
    license.status, license.status_reason = to, reason.strip()
    license.save(update_fields=["status", "status_reason"])
    core.audit(
        actor=acting_user,
        action=action,
        obj=license,
        before={"status": before},
        after={"status": to},
        reason=reason,
    )
    return license


# change: (permission, roles told when refused, new status, from which statuses, audit action)
STATUS_CHANGES = {
    "suspend": (
        "licensing.decide_license",
        "a Revenue Supervisor",
        License.Status.SUSPENDED,
        (License.Status.ACTIVE,),
        "license.suspended",
    ),
    "reinstate": (
        "licensing.decide_license",
        "a Revenue Supervisor",
        License.Status.ACTIVE,
        (License.Status.SUSPENDED,),
        "license.reinstated",
    ),
    "revoke": (
        "licensing.decide_license",
        "a Revenue Supervisor",
        License.Status.REVOKED,
        (License.Status.ACTIVE, License.Status.SUSPENDED),
        "license.revoked",
    ),
    # the business closed (or moved, or changed hands: the new license closes this one)
    "close": (
        "licensing.add_license",
        "the counter",
        License.Status.CLOSED,
        (License.Status.ACTIVE, License.Status.SUSPENDED),
        "license.closed",
    ),
}


@transaction.atomic
def license_status_change(*, license: License, change: str, reason: str, acting_user) -> License:
    perm, who, to, allowed_from, action = STATUS_CHANGES[change]
    if not acting_user.has_perm(perm):
        raise NotAllowed(f"Only {who} may {change} a license.")
    return _change_status(
        license, to=to, allowed_from=allowed_from, reason=reason, acting_user=acting_user, action=action
    )


license_suspend = partial(license_status_change, change="suspend")
license_reinstate = partial(license_status_change, change="reinstate")
license_revoke = partial(license_status_change, change="revoke")
license_close = partial(license_status_change, change="close")


@transaction.atomic
def license_change(*, license: License, acting_user, party: Party | None = None, **changes) -> License:
    """A change of location or ownership: a new business record and a new application; the old
    license stays valid until the new one is issued, which closes it."""
    old = License.objects.select_related("business").get(pk=license.pk)
    if old.status != License.Status.ACTIVE:
        raise RevenueError(f"{old} is not active: apply for a new license instead.")
    fields = [
        "dba",
        "location_address",
        "location_city",
        "home_based",
        "ownership",
        "owner_name",
        "owner_phone",
        "owner_email",
        "started_on",
        "employees",
        "classification",
        "gross_receipts",
        "receipts_estimated",
    ]
    data = {f: changes.get(f, getattr(old.business, f)) for f in fields}
    business = business_create(party=party or old.business.party, acting_user=acting_user, **data)
    new = application_submit(business=business, acting_user=acting_user, tax_year=old.tax_year, replacing=old)
    new.replaces = old
    new.save(update_fields=["replaces"])
    core.audit(actor=acting_user, action="license.change_applied", obj=old, after={"new": new.number})
    return new


# --------------------------------------------------------------------------- next year's schedule


@transaction.atomic
def schedule_roll_forward(*, from_year: int, percent, acting_user) -> int:
    """Next tax year's rules from this year's by a percentage (CPI), rounded as the policy says;
    bracket floors stay, amounts move. Rules already made for next year are left alone."""
    from decimal import ROUND_HALF_UP

    if not acting_user.has_perm("licensing.set_license_tax"):
        raise NotAllowed("Only a Revenue Supervisor sets the license tax schedule.")
    try:
        factor = 1 + Decimal(str(percent)) / 100
    except Exception as exc:  # noqa: BLE001 - any unreadable percentage
        raise RevenueError("Enter the adjustment as a percentage, e.g. 3.2.") from exc
    if not Decimal("-50") <= factor * 100 - 100 <= Decimal("50"):
        raise RevenueError("An adjustment beyond ±50% is refused; check the figure.")
    step = Decimal("1") if policy_on().cpi_rounding == "dollar" else Decimal("0.01")

    def scale(amount):
        if amount is None:
            return None
        return (amount * factor).quantize(step, rounding=ROUND_HALF_UP).quantize(Decimal("0.01"))

    made = 0
    for rule in TaxRule.objects.filter(tax_year=from_year).prefetch_related("brackets"):
        if TaxRule.objects.filter(classification=rule.classification, tax_year=from_year + 1).exists():
            continue
        new = TaxRule.objects.create(
            classification=rule.classification,
            tax_year=from_year + 1,
            kind=rule.kind,
            flat_amount=scale(rule.flat_amount),
            base_amount=scale(rule.base_amount),
            per_employee=scale(rule.per_employee),
            minimum_tax=scale(rule.minimum_tax),
            maximum_tax=scale(rule.maximum_tax),
            created_by=acting_user,
        )
        for b in rule.brackets.all():
            new.brackets.create(floor=b.floor, ceiling=b.ceiling, fixed=scale(b.fixed), percent=b.percent)
        made += 1
    for addon in AddOn.objects.filter(tax_year=from_year):
        AddOn.objects.get_or_create(tax_year=from_year + 1, fee_type=addon.fee_type)
    core.audit(
        actor=acting_user,
        action="schedule.rolled_forward",
        obj=policy_on(),
        after={"from": from_year, "percent": str(percent), "rules": made},
    )
    return made


def expire_lapsed(*, on: datetime.date | None = None) -> int:
    """Active licenses whose period has ended expire (one statement). Returns how many."""
    on = on or core.city_today()
    return License.objects.filter(status=License.Status.ACTIVE, valid_to__lt=on).update(
        status=License.Status.EXPIRED
    )


@transaction.atomic
def penalty_to_date(*, license: License, on: datetime.date, acting_user) -> Decimal:
    """Bring a late renewal's penalty up to `on` (the day it is paid): assess the difference
    between the penalty due that day and what was assessed before. Never lowers it."""
    license = (
        License.objects.select_for_update(no_key=True).select_related("business__party").get(pk=license.pk)
    )
    if license.status != License.Status.ASSESSED or license.renewal_of_id is None:
        return Decimal("0.00")
    policy = policy_on(on)
    charges = list(license.charges().select_for_update(no_key=True).order_by("pk"))
    tax = next((c for c in charges if c.revenue_account_id == policy.tax_revenue_account_id), None)
    if tax is None or tax.is_settled:
        return Decimal("0.00")
    months, due, _capped = penalty(
        tax=tax.amount,
        delinquent_on=delinquency_date(license.tax_year),
        on=on,
        percent_per_month=policy.penalty_percent_per_month,
        cap_percent=policy.penalty_cap_percent,
    )
    assessed = sum(
        (c.amount for c in charges if c.revenue_account_id == policy.penalty_revenue_account_id),
        Decimal("0.00"),
    )
    extra = due - assessed
    if extra <= 0:
        return Decimal("0.00")
    core.charge_assess(
        party=license.business.party,
        amount=extra,
        description=f"Late renewal penalty {license.tax_year} to {on:%m/%d/%Y} ({months} month{'s' if months != 1 else ''})",
        receivable_account=policy_on().tax_receivable_account,
        revenue_account=policy_on().penalty_revenue_account,
        source=license,
        source_number=license.number,
        acting_user=acting_user,
        assessed_on=on,
    )
    return extra


@receiver(charges_requested)
def _penalty_at_the_counter(sender, number: str, on: datetime.date, acting_user, **kwargs) -> None:
    license = License.objects.filter(number__iexact=number).select_related("business__party").first()
    if license is not None:
        penalty_to_date(license=license, on=on, acting_user=acting_user)
