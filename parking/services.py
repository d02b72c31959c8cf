"""Citation operations: manual entry, the late penalty, contests (review, hearing), delinquent
notices, DMV hold files, payment plans, and the status kept in step with the money (the core's
charge signals). Imports are in parking.imports, permits and their stock in parking.permits."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db import transaction

from revenue import services as core
from revenue.exceptions import RevenueError

from . import rules
from .models import ParkingPolicy, Violation, ViolationFine

ZERO = Decimal("0.00")


def policy_on(day: datetime.date | None = None) -> ParkingPolicy:
    day = day or core.city_today()
    policy = core.in_force(ParkingPolicy.objects.select_related("citation_party"), day)
    if policy is None:
        raise RevenueError("No parking policy is in force; a supervisor must set one in Configuration.")
    return policy


def fines_index() -> dict[str, list[tuple[datetime.date, Decimal, Decimal, int]]]:
    """Every active violation code's fines, newest first: code -> [(from, fine, penalty, violation id)]."""
    index: dict[str, list] = {}
    for f in (
        ViolationFine.objects.filter(violation__active=True)
        .select_related("violation")
        .order_by("-effective_from")
    ):
        index.setdefault(f.violation.code.upper(), []).append(
            (f.effective_from, f.fine, f.late_penalty, f.violation_id)
        )
    return index


def fine_in_index(index, code: str, on: datetime.date) -> tuple[Decimal, Decimal, int]:
    """(fine, late penalty, violation id) for a code on a day, or RuleError for the clerk."""
    rows = index.get((code or "").strip().upper())
    if not rows:
        raise rules.RuleError(f"Unknown violation code {code!r}.")
    for effective_from, fine, penalty, vid in rows:
        if effective_from <= on:
            return fine, penalty, vid
    raise rules.RuleError(f"Violation {code} had no fine set on {on:%m/%d/%Y}.")


def fine_on(violation: Violation, on: datetime.date) -> ViolationFine:
    fine = core.in_force(violation.fines.all(), on)
    if fine is None:
        raise RevenueError(f"Violation {violation.code} had no fine set on {on:%m/%d/%Y}.")
    return fine


__all__ = ["policy_on", "fines_index", "fine_in_index", "fine_on", "transaction"]
