"""TOT operators: the hotels, motels and short-term rentals that collect the tax."""

from __future__ import annotations

import re

from django.db import IntegrityError, transaction

from revenue import services as core
from revenue.exceptions import NotAllowed, RevenueError
from revenue.models import Party

from ..models import Operator

CERTIFICATE_RE = re.compile(r"[A-Z0-9-]{1,20}")
CERTIFICATE_RULE = (
    "A certificate number has up to 20 letters A to Z, digits 0 to 9 and dashes "
    "(no accented letters, spaces or other signs)."
)
MAX_ROOMS = 100_000
OPERATOR_FIELDS = ["name", "kind", "location", "rooms", "status", "opened_on", "closed_on", "party_id"]


@transaction.atomic
def operator_create(*, acting_user, party: Party, **data) -> Operator:
    if not acting_user.has_perm("tot.add_operator"):
        raise NotAllowed("Your role cannot add TOT operators.")
    operator = Operator(party=party, created_by=acting_user, **data)
    _operator_check(operator)
    try:
        with transaction.atomic():
            operator.save()
    except IntegrityError as exc:
        raise RevenueError(f"Certificate number {operator.certificate_number} is already in use.") from exc
    core.audit(
        actor=acting_user,
        action="tot_operator.created",
        obj=operator,
        after=core.snapshot(operator, ["certificate_number", *OPERATOR_FIELDS]),
    )
    return operator


@transaction.atomic
def operator_update(*, operator: Operator, acting_user, **data) -> Operator:
    if not acting_user.has_perm("tot.change_operator"):
        raise NotAllowed("Your role cannot change TOT operators.")
    operator = Operator.objects.select_for_update(no_key=True).get(pk=operator.pk)
    before = core.snapshot(operator, OPERATOR_FIELDS)
    for key, value in data.items():
        if key not in ("certificate_number", "created_by", "pk", "id"):
            setattr(operator, key, value)
    _operator_check(operator)
    after = core.snapshot(operator, OPERATOR_FIELDS)
    if before != after:
        operator.save()
        core.audit(actor=acting_user, action="tot_operator.updated", obj=operator, before=before, after=after)
    return operator


def _operator_check(operator: Operator) -> None:
    operator.certificate_number = (operator.certificate_number or "").strip().upper()
    if not operator.certificate_number:
        raise RevenueError("The certificate number is required.")
    if not CERTIFICATE_RE.fullmatch(operator.certificate_number):
        raise RevenueError(CERTIFICATE_RULE)
    if not isinstance(operator.rooms, int) or isinstance(operator.rooms, bool) or operator.rooms < 1:
        raise RevenueError("An operator has at least one room or unit.")
    if operator.rooms > MAX_ROOMS:
        raise RevenueError(f"An operator has at most {MAX_ROOMS:,} rooms or units.")
    if operator.closed_on and operator.closed_on < operator.opened_on:
        raise RevenueError("The closing date is before the opening date.")
    if operator.status == Operator.Status.CLOSED and not operator.closed_on:
        raise RevenueError("A closed operator needs its closing date.")
    if operator.closed_on and operator.status != Operator.Status.CLOSED:
        raise RevenueError("Set the status to Closed when there is a closing date (or clear the date).")
