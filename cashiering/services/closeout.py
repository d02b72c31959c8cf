"""Close-out: what the drawer should hold, the clerk's count, the supervisor's sign-off (the
over/short posts)."""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction
from django.db.models import Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from revenue import services as core
from revenue.exceptions import NotAllowed, RevenueError
from revenue.models import ZERO, Account

from ..exceptions import SessionClosed
from ..models import CashierSession, Receipt, SuspenseItem, Tender, counts_total
from ..rules import over_short_sentence
from .sessions import clean_counts, lock_session, policy_on


def session_expected(session: CashierSession) -> dict[str, Decimal]:
    """What the drawer should hold, per tender, from the posted receipts (voids excluded) and the
    checks it took into suspense (real money in the drawer, whatever becomes of it later)."""
    totals = dict(
        Tender.objects.filter(receipt__session=session, receipt__status=Receipt.Status.POSTED)
        .values("kind")
        .annotate(total=Coalesce(Sum("amount"), ZERO))
        .values_list("kind", "total")
    )
    suspense = session.suspense_items.aggregate(total=Coalesce(Sum("amount"), ZERO))["total"]
    return {
        "cash": session.opening_float + totals.get(Tender.Kind.CASH, ZERO),
        "checks": totals.get(Tender.Kind.CHECK, ZERO) + totals.get(Tender.Kind.MONEY_ORDER, ZERO) + suspense,
        "cards": totals.get(Tender.Kind.CARD, ZERO),
    }


def session_suspense_checks(session: CashierSession):
    """The checks the session took into suspense: ticked at close-out with the others."""
    return SuspenseItem.objects.filter(session=session).order_by("pk")


def session_checks(session: CashierSession):
    return (
        Tender.objects.filter(
            receipt__session=session,
            receipt__status=Receipt.Status.POSTED,
            kind__in=[Tender.Kind.CHECK, Tender.Kind.MONEY_ORDER],
        )
        .select_related("receipt")
        .order_by("pk")
    )


@transaction.atomic
def session_close(
    *,
    session: CashierSession,
    counted_counts: dict,
    confirmed_check_ids: list[int],
    card_batch_total,
    explanation: str,
    acting_user,
    confirmed_suspense_ids: list[int] = (),
) -> CashierSession:
    """Close out: the drawer is counted, checks confirmed one by one, the card batch total typed
    from the terminal. Locks the session against new receipts first, so every receipt is either
    in these totals or refused."""
    session = lock_session(session, for_close=True)
    if not session.is_open:
        raise SessionClosed("This session is already closed.")
    if session.clerk_id != acting_user.pk:
        raise NotAllowed("Only the clerk who opened the session closes it out.")
    counts = clean_counts(counted_counts)
    cards = core.money(card_batch_total, field="Card batch total", allow_zero=True)
    checks = list(session_checks(session))
    known = {t.pk for t in checks}
    if not set(confirmed_check_ids) <= known:
        raise RevenueError("A confirmed check is not one of this session's checks.")
    suspense = list(session_suspense_checks(session))
    if not set(confirmed_suspense_ids) <= {i.pk for i in suspense}:
        raise RevenueError("A confirmed check in suspense is not one of this session's.")
    expected = session_expected(session)
    session.counted_counts = counts
    session.counted_cash = counts_total(counts)
    session.counted_checks = sum((t.amount for t in checks if t.pk in set(confirmed_check_ids)), ZERO) + sum(
        (i.amount for i in suspense if i.pk in set(confirmed_suspense_ids)), ZERO
    )
    session.counted_cards = cards
    session.expected_cash, session.expected_checks, session.expected_cards = (
        expected["cash"],
        expected["checks"],
        expected["cards"],
    )
    limit = policy_on(session.business_date).over_short_explain_over
    if any(abs(v) > limit for v in session.over_short().values()) and not explanation.strip():
        raise RevenueError(
            f"{over_short_sentence(session.over_short())}: more than the ${limit:,.2f} allowed without "
            "an explanation. Recount, or write what happened."
        )
    session.explanation = explanation.strip()
    Tender.objects.filter(pk__in=set(confirmed_check_ids)).update(confirmed=True)
    SuspenseItem.objects.filter(pk__in=set(confirmed_suspense_ids)).update(confirmed=True)
    session.status = CashierSession.Status.CLOSED
    session.closed_at = timezone.now()
    session.save()
    core.audit(
        actor=acting_user,
        action="session.closed",
        obj=session,
        reason=session.explanation,
        after={k: str(v) for k, v in session.over_short().items()},
    )
    return session


@transaction.atomic
def session_sign_off(*, session: CashierSession, acting_user) -> CashierSession:
    """A supervisor (never the session's clerk) accepts the close-out; the over/short posts."""
    if not acting_user.has_perm("cashiering.sign_off_session"):
        raise NotAllowed("Only a Revenue Supervisor signs off sessions.")
    session = lock_session(session, for_close=True)
    if session.status != CashierSession.Status.CLOSED:
        raise RevenueError("Only a closed session waiting for sign-off can be signed off.")
    if session.clerk_id == acting_user.pk:
        raise NotAllowed("You cannot sign off your own session.")
    lines = _over_short_lines(session)
    if lines:
        session.over_short_entry = core.journal_post(
            lines=lines,
            memo=f"Over/short {session}",
            acting_user=acting_user,
            source=session,
            entry_date=session.business_date,
        )
    session.status = CashierSession.Status.SIGNED_OFF
    session.signed_off_by = acting_user
    session.signed_off_at = timezone.now()
    session.save(update_fields=["status", "signed_off_by", "signed_off_at", "over_short_entry"])
    core.audit(
        actor=acting_user,
        action="session.signed_off",
        obj=session,
        after={"over_short": str(session.over_short_total)},
    )
    return session


def _over_short_lines(session: CashierSession) -> list:
    """The sign-off's entry: each tender's over (Dr the tender's account, Cr over/short) or short
    (the reverse; cash short beyond what the drawer took in comes out of the change fund)."""
    accounts = {
        "cash": core.account_for_role(Account.Role.UNDEPOSITED),
        "checks": core.account_for_role(Account.Role.UNDEPOSITED_CHECKS),
        "cards": core.account_for_role(Account.Role.CARD_CLEARING),
    }
    over_short_account = core.account_for_role(Account.Role.OVER_SHORT)
    lines = []
    for tender, diff in session.over_short().items():
        memo = f"{tender} {'over' if diff > 0 else 'short'} {session}"
        if diff > 0:
            lines += [
                core.Line(account=accounts[tender], debit=diff, memo=memo),
                core.Line(account=over_short_account, credit=diff, memo=memo),
            ]
        elif diff < 0:
            short = -diff
            # a drawer short by more than the cash it took in has lost part of its float: that part
            # comes out of the change fund, so undeposited cash never goes below zero
            from_float = ZERO
            if tender == "cash":
                from_float = max(short - max(session.expected_cash - session.opening_float, ZERO), ZERO)
            lines += [
                core.Line(account=over_short_account, debit=short, memo=memo),
                core.Line(account=accounts[tender], credit=short - from_float, memo=memo),
            ]
            if from_float:
                lines.append(
                    core.Line(
                        account=core.account_for_role(Account.Role.CHANGE_FUND),
                        credit=from_float,
                        memo=f"float short {session}",
                    )
                )
    return lines
