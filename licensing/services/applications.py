"""License applications: apply, sign off the review, approve (which assesses the charges) or
deny, and the automatic issue when the charges are paid at the counter (and un-issue when that
payment is voided or its check returned)."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.dispatch import receiver
from django.utils import timezone

from revenue import services as core
from revenue.exceptions import NotAllowed, RevenueError
from revenue.models import Charge, Party
from revenue.signals import charge_reopened, charge_settled

from ..models import Business, License, SignOff
from ..tax import tax_year_bounds
from .schedule import compute, current_tax_year, policy_on


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
    policy = policy_on()
    party = license.business.party
    if computation.total > 0:
        core.charge_assess(
            party=party,
            amount=computation.total,
            description=f"Business license tax {license.tax_year}",
            receivable_account=policy.tax_receivable_account,
            revenue_account=policy.tax_revenue_account,
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
        issue(license, acting_user)
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


def issue(license: License, acting_user) -> None:
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
        issue(license, acting_user)


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
