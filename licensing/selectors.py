"""Licensing reads: what the public may know of a license, and the penalty a renewal waiting for
its figures would carry today."""

from __future__ import annotations

from decimal import Decimal

from revenue import services as core

from .models import License
from .services.renewals import delinquency_date
from .services.schedule import policy_on
from .tax import Computation, penalty


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
