"""Later changes to a license: suspend, reinstate, revoke, close, and a change of location or
ownership (a new application that closes the old license when issued)."""

from __future__ import annotations

from functools import partial

from django.db import transaction

from revenue import services as core
from revenue.exceptions import NotAllowed, RevenueError
from revenue.models import Party

from ..models import License
from .applications import application_submit, business_create


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
