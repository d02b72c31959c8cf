"""Licensing reads: what the public may know of a license, and the penalty a renewal waiting for
its figures would carry today."""

from __future__ import annotations

from decimal import Decimal

from revenue import services as core

from .models import License
from .services.renewals import delinquency_date
from .services.schedule import policy_on
from .tax import Computation, penalty

PUBLIC_STATUSES = (
    License.Status.ACTIVE,
    License.Status.EXPIRED,
    License.Status.SUSPENDED,
    License.Status.REVOKED,
    License.Status.CLOSED,
)
NOT_YET_ISSUED = (
    License.Status.RENEWAL,
    License.Status.SUBMITTED,
    License.Status.IN_REVIEW,
    License.Status.APPROVED,
    License.Status.ASSESSED,
)
NOT_YET_IN_FORCE = "Not yet in force"


def verify(number: str) -> dict | None:
    """What the public may know of a license: status word, business, location, period. A number
    applied for (or a renewal) but not yet issued is "not yet in force", with nothing but its
    number; a number the city never issued, or denied, is not found (None)."""
    license = (
        License.objects.select_related("business__party", "business__classification")
        .filter(number__iexact=(number or "").strip())
        .first()
    )
    if license is not None and license.status in NOT_YET_ISSUED:
        return {"number": license.number, "status": NOT_YET_IN_FORCE, "issued": False}
    if license is None or license.status not in PUBLIC_STATUSES:
        return None
    today = core.city_today()
    status = license.get_status_display()
    if license.status == License.Status.ACTIVE:
        if today < license.valid_from:
            status = NOT_YET_IN_FORCE
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
        "issued": True,
    }


def renewal_penalty_today(license: License, computation: Computation) -> tuple[int, Decimal, bool]:
    """(months, penalty, capped) a renewal waiting for its figures would carry if assessed today."""
    today = core.city_today()
    policy = policy_on()
    return penalty(
        tax=computation.total,
        delinquent_on=delinquency_date(license.tax_year),
        on=today,
        percent_per_month=policy.penalty_percent_per_month,
        cap_percent=policy.penalty_cap_percent,
    )
