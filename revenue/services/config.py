"""Withdrawing effective-dated configuration added by mistake: one service for every app."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone

from ..exceptions import NotAllowed, RevenueError
from ..models import EffectiveDated
from .audit import audit, snapshot

WITHDRAW_PERMISSION = "revenue.withdraw_config"


def config_in_force_until(row: EffectiveDated) -> datetime.date | None:
    """The day the next row of the same scope takes over from `row` (None: none does yet)."""
    model = type(row)
    attnames = [model._meta.get_field(f).attname for f in row.config_scope]
    scope = {a: getattr(row, a) for a in attnames}
    return (
        model.config_rows()
        .filter(**scope, effective_from__gt=row.effective_from)
        .order_by("effective_from")
        .values_list("effective_from", flat=True)
        .first()
    )


def config_usage(row: EffectiveDated) -> str:
    """Why `row` can no longer be withdrawn, as a sentence; "" when it can be."""
    if row.is_withdrawn:
        return f"it was withdrawn on {timezone.localtime(row.withdrawn_at):%m/%d/%Y} by {row.withdrawn_by}"
    used = row.config_used(config_in_force_until(row))
    if used:
        return (
            f"{used} used it. Add a corrected row from a later date instead; it replaces this one from then"
        )
    return ""


@transaction.atomic
def config_withdraw(*, row: EffectiveDated, acting_user, reason: str) -> EffectiveDated:
    """Take a row of configuration out of force because it was a mistake, before anything used
    it: it stops being in force everywhere and its date is free for a corrected row. Audited
    with the reason. Refused, with the reason why, when something already used it."""
    if not acting_user.has_perm(WITHDRAW_PERMISSION):
        raise NotAllowed("Only a Revenue Supervisor withdraws configuration.")
    reason = (reason or "").strip()
    if not reason:
        raise RevenueError("Say why this row is withdrawn.")
    model = type(row)
    row = model.all_rows.select_for_update(no_key=True).get(pk=row.pk)
    why = config_usage(row)
    if why:
        raise RevenueError(f"{row} cannot be withdrawn: {why}.")
    row.withdrawn_at = timezone.now()
    row.withdrawn_by = acting_user
    row.withdrawn_reason = reason[:250]
    row.save(update_fields=["withdrawn_at", "withdrawn_by", "withdrawn_reason"])
    audit(
        actor=acting_user,
        action=f"{model._meta.model_name}.withdrawn",
        obj=row,
        before={"withdrawn_at": None, "effective_from": row.effective_from},
        after=snapshot(row, ["withdrawn_at", "withdrawn_by", "effective_from"]),
        reason=reason,
    )
    return row
