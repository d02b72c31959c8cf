"""Cashier sessions: the counter policy in force, opening a drawer, the session lock.

Every counter operation locks in a fixed order: the cashier session first (FOR NO KEY UPDATE
for work in the session, FOR UPDATE to close it, so a close waits for any receipt under way and
no receipt can slip in after), then the core's party, payment and charges, numbers last."""

from __future__ import annotations

import datetime

from django.db import IntegrityError, transaction

from revenue import services as core
from revenue.exceptions import InvalidAmount, NotAllowed, RevenueError

from ..models import DENOMINATION_BY_KEY, CashieringPolicy, CashierSession, Drawer, counts_total


def policy_on(day: datetime.date | None = None) -> CashieringPolicy:
    return core.policy_on(CashieringPolicy, day, related=("walk_in_party", "returned_check_fee"))


def clean_counts(counts: dict) -> dict[str, int]:
    """Denomination counts: known denominations, whole numbers from 0 to 100,000."""
    cleaned = {}
    for key, n in (counts or {}).items():
        if key not in DENOMINATION_BY_KEY:
            raise InvalidAmount(f"Unknown denomination: {key}.")
        try:
            n = int(n or 0)
        except (TypeError, ValueError) as exc:
            raise InvalidAmount(f"{DENOMINATION_BY_KEY[key].label}: enter a whole number.") from exc
        if n < 0 or n > 100_000:
            raise InvalidAmount(f"{DENOMINATION_BY_KEY[key].label}: a count from 0 to 100,000.")
        if n:
            cleaned[key] = n
    return cleaned


@transaction.atomic
def session_open(*, drawer: Drawer, clerk, opening_counts: dict) -> CashierSession:
    if not clerk.has_perm("cashiering.take_payment"):
        raise NotAllowed("Your role does not take payments.")
    if not drawer.active:
        raise RevenueError(f"Drawer {drawer.code} is not in use.")
    if CashierSession.objects.filter(clerk=clerk, status=CashierSession.Status.OPEN).exists():
        raise RevenueError("You already have an open session; close it out first.")
    if CashierSession.objects.filter(drawer=drawer, status=CashierSession.Status.OPEN).exists():
        raise RevenueError(f"Drawer {drawer.code} is in use by another clerk.")
    counts = clean_counts(opening_counts)
    try:
        with transaction.atomic():
            session = CashierSession.objects.create(
                drawer=drawer,
                clerk=clerk,
                business_date=core.city_today(),
                opening_counts=counts,
                opening_float=counts_total(counts),
            )
    except IntegrityError as exc:
        raise RevenueError("A session was opened on this drawer or by you a moment ago.") from exc
    core.audit(
        actor=clerk,
        action="session.opened",
        obj=session,
        after={"drawer": drawer.code, "float": str(session.opening_float)},
    )
    return session


def session_for(user) -> CashierSession | None:
    return (
        CashierSession.objects.filter(clerk=user, status=CashierSession.Status.OPEN)
        .select_related("drawer")
        .first()
    )


def lock_session(session: CashierSession, *, for_close: bool = False) -> CashierSession:
    qs = CashierSession.objects.select_related("drawer")
    qs = qs.select_for_update(of=("self",)) if for_close else qs.select_for_update(no_key=True, of=("self",))
    return qs.get(pk=session.pk)


def drawers_in_use() -> dict[int, CashierSession]:
    """The open session on each drawer in use, with its clerk: the drawer picker says who has it."""
    return {
        s.drawer_id: s
        for s in CashierSession.objects.filter(status=CashierSession.Status.OPEN).select_related(
            "clerk", "drawer"
        )
    }


def expected_hidden_from(session: CashierSession, user) -> bool:
    """Blind close-out (by the policy in force on the session's day): the clerk does not see what
    the drawer should hold until the count is saved, whatever their role; a supervisor reviewing
    another's session sees it (and the over/short)."""
    if not session.is_open or session.clerk_id != user.pk:
        return False
    return policy_on(session.business_date).blind_close_out
