"""Certificates: the count of printed certificates (a reprint is marked DUPLICATE)."""

from __future__ import annotations

from django.db import transaction

from revenue import services as core
from revenue.exceptions import RevenueError

from ..models import License


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
