"""The fine schedule as a supervisor sets it up on a violation's page: a violation code, and its
fines from a date, each with its late penalty, the further penalty tiers and, for a code whose
fine the officer writes, the range allowed. Rows are added, never edited (a later row replaces an
earlier one), from today on: citations already written keep the fine they were written under."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

from django.db import IntegrityError, transaction

from revenue import services as core
from revenue.exceptions import InvalidAmount, NotAllowed
from revenue.money import ZERO, money

from .. import rules
from ..models import ParkingPolicy, PenaltyTier, Violation, ViolationFine

MAX_TIERS = 10


def _supervisor(acting_user, perm: str, what: str) -> None:
    if not acting_user.has_perm(perm):
        raise NotAllowed(f"Only a supervisor {what}.")


def _amount(value, field: str, *, allow_zero: bool = False) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        amount = money(value, field=field, maximum=rules.MAX_FINE)
    except InvalidAmount as exc:
        raise rules.RuleError(str(exc)) from None
    if amount < ZERO or (amount == ZERO and not allow_zero):
        raise rules.RuleError(f"{field} must be more than 0.00.")
    return amount


@transaction.atomic
def violation_add(*, code: str, description: str, acting_user) -> Violation:
    """A new violation code (its fines are added on its page)."""
    _supervisor(acting_user, "parking.add_violation", "adds violation codes")
    code, description = (code or "").strip(), (description or "").strip()
    if not re.fullmatch(r"[A-Za-z0-9().\-/]{1,20}", code):
        raise rules.RuleError("A violation code has 1 to 20 letters, digits and . - / ( ), e.g. 22500(a).")
    if not description:
        raise rules.RuleError("Describe the violation, as printed on the citation.")
    if Violation.objects.filter(code__iexact=code).exists():
        raise rules.RuleError(f"Violation code {code} is already on the schedule.")
    violation = Violation.objects.create(code=code, description=description[:150])
    core.audit(
        actor=acting_user,
        action="violation.created",
        obj=violation,
        after={"code": code, "description": description},
    )
    return violation


def _tiers(tiers, effective_from: datetime.date) -> list[tuple[int, Decimal]]:
    """[(after_days, amount)] checked: whole days after the first penalty's, each day once."""
    policy = core.in_force(ParkingPolicy.objects.all(), effective_from)
    first = policy.penalty_after_days if policy is not None else 0
    out: dict[int, Decimal] = {}
    for days, amount in tiers:
        if days in (None, "") and amount in (None, ""):
            continue
        try:
            days = int(days)
        except (TypeError, ValueError):
            raise rules.RuleError(f"A tier's days must be a whole number, not {days!r}.") from None
        if not first < days <= 3650:
            raise rules.RuleError(
                f"A tier comes after the first late penalty (unpaid more than {first} days) and within "
                f"ten years: {days} days will not do."
            )
        if days in out:
            raise rules.RuleError(f"Two tiers after {days} days: give each tier its own day.")
        out[days] = _amount(amount, f"The tier after {days} days")
        if out[days] is None:
            raise rules.RuleError(f"Enter the amount added after {days} days.")
    if len(out) > MAX_TIERS:
        raise rules.RuleError(f"At most {MAX_TIERS} tiers.")
    return sorted(out.items())


@transaction.atomic
def fine_add(
    *,
    violation: Violation,
    effective_from: datetime.date,
    fine,
    late_penalty,
    acting_user,
    fine_min=None,
    fine_max=None,
    tiers=(),
) -> ViolationFine:
    """A violation's fine from a date with its late penalty (after the policy's days), further
    tiers [(after_days, amount)] that add to it, and optionally the range within which the officer
    may write the fine. Nothing is written when anything is wrong."""
    _supervisor(acting_user, "parking.add_violationfine", "sets fines")
    if effective_from < core.city_today():
        raise rules.RuleError(
            "A fine takes effect from today or a later day: citations already written keep the fine "
            "they were written under."
        )
    fine = _amount(fine, "The fine")
    if fine is None:
        raise rules.RuleError("Enter the fine.")
    late_penalty = _amount(late_penalty, "The late penalty", allow_zero=True) or ZERO
    fine_min, fine_max = _amount(fine_min, "The lowest fine"), _amount(fine_max, "The highest fine")
    if (fine_min is None) != (fine_max is None):
        raise rules.RuleError("Give both the lowest and the highest fine the officer may write, or neither.")
    if fine_min is not None and not fine_min <= fine <= fine_max:
        raise rules.RuleError(f"The scheduled fine {fine} must lie within {fine_min} to {fine_max}.")
    steps = _tiers(tiers, effective_from)
    violation = Violation.objects.select_for_update(no_key=True).get(pk=violation.pk)
    if violation.fines.filter(effective_from=effective_from).exists():
        raise rules.RuleError(
            f"{violation.code} already has a fine from {effective_from:%m/%d/%Y}: add one from another date."
        )
    try:
        with transaction.atomic():
            row = ViolationFine.objects.create(
                violation=violation,
                effective_from=effective_from,
                fine=fine,
                late_penalty=late_penalty,
                fine_min=fine_min,
                fine_max=fine_max,
                created_by=acting_user,
            )
    except IntegrityError:
        raise rules.RuleError(
            f"{violation.code} already has a fine from {effective_from:%m/%d/%Y}."
        ) from None
    PenaltyTier.objects.bulk_create([PenaltyTier(fine=row, after_days=d, amount=a) for d, a in steps])
    core.audit(
        actor=acting_user,
        action="violationfine.created",
        obj=row,
        after={
            "violation": violation.code,
            "effective_from": effective_from,
            "fine": str(fine),
            "late_penalty": str(late_penalty),
            "range": [str(fine_min), str(fine_max)] if fine_min is not None else None,
            "tiers": [[d, str(a)] for d, a in steps],
        },
    )
    return row
