"""Collections referrals: an invoice that reaches a referral level of a dunning run with at least
the policy's collections threshold owed is marked referred, once, with an audit row each."""

from __future__ import annotations

import datetime

from django.db import transaction

from revenue import services as core

from ..models import DunningRun, Invoice


@transaction.atomic
def invoices_refer(
    *, invoice_ids: list[int], on: datetime.date, run: DunningRun, acting_user
) -> list[Invoice]:
    """Refer to collections on `on` those of the invoices not referred yet; the ones referred."""
    referred = list(
        Invoice.objects.filter(pk__in=invoice_ids, collections_referred_on__isnull=True).order_by("pk")
    )
    Invoice.objects.filter(pk__in=[inv.pk for inv in referred]).update(collections_referred_on=on)
    for inv in referred:
        core.audit(
            actor=acting_user,
            action="invoice.referred_to_collections",
            obj=inv,
            before={"collections_referred_on": None},
            after={"collections_referred_on": on.isoformat(), "run": run.pk},
        )
    return referred
