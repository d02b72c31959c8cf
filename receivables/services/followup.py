"""Follow-up on past-due accounts: the log of calls, letters, visits and notes, with any promise
to pay and the date of the next action (the worklist reads it, receivables.selectors)."""

from __future__ import annotations

import datetime

from django.db import transaction

from revenue import services as core
from revenue.exceptions import NotAllowed, RevenueError
from revenue.models import Party

from ..models import FollowUp, Invoice


@transaction.atomic
def followup_log(
    *,
    party: Party,
    kind: str,
    note: str,
    acting_user,
    invoice: Invoice | None = None,
    promise_on: datetime.date | None = None,
    promise_amount=None,
    next_action_on: datetime.date | None = None,
) -> FollowUp:
    """Record a call, letter, visit or note on a customer's past-due account: what was said, any
    promise to pay (date and amount) and when to follow up next."""
    if not acting_user.has_perm("receivables.log_followup"):
        raise NotAllowed("Your role does not record follow-up.")
    if kind not in FollowUp.Kind.values:
        raise RevenueError("Choose what kind of contact this was.")
    if not note or not note.strip():
        raise RevenueError("Write what was said or done.")
    today = core.city_today()
    if promise_on is not None and promise_on < today:
        raise RevenueError("The promise-to-pay date cannot be in the past.")
    if next_action_on is not None and next_action_on < today:
        raise RevenueError("The next action date cannot be in the past.")
    if promise_amount not in (None, ""):
        promise_amount = core.money(promise_amount, field="Promised amount")
        if promise_on is None:
            raise RevenueError("Give the date the customer promised to pay by.")
    else:
        promise_amount = None
    if invoice is not None and invoice.party_id != party.pk:
        raise RevenueError(f"Invoice {invoice.number} is not {party.name}'s.")
    followup = FollowUp.objects.create(
        party=party,
        invoice=invoice,
        kind=kind,
        note=note.strip(),
        promise_on=promise_on,
        promise_amount=promise_amount,
        next_action_on=next_action_on,
        created_by=acting_user,
    )
    core.audit(
        actor=acting_user,
        action="followup.logged",
        obj=followup,
        after={
            "party": party.number,
            "invoice": invoice.number if invoice else None,
            "kind": kind,
            "promise_on": promise_on.isoformat() if promise_on else None,
            "promise_amount": str(promise_amount) if promise_amount else None,
            "next_action_on": next_action_on.isoformat() if next_action_on else None,
        },
    )
    return followup
