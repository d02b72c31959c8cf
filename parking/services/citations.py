"""Citations: entered by hand, the registered owner, the late penalty on one citation (the
counter adds it on the day of payment), and the counter's hooks (a plate typed at the counter,
no waiver of a citation's charges, the citation holder's charges kept off the party's credit)."""

from __future__ import annotations

import datetime
import re

from django.db import IntegrityError, transaction
from django.dispatch import receiver
from django.utils import timezone

from revenue import services as core
from revenue.extensions import counter_finder, exception_guard, holding_check
from revenue.models import Charge
from revenue.money import ZERO, money
from revenue.signals import charges_requested

from .. import rules, selectors
from ..models import Citation, ParkingPolicy


def citation_lock(citation: Citation) -> Citation:
    return Citation.objects.select_for_update(no_key=True).select_related("violation").get(pk=citation.pk)


@transaction.atomic
def citation_enter(
    *,
    number: str,
    issued_at: datetime.datetime,
    plate: str,
    state: str,
    violation_code: str,
    location: str,
    badge: str,
    acting_user,
    make: str = "",
    fine=None,
    owner_name: str = "",
    owner_address: str = "",
) -> Citation:
    """A hand-written citation keyed in from the officer's copy."""
    number = (number or "").strip().upper()
    if not re.fullmatch(r"[A-Z0-9]{4,20}", number):
        raise rules.RuleError("A citation number has 4 to 20 letters and digits.")
    if timezone.is_naive(issued_at):
        issued_at = timezone.make_aware(issued_at)
    if issued_at > timezone.localtime() + datetime.timedelta(minutes=1):
        raise rules.RuleError("The issue date and time is in the future.")
    issued_on = timezone.localtime(issued_at).date()
    if issued_on < core.city_today() - datetime.timedelta(days=3 * 365):
        raise rules.RuleError("The issue date is more than three years ago: check it.")
    plate, state = rules.clean_plate(plate), rules.clean_state(state)
    if not (location or "").strip():
        raise rules.RuleError("Enter where the vehicle was parked.")
    if not (badge or "").strip():
        raise rules.RuleError("Enter the officer's badge number.")
    scheduled = selectors.fine_schedule().fine(violation_code, issued_on)
    written = money(fine, field="Fine", maximum=rules.MAX_FINE) if fine not in (None, "") else None
    fine, fine_written = scheduled.fine_for(written, issued_on)  # the officer's, within the code's range
    if Citation.objects.filter(number=number).exists():
        raise rules.RuleError(f"Citation {number} is already on file.")
    policy = selectors.policy_on()
    try:
        with transaction.atomic():
            citation = Citation.objects.create(
                number=number,
                issued_at=issued_at,
                issued_on=issued_on,
                plate=plate,
                state=state,
                make=(make or "").strip().upper()[:20],
                violation_id=scheduled.violation_id,
                location=location.strip()[:120],
                badge=badge.strip()[:10],
                fine=fine,
                fine_written=fine_written,
                owner_name=owner_name.strip(),
                owner_address=owner_address.strip(),
                created_by=acting_user,
            )
    except IntegrityError:
        raise rules.RuleError(f"Citation {number} is already on file.") from None
    core.charge_assess(
        party=policy.citation_party,
        amount=fine,
        description=f"Citation {citation.violation.code} {citation.violation.description}",
        receivable_account=policy.citation_receivable_account,
        revenue_account=policy.fine_revenue_account,
        source=citation,
        source_number=number,
        assessed_on=issued_on,
        due_on=rules.deadlines(issued_on, policy).due_on,
        acting_user=acting_user,
    )
    core.audit(
        actor=acting_user,
        action="citation.entered",
        obj=citation,
        after={"fine": str(fine), "fine_written": fine_written},
    )
    return citation


@transaction.atomic
def citation_owner_set(*, citation: Citation, owner_name: str, owner_address: str, acting_user) -> Citation:
    """Record the registered owner (from DMV) that notices are addressed to."""
    citation = citation_lock(citation)
    before = core.snapshot(citation, ["owner_name", "owner_address"])
    citation.owner_name, citation.owner_address = owner_name.strip()[:200], owner_address.strip()[:300]
    citation.save(update_fields=["owner_name", "owner_address"])
    core.audit(
        actor=acting_user,
        action="citation.owner",
        obj=citation,
        before=before,
        after=core.snapshot(citation, ["owner_name", "owner_address"]),
    )
    return citation


# --------------------------------------------------------------------------- late penalty


@transaction.atomic
def penalty_assess(*, citation: Citation, on: datetime.date | None = None, acting_user) -> list[Charge]:
    """Add the late penalties one citation owes on `on` and has not had (the counter calls this
    for the day of payment): the first, then each tier of its fine whose day has passed, each a
    charge of its own, each once. Not while a contest is pending, on a plan, or dismissed."""
    on = on or core.city_today()
    citation = citation_lock(citation)
    policy = selectors.policy_on(on)
    steps = selectors.penalties_owed(
        citation,
        on,
        policy,
        pending=selectors.has_pending_contest(citation),
        owed=selectors.citation_owed(citation),
    )
    if not steps:
        return []
    charges = [
        core.charge_assess(
            party=policy.citation_party,
            amount=step.amount,
            description=f"Late penalty (unpaid after {rules.unpaid_after(citation.issued_on, step.after_days):%m/%d/%Y})",
            receivable_account=policy.citation_receivable_account,
            revenue_account=policy.penalty_revenue_account,
            source=citation,
            source_number=citation.number,
            assessed_on=on,
            due_on=on,
            acting_user=acting_user,
        )
        for step in steps
        if step.amount > ZERO
    ]
    Citation.objects.filter(pk=citation.pk).update(
        penalty_tiers=steps[-1].number, penalty_on=citation.penalty_on or on
    )
    core.audit(
        actor=acting_user,
        action="citation.penalty",
        obj=citation,
        after={"penalties": [str(s.amount) for s in steps], "tiers": steps[-1].number, "on": on},
    )
    return charges


# --------------------------------------------------------------------------- at the counter


@receiver(charges_requested)
def _penalty_at_the_counter(sender, number: str, on: datetime.date, acting_user, **kwargs) -> None:
    citation = Citation.objects.filter(number=(number or "").strip().upper()).first()
    if citation is not None and citation.status == Citation.Status.OPEN:
        penalty_assess(citation=citation, on=on, acting_user=acting_user)


@exception_guard
def _citation_charges(kind, target) -> str | None:
    """A citation is reduced or dismissed by a review's decision (dated, with its reason, and
    with its status and DMV hold following), not by a waiver or write-off of its charges."""
    if isinstance(target, Charge) and target.source_type_id and target.source_type.model_class() is Citation:
        return f"{target.source_number} is a parking citation: dismiss or reduce it through a review."
    return None


@holding_check
def _held_for_registered_owners(charge: Charge) -> bool:
    return ParkingPolicy.objects.filter(citation_party_id=charge.party_id).exists()


@counter_finder
def _plate_at_the_counter(text: str, *, on: datetime.date, user) -> list[str]:
    """A plate typed at the counter finds the plate's open citations (numbers, oldest first), each
    with the late penalty paying today adds. Plates are unique only within a state: a plate with
    open citations in two states needs its state typed too."""
    if Citation.objects.filter(number=(text or "").strip().upper()).exists():
        return []
    readings = selectors.plate_readings(text)
    if len(readings) > 1:
        raise rules.RuleError(
            f"“{text.strip()}” reads as two plates on file: "
            + " or ".join(f"{r.label} (type {r.typed})" for r in readings)
            + "."
        )
    if not readings:
        return []
    found = list(
        readings[0]
        .citations()
        .filter(status=Citation.Status.OPEN)
        .select_related("violation")
        .order_by("issued_at")[:500]
    )
    states = sorted({c.state for c in found})
    if len(states) > 1:
        plate = found[0].plate
        raise rules.RuleError(
            f"{plate} has open citations in {' and '.join(states)}: type the state too, "
            f"e.g. {states[0]} {plate}."
        )
    if found:
        policy = selectors.policy_on(on)
        contested = selectors.pending_contests(found)
        late = [c for c in found if c.penalty_tiers or rules.penalty_due(c.issued_on, on, policy)]
        schedule = selectors.fine_schedule({c.violation for c in late}) if late else None
        for c in late:  # only the few that owe a penalty today are touched
            period = schedule.fine(c.violation.code, c.issued_on)
            if selectors.penalties_owed(c, on, policy, pending=c.pk in contested, owed=None, period=period):
                penalty_assess(citation=c, on=on, acting_user=user)
    return [c.number for c in found]
