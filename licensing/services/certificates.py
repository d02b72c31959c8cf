"""Certificates: the count of printed certificates (a reprint is marked DUPLICATE)."""

from __future__ import annotations

from django.db import transaction

from revenue import services as core
from revenue.exceptions import NotAllowed, RevenueError

from ..models import License


@transaction.atomic
def certificate_printed(*, license: License, acting_user) -> int:
    if not acting_user.has_perm("licensing.print_certificate"):
        raise NotAllowed(
            "Your role does not print certificates; open the certificate to read a view-only copy."
        )
    license = License.objects.select_for_update(no_key=True).get(pk=license.pk)
    if license.status != License.Status.ACTIVE:
        raise RevenueError(f"{license} is not active: no certificate.")
    license.prints += 1
    license.save(update_fields=["prints"])
    core.audit(
        actor=acting_user, action="license.certificate_printed", obj=license, after={"prints": license.prints}
    )
    return license.prints
