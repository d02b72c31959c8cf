"""Citation operations: manual entry, the late penalty, contests (review, hearing), delinquent
notices, DMV hold files, payment plans, and the status kept in step with the money (the core's
charge signals). Imports are in parking.imports, permits and their stock in parking.permits."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, connection, transaction
from django.db.models import F, Sum
from django.dispatch import receiver
from django.utils import timezone

from revenue import services as core
from revenue.exceptions import NotAllowed, RevenueError
from revenue.extensions import counter_finder, exception_guard, holding_check
from revenue.models import Account, Charge, Party, Payment, PaymentApplication
from revenue.signals import charge_reopened, charge_settled, charges_requested

from . import rules
from .models import (
    Citation,
    CitationRefund,
    Contest,
    HoldExport,
    NoticeRun,
    ParkingPolicy,
    PaymentPlan,
    Violation,
    ViolationFine,
)

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


# --------------------------------------------------------------------------- citations


def _citation_lock(citation: Citation) -> Citation:
    return Citation.objects.select_for_update(no_key=True).select_related("violation").get(pk=citation.pk)


def _now_local() -> datetime.datetime:
    return timezone.localtime()


def citation_owed(citation: Citation) -> Decimal:
    """What is owed on a citation now (its charges' balances; a plan's installments are the plan's)."""
    return sum((c.balance for c in citation.charges()), ZERO)


def owed_by_citation(citations) -> dict[int, Decimal]:
    """What is owed on each of many citations, in one query: {citation pk: owed}."""
    ids = [c.pk for c in citations]
    rows = (
        Charge.objects.filter(source_type=ContentType.objects.get_for_model(Citation), source_id__in=ids)
        .values("source_id")
        .annotate(owed=Sum(F("amount") - F("amount_paid") - F("amount_adjusted")))
    )
    owed = {pk: ZERO for pk in ids}
    owed.update({r["source_id"]: r["owed"] for r in rows})
    return owed


def citation_total(citation: Citation) -> Decimal:
    """The citation's amount after dismissals and reductions (charged less waived)."""
    total = ZERO
    for c in citation.charges():
        total += c.amount - c.amount_adjusted if c.source_number == citation.number else ZERO
    return total


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
    if issued_at > _now_local() + datetime.timedelta(minutes=1):
        raise rules.RuleError("The issue date and time is in the future.")
    issued_on = timezone.localtime(issued_at).date()
    if issued_on < core.city_today() - datetime.timedelta(days=3 * 365):
        raise rules.RuleError("The issue date is more than three years ago: check it.")
    plate, state = rules.clean_plate(plate), rules.clean_state(state)
    if not (location or "").strip():
        raise rules.RuleError("Enter where the vehicle was parked.")
    if not (badge or "").strip():
        raise rules.RuleError("Enter the officer's badge number.")
    scheduled, _penalty, violation_id = fine_in_index(fines_index(), violation_code, issued_on)
    if fine not in (None, ""):
        fine = rules.clean_money(fine, field="Fine")
        if fine != scheduled:
            raise rules.RuleError(
                f"The fine for {violation_code} on {issued_on:%m/%d/%Y} is {scheduled}, not {fine}."
            )
    if Citation.objects.filter(number=number).exists():
        raise rules.RuleError(f"Citation {number} is already on file.")
    policy = policy_on()
    try:
        with transaction.atomic():
            citation = Citation.objects.create(
                number=number,
                issued_at=issued_at,
                issued_on=issued_on,
                plate=plate,
                state=state,
                make=(make or "").strip().upper()[:20],
                violation_id=violation_id,
                location=location.strip()[:120],
                badge=badge.strip()[:10],
                fine=scheduled,
                owner_name=owner_name.strip(),
                owner_address=owner_address.strip(),
                created_by=acting_user,
            )
    except IntegrityError:
        raise rules.RuleError(f"Citation {number} is already on file.") from None
    core.charge_assess(
        party=policy.citation_party,
        amount=scheduled,
        description=f"Citation {citation.violation.code} {citation.violation.description}",
        receivable_account=policy.citation_receivable_account,
        revenue_account=policy.fine_revenue_account,
        source=citation,
        source_number=number,
        assessed_on=issued_on,
        due_on=rules.deadlines(issued_on, policy).due_on,
        acting_user=acting_user,
    )
    core.audit(actor=acting_user, action="citation.entered", obj=citation, after={"fine": str(scheduled)})
    return citation


@transaction.atomic
def citation_owner_set(*, citation: Citation, owner_name: str, owner_address: str, acting_user) -> Citation:
    """Record the registered owner (from DMV) that notices are addressed to."""
    citation = _citation_lock(citation)
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


def lookup(text: str) -> tuple[list[Citation], str]:
    """A citation number, or a plate (with or without its state: 'CA 7ABC123', '7ABC123 CA')."""
    text = (text or "").strip().upper()
    if not text:
        return [], ""
    found = list(Citation.objects.filter(number=text).select_related("violation"))
    if found:
        return found, f"Citation {text}"
    words = text.replace(",", " ").split()
    state = None
    if len(words) == 2:
        if words[0] in rules.STATES and len(words[1]) > 2:
            state, words = words[0], [words[1]]
        elif words[1] in rules.STATES:
            state, words = words[1], [words[0]]
    try:
        plate = rules.clean_plate(" ".join(words))
    except rules.RuleError:
        return [], ""
    qs = Citation.objects.filter(plate=plate).select_related("violation").order_by("-issued_at")
    if state:
        qs = qs.filter(state=state)
    return list(qs[:500]), f"Plate {plate}{' ' + state if state else ''}"


# --------------------------------------------------------------------------- late penalty


def _pending_contest(citation: Citation) -> bool:
    return citation.contests.filter(decision=Contest.Decision.PENDING).exists()


@transaction.atomic
def penalty_assess(*, citation: Citation, on: datetime.date | None = None, acting_user) -> Charge | None:
    """Add the late penalty to one citation if it is owed on `on` (the counter calls this for the
    day of payment). Not while a contest is pending, on a plan, or dismissed; never twice."""
    on = on or core.city_today()
    citation = _citation_lock(citation)
    policy = policy_on(on)
    if (
        citation.status != Citation.Status.OPEN
        or citation.penalty_on is not None
        or not rules.penalty_due(citation.issued_on, on, policy)
        or _pending_contest(citation)
        or citation_owed(citation) == ZERO
    ):
        return None
    penalty = fine_on(citation.violation, citation.issued_on).late_penalty
    if penalty <= ZERO:
        return None
    charge = core.charge_assess(
        party=policy.citation_party,
        amount=penalty,
        description=f"Late penalty (unpaid after {rules.deadlines(citation.issued_on, policy).due_on:%m/%d/%Y})",
        receivable_account=policy.citation_receivable_account,
        revenue_account=policy.penalty_revenue_account,
        source=citation,
        source_number=citation.number,
        assessed_on=on,
        due_on=on,
        acting_user=acting_user,
    )
    Citation.objects.filter(pk=citation.pk).update(penalty_on=on)
    core.audit(
        actor=acting_user, action="citation.penalty", obj=citation, after={"penalty": str(penalty), "on": on}
    )
    return charge


def penalty_run(*, on: datetime.date | None = None, acting_user) -> int:
    """Add the late penalty to every citation that owes it on `on`, set-based: one UPDATE marks
    them, one journal entry for the total, one INSERT for the charges. Running it again adds nothing."""
    if not acting_user.has_perm("parking.run_parking_notices"):
        raise NotAllowed("Only a supervisor runs late penalties.")
    on = on or core.city_today()
    policy = policy_on(on)
    ct = ContentType.objects.get_for_model(Citation)
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute("DROP TABLE IF EXISTS parking_penalty_run")
        cur.execute(
            """
            CREATE TEMP TABLE parking_penalty_run ON COMMIT DROP AS
            WITH due AS (
                UPDATE parking_citation c SET penalty_on = %(on)s
                 WHERE c.status = 'open' AND c.penalty_on IS NULL
                   AND c.issued_on + %(days)s < %(on)s
                   AND NOT EXISTS (SELECT 1 FROM parking_contest k
                                    WHERE k.citation_id = c.id AND k.decision = 'pending')
                   AND EXISTS (SELECT 1 FROM revenue_charge ch
                                WHERE ch.source_type_id = %(ct)s AND ch.source_id = c.id
                                  AND ch.amount - ch.amount_paid - ch.amount_adjusted > 0)
                RETURNING c.id, c.number, c.violation_id, c.issued_on
            )
            SELECT due.id, due.number, due.issued_on,
                   (SELECT f.late_penalty FROM parking_violationfine f
                     WHERE f.violation_id = due.violation_id AND f.effective_from <= due.issued_on
                     ORDER BY f.effective_from DESC LIMIT 1) AS penalty
              FROM due
            """,
            {"on": on, "days": policy.penalty_after_days, "ct": ct.pk},
        )
        cur.execute("DELETE FROM parking_penalty_run WHERE penalty IS NULL OR penalty <= 0")
        entry, count, total = core.charges_assess_set(
            rows_sql="""
                SELECT r.id AS source_id, r.number AS source_number,
                       'Late penalty (unpaid after ' || to_char(r.issued_on + %(days)s, 'MM/DD/YYYY') || ')'
                           AS description,
                       r.penalty AS amount, %(on)s::date AS assessed_on, %(on)s::date AS due_on
                  FROM parking_penalty_run r ORDER BY r.number
            """,
            params={"days": policy.penalty_after_days, "on": on},
            party=policy.citation_party,
            receivable_account=policy.citation_receivable_account,
            revenue_account=policy.penalty_revenue_account,
            source_model=Citation,
            memo=f"Parking late penalties run {on:%m/%d/%Y}",
            noun="citations",
            acting_user=acting_user,
            entry_date=on,
        )
        if not count:
            return 0
    core.audit(
        actor=acting_user,
        action="citations.penalty_run",
        obj=entry,
        after={"on": on, "count": count, "total": total},
    )
    return count


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
    found, label = lookup(text)
    found = sorted((c for c in found if c.status == Citation.Status.OPEN), key=lambda c: c.issued_at)
    states = sorted({c.state for c in found})
    if len(states) > 1:
        plate = found[0].plate
        raise rules.RuleError(
            f"{plate} has open citations in {' and '.join(states)}: type the state too, "
            f"e.g. {states[0]} {plate}."
        )
    if found:
        policy = policy_on(on)
        contested = set(
            Contest.objects.filter(citation__in=found, decision=Contest.Decision.PENDING).values_list(
                "citation_id", flat=True
            )
        )
        for c in found:  # only the few that owe a penalty today are touched
            if c.penalty_on is None and c.pk not in contested and rules.penalty_due(c.issued_on, on, policy):
                penalty_assess(citation=c, on=on, acting_user=user)
    return [c.number for c in found]


# --------------------------------------------------------------------------- status follows the money


@receiver(charge_settled, sender=Citation)
def _paid(sender, charge: Charge, acting_user, **kwargs) -> None:
    citation = Citation.objects.select_for_update(no_key=True).get(pk=charge.source_id)
    if citation.status == Citation.Status.OPEN and citation_owed(citation) == ZERO:
        citation.status, citation.status_on = Citation.Status.PAID, core.city_today()
        citation.save(update_fields=["status", "status_on"])
        core.audit(actor=acting_user, action="citation.paid", obj=citation, after={"status": "paid"})


@receiver(charge_reopened, sender=Citation)
def _reopened(sender, charge: Charge, acting_user, **kwargs) -> None:
    citation = Citation.objects.select_for_update(no_key=True).get(pk=charge.source_id)
    _take_back_refunds(citation, acting_user)
    citation.refresh_from_db()
    if citation.status == Citation.Status.PAID:
        citation.status, citation.status_on = Citation.Status.OPEN, None
        citation.save(update_fields=["status", "status_on"])
        core.audit(
            actor=acting_user, action="citation.reopened", obj=citation, reason="Payment voided or returned."
        )


# --------------------------------------------------------------------------- contests


def _refunded(citation: Citation) -> Decimal:
    """What has been moved to payers' credit on this citation and not taken back."""
    return sum((r.amount for r in citation.refunds.filter(taken_back__isnull=True)), ZERO)


def _refund_to_credit(citation: Citation, amount: Decimal, acting_user, reason: str) -> Decimal:
    """Money paid on a citation that is no longer owed goes to its payers' credit on account (to be
    refunded through the core's refund approval), newest payment first, each payer only what they
    paid and was not refunded before: Dr the revenue it was credited to, Cr customer credit.
    Returns what was moved."""
    if amount <= ZERO:
        return ZERO
    apps = list(
        PaymentApplication.objects.filter(
            charge__in=citation.charges(), payment__status=Payment.Status.POSTED
        )
        .select_related("payment__party", "charge__revenue_account")
        .order_by("-payment__received_on", "-payment_id", "-pk")
    )
    already: dict[int, Decimal] = {}
    for r in citation.refunds.filter(taken_back__isnull=True):
        already[r.payment_id] = already.get(r.payment_id, ZERO) + r.amount
    by_payment: dict[int, list] = {}  # newest payment first, as ordered above
    for app in apps:
        by_payment.setdefault(app.payment_id, []).append(app)
    left = amount
    lines, parts = [], []  # parts: (payment, payer, amount)
    credit = core.account_for_role(Account.Role.CUSTOMER_CREDIT)
    for payment_id, group in by_payment.items():
        take = min(left, sum((a.amount for a in group), ZERO) - already.get(payment_id, ZERO))
        if take <= ZERO:
            continue
        payer = group[0].payment.party
        remaining = take
        for app in group:
            part = min(remaining, app.amount)
            if part > ZERO:
                lines.append(
                    core.Line(account=app.charge.revenue_account, debit=part, party=payer, memo=reason[:250])
                )
                remaining -= part
        lines.append(
            core.Line(account=credit, credit=take, party=payer, memo=f"Refund due on {citation.number}")
        )
        parts.append((group[0].payment, payer, take))
        left -= take
        if left == ZERO:
            break
    if not parts:
        return ZERO
    entry = core.journal_post(
        lines=lines, memo=f"{citation.number}: {reason}"[:250], acting_user=acting_user, source=citation
    )
    for payment, payer, part in parts:
        CitationRefund.objects.create(
            citation=citation, payment=payment, party=payer, amount=part, entry=entry, created_by=acting_user
        )
    moved = amount - left
    core.audit(
        actor=acting_user,
        action="citation.refund_due",
        obj=citation,
        after={"amount": moved, "payers": sorted({p.number for _pm, p, _a in parts})},
        reason=reason,
    )
    return moved


def _take_back_refunds(citation: Citation, acting_user) -> None:
    """A payment whose part was moved to credit has been reversed (a void, a returned check): the
    payer never paid it, so the credit comes back out (Dr customer credit, Cr the revenue), and the
    citation's reopened balance is waived by as much, since the decision still stands."""
    refunds = list(
        citation.refunds.filter(
            taken_back__isnull=True, payment__status=Payment.Status.REVERSED
        ).select_related("party")
    )
    if not refunds:
        return
    policy = policy_on()
    credit = core.account_for_role(Account.Role.CUSTOMER_CREDIT)
    total = sum((r.amount for r in refunds), ZERO)
    lines = []
    for r in refunds:
        memo = f"Refund due on {citation.number} taken back: payment reversed"
        lines.append(core.Line(account=credit, debit=r.amount, party=r.party, memo=memo))
        lines.append(
            core.Line(account=policy.fine_revenue_account, credit=r.amount, party=r.party, memo=memo)
        )
    entry = core.journal_post(
        lines=lines, memo=f"{citation.number}: refund taken back", acting_user=acting_user, source=citation
    )
    CitationRefund.objects.filter(pk__in=[r.pk for r in refunds]).update(taken_back=entry)
    left = total
    for c in citation.charges():
        part = min(c.balance, left)
        if part > ZERO:
            core.charge_adjust(
                charge=c,
                amount=part,
                kind="waiver",
                acting_user=acting_user,
                reason=f"Decision on {citation.number} stands; its refunded payment was reversed",
            )
            left -= part
    core.audit(actor=acting_user, action="citation.refund_taken_back", obj=citation, after={"amount": total})


@transaction.atomic
def contest_request(
    *,
    citation: Citation,
    level: str,
    statement: str,
    acting_user,
    on: datetime.date | None = None,
    inability_to_pay: bool = False,
    inability_note: str = "",
) -> Contest:
    today = core.city_today()
    on = on or today
    if on > today:
        raise rules.RuleError("The request date is in the future.")
    if not (statement or "").strip():
        raise rules.RuleError("Write down what the person says about the citation.")
    citation = _citation_lock(citation)
    policy = policy_on(on)
    if citation.status == Citation.Status.DISMISSED:
        raise rules.RuleError(f"{citation.number} is dismissed: there is nothing to contest.")
    if citation.status == Citation.Status.IN_PLAN:
        raise rules.RuleError(f"{citation.number} is on a payment plan: it can no longer be contested.")
    if citation.contests.filter(level=level).exists():
        raise rules.RuleError(f"{citation.number} already has a {Contest.Level(level).label.lower()}.")
    if level == Contest.Level.REVIEW:
        if not rules.review_allowed(citation.issued_on, citation.notice_on, on, policy):
            d = rules.deadlines(citation.issued_on, policy)
            msg = f"The review window closed on {d.review_by:%m/%d/%Y} ({policy.review_days_from_issue} days from issue"
            if citation.notice_on:
                end = citation.notice_on + datetime.timedelta(days=policy.review_days_from_notice)
                msg += f"; {end:%m/%d/%Y} counting {policy.review_days_from_notice} days from the notice"
            raise rules.RuleError(msg + ").")
        inability_to_pay, inability_note = False, ""
    elif level == Contest.Level.HEARING:
        review = citation.contests.filter(level=Contest.Level.REVIEW).first()
        if review is None or review.decision == Contest.Decision.PENDING:
            raise rules.RuleError("A hearing follows a decided initial review.")
        if review.decision == Contest.Decision.DISMISSED:
            raise rules.RuleError("The review dismissed the citation: there is nothing to appeal.")
        if not rules.hearing_allowed(review.decided_on, on, policy):
            end = review.decided_on + datetime.timedelta(days=policy.hearing_days_from_review)
            raise rules.RuleError(
                f"The hearing window closed on {end:%m/%d/%Y} "
                f"({policy.hearing_days_from_review} days from the review decision)."
            )
        owed = citation_owed(citation)
        if inability_to_pay:
            if not acting_user.has_perm("parking.decide_contest"):
                raise NotAllowed("Only a supervisor grants a hearing without deposit for inability to pay.")
            if not inability_note.strip():
                raise rules.RuleError("Note the grounds for inability to pay (e.g. the benefit received).")
        elif owed > ZERO:
            raise rules.RuleError(
                f"A hearing needs the amount due, ${owed:,.2f}, deposited first (pay it at the counter), "
                "unless inability to pay is granted."
            )
    else:
        raise rules.RuleError("Unknown kind of contest.")
    contest = Contest.objects.create(
        citation=citation,
        level=level,
        requested_on=on,
        statement=statement.strip(),
        inability_to_pay=inability_to_pay,
        inability_note=inability_note.strip(),
        created_by=acting_user,
    )
    core.audit(
        actor=acting_user,
        action=f"citation.{level}_requested",
        obj=citation,
        after={"on": on, "inability_to_pay": inability_to_pay},
        reason=statement,
    )
    return contest


@transaction.atomic
def contest_decide(
    *,
    contest: Contest,
    decision: str,
    reason: str,
    acting_user,
    reduced_to=None,
    on: datetime.date | None = None,
) -> Contest:
    if not acting_user.has_perm("parking.decide_contest"):
        raise NotAllowed("Only a supervisor decides reviews and hearings.")
    today = core.city_today()
    on = on or today
    if on > today:
        raise rules.RuleError("The decision date is in the future.")
    if not (reason or "").strip():
        raise rules.RuleError("Give the reason for the decision.")
    contest = Contest.objects.select_for_update(no_key=True).get(pk=contest.pk)
    if contest.decision != Contest.Decision.PENDING:
        raise rules.RuleError(f"This {contest.get_level_display().lower()} was already decided.")
    if on < contest.requested_on:
        raise rules.RuleError("The decision cannot come before the request.")
    # the charges before the citation: the order a payment takes them (then the receiver locks the
    # citation), so a decision and a payment at the same moment queue instead of deadlocking
    core.lock_charges(contest.citation.charges().values_list("pk", flat=True))
    citation = _citation_lock(contest.citation)
    charges = list(citation.charges())
    # what the person is held to: charged, less waived, less what was already handed back
    total = sum((c.amount - c.amount_adjusted for c in charges), ZERO) - _refunded(citation)
    if decision == Contest.Decision.REDUCED:
        reduced_to = (
            rules.clean_money(reduced_to, field="Reduced amount") if reduced_to not in (None, "") else None
        )
        if reduced_to is None or reduced_to >= total:
            raise rules.RuleError(f"A reduction must be to less than the ${total:,.2f} now owed in all.")
    elif decision in (Contest.Decision.UPHELD, Contest.Decision.DISMISSED):
        reduced_to = None
    else:
        raise rules.RuleError("Choose upheld, dismissed or reduced.")
    contest.decision, contest.decided_on, contest.decided_by = decision, on, acting_user
    contest.decision_reason, contest.reduced_to = reason.strip(), reduced_to
    contest.save()
    label = f"{contest.get_level_display()} {contest.get_decision_display().lower()}: {reason.strip()}"
    if decision != Contest.Decision.UPHELD:
        keep = ZERO if decision == Contest.Decision.DISMISSED else reduced_to
        if decision == Contest.Decision.DISMISSED:
            citation.status, citation.status_on = Citation.Status.DISMISSED, on
            citation.save(update_fields=["status", "status_on"])
        to_forgive = total - keep  # off the open balances first (penalty, then fine) …
        for c in sorted(
            charges, key=lambda c: c.revenue_account_id != policy_on(on).penalty_revenue_account_id
        ):
            part = min(c.balance, to_forgive)
            if part > ZERO:
                core.charge_adjust(
                    charge=c, amount=part, kind="waiver", acting_user=acting_user, reason=label
                )
                to_forgive -= part
        _refund_to_credit(citation, to_forgive, acting_user, label)  # … then out of what was paid
    core.audit(
        actor=acting_user,
        action=f"citation.{contest.level}_{decision}",
        obj=citation,
        after={"reduced_to": str(reduced_to) if reduced_to else None},
        reason=reason,
    )
    return contest


# --------------------------------------------------------------------------- notices and DMV holds


def notice_run(*, on: datetime.date | None = None, acting_user) -> NoticeRun:
    """Mark every citation due a delinquent notice (unpaid more than notice_after_days after issue,
    no contest pending, no notice yet) in one UPDATE, under a run whose letters print as one PDF."""
    if not acting_user.has_perm("parking.run_parking_notices"):
        raise NotAllowed("Only a supervisor runs delinquent notices.")
    on = on or core.city_today()
    if on > core.city_today():
        raise rules.RuleError("The notice date is in the future.")
    policy = policy_on(on)
    with transaction.atomic():
        run = NoticeRun.objects.create(run_on=on, created_by=acting_user)
        with connection.cursor() as cur:
            cur.execute(
                """
                UPDATE parking_citation c SET notice_on = %(on)s, notice_run_id = %(run)s
                 WHERE c.status = 'open' AND c.notice_on IS NULL AND c.issued_on + %(days)s < %(on)s
                   AND NOT EXISTS (SELECT 1 FROM parking_contest k
                                    WHERE k.citation_id = c.id AND k.decision = 'pending')
                """,
                {"on": on, "run": run.pk, "days": policy.notice_after_days},
            )
            run.count = cur.rowcount
        run.save(update_fields=["count"])
        core.audit(
            actor=acting_user, action="citations.notice_run", obj=run, after={"on": on, "count": run.count}
        )
    return run


def _hold_line(action: str, row) -> str:
    number, plate, state, owed = row
    return f"{action},{number},{plate},{state},{owed:.2f}"


def hold_export(*, on: datetime.date | None = None, acting_user) -> HoldExport:
    """The file for DMV: holds to place (unpaid more than hold_after_notice_days after the notice,
    no contest pending, not on a live plan) and holds to release (paid, dismissed, or on a plan
    in good standing). Each citation is placed once and released once."""
    if not acting_user.has_perm("parking.run_parking_notices"):
        raise NotAllowed("Only a supervisor sends DMV hold files.")
    on = on or core.city_today()
    if on > core.city_today():
        raise rules.RuleError("The file date is in the future.")
    policy = policy_on(on)
    ct = ContentType.objects.get_for_model(Citation)
    owed_sql = """(SELECT COALESCE(sum(ch.amount - ch.amount_paid - ch.amount_adjusted), 0) FROM revenue_charge ch
                    WHERE ch.source_type_id = %(ct)s AND ch.source_id = c.id)"""
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute(
            f"""
            UPDATE parking_citation c SET hold_on = %(on)s
             WHERE c.hold_on IS NULL AND c.notice_on IS NOT NULL AND c.notice_on + %(days)s < %(on)s
               AND (c.status = 'open'
                    OR (c.status = 'in_plan' AND EXISTS (SELECT 1 FROM parking_paymentplan p
                                                          WHERE p.id = c.plan_id AND p.status = 'defaulted')))
               AND NOT EXISTS (SELECT 1 FROM parking_contest k WHERE k.citation_id = c.id AND k.decision = 'pending')
            RETURNING c.number, c.plate, c.state, {owed_sql}
            """,
            {"on": on, "days": policy.hold_after_notice_days, "ct": ct.pk},
        )
        placed = sorted(cur.fetchall())
        cur.execute(
            f"""
            UPDATE parking_citation c SET hold_released_on = %(on)s
             WHERE c.hold_on IS NOT NULL AND c.hold_released_on IS NULL AND c.hold_on < %(on)s
               AND (c.status IN ('paid', 'dismissed')
                    OR (c.status = 'in_plan' AND EXISTS (SELECT 1 FROM parking_paymentplan p
                                                          WHERE p.id = c.plan_id AND p.status <> 'defaulted')))
            RETURNING c.number, c.plate, c.state, {owed_sql}
            """,
            {"on": on, "ct": ct.pk},
        )
        released = sorted(cur.fetchall())
        lines = ["action,citation,plate,state,amount_due"]
        lines += [_hold_line("PLACE", r) for r in placed] + [_hold_line("RELEASE", r) for r in released]
        export = HoldExport.objects.create(
            run_on=on,
            placed=len(placed),
            released=len(released),
            content="\n".join(lines) + "\n",
            created_by=acting_user,
        )
    core.audit(
        actor=acting_user,
        action="citations.dmv_holds",
        obj=export,
        after={"on": on, "placed": len(placed), "released": len(released)},
    )
    return export


# --------------------------------------------------------------------------- payment plans


@transaction.atomic
def plan_create(
    *,
    party: Party,
    citations: list[Citation],
    months: int,
    first_due_on: datetime.date,
    qualification: str,
    acting_user,
    on: datetime.date | None = None,
) -> PaymentPlan:
    """A payment plan for a person who qualifies as indigent: late penalties waived, the fines
    moved into monthly installments (charges of the person), and the processing fee."""
    if not acting_user.has_perm("parking.arrange_plan"):
        raise NotAllowed("Setting up a payment plan needs a Senior Account Service Representative.")
    on = on or core.city_today()
    if not (qualification or "").strip():
        raise rules.RuleError("Record how the person qualifies (e.g. the public benefit received).")
    if not citations:
        raise rules.RuleError("Choose the citations to put on the plan.")
    if first_due_on < on:
        raise rules.RuleError("The first installment cannot be due in the past.")
    if first_due_on > on + datetime.timedelta(days=62):
        raise rules.RuleError("The first installment must be due within two months.")
    policy = policy_on(on)
    # the charges first, then the citations (each in key order): the order a payment takes them
    core.lock_charges(
        Charge.objects.filter(source_number__in=[c.number for c in citations]).values_list("pk", flat=True)
    )
    locked = [_citation_lock(c) for c in sorted(citations, key=lambda c: c.pk)]
    for c in locked:
        if c.status != Citation.Status.OPEN:
            raise rules.RuleError(
                f"{c.number} is {c.get_status_display().lower()}: only open citations go on a plan."
            )
        if _pending_contest(c):
            raise rules.RuleError(f"{c.number} has a contest pending: decide it first.")
    waived = "Payment plan: late penalties waived"
    for c in locked:
        for charge in c.charges():
            if charge.revenue_account_id == policy.penalty_revenue_account_id and charge.balance:
                core.charge_adjust(
                    charge=charge,
                    amount=charge.balance,
                    kind="waiver",
                    acting_user=acting_user,
                    reason=waived,
                )
    fines = [ch for c in locked for ch in c.charges() if ch.balance]
    principal = sum((ch.balance for ch in fines), ZERO)
    schedule = rules.plan_schedule(principal, int(months), first_due_on, policy)
    number = core.number_next(kind="PL", on=on)
    plan = PaymentPlan.objects.create(
        number=number,
        party=party,
        qualification=qualification.strip(),
        principal=principal,
        fee=policy.plan_fee,
        installment=schedule[0][1],
        months=len(schedule),
        first_due_on=first_due_on,
        created_by=acting_user,
    )
    Citation.objects.filter(pk__in=[c.pk for c in locked]).update(
        status=Citation.Status.IN_PLAN, status_on=on, plan=plan
    )
    n = len(schedule)
    core.charges_transfer(
        charges=fines,
        into=[
            core.NewCharge(
                amount=amount,
                due_on=due,
                description=f"Installment {i} of {n}, citations {', '.join(c.number for c in locked)}"[:250],
                source_number=f"{number}-{i:02d}",
            )
            for i, (due, amount) in enumerate(schedule, start=1)
        ],
        party=party,
        receivable_account=policy.citation_receivable_account,
        revenue_account=policy.fine_revenue_account,
        acting_user=acting_user,
        reason=f"Payment plan {number}",
        source=plan,
    )
    if policy.plan_fee > ZERO:
        core.charge_assess(
            party=party,
            amount=policy.plan_fee,
            description=f"Payment plan processing fee, {number}",
            receivable_account=policy.citation_receivable_account,
            revenue_account=policy.plan_fee_revenue_account,
            source=plan,
            source_number=f"{number}-01",
            assessed_on=on,
            due_on=first_due_on,
            acting_user=acting_user,
        )
    core.audit(
        actor=acting_user,
        action="parking.plan_created",
        obj=plan,
        after={"principal": str(principal), "months": n, "citations": [c.number for c in locked]},
        reason=qualification,
    )
    return plan


def plan_owed(plan: PaymentPlan) -> Decimal:
    return sum((c.balance for c in plan.installments()), ZERO)


@receiver(charge_settled, sender=PaymentPlan)
def _plan_paid(sender, charge: Charge, acting_user, **kwargs) -> None:
    plan = PaymentPlan.objects.select_for_update(no_key=True).get(pk=charge.source_id)
    if plan.status != PaymentPlan.Status.COMPLETED and plan_owed(plan) == ZERO:
        plan.status, plan.status_on = PaymentPlan.Status.COMPLETED, core.city_today()
        plan.save(update_fields=["status", "status_on"])
        plan.citations.update(status=Citation.Status.PAID, status_on=plan.status_on)
        core.audit(actor=acting_user, action="parking.plan_completed", obj=plan)


@receiver(charge_reopened, sender=PaymentPlan)
def _plan_reopened(sender, charge: Charge, acting_user, **kwargs) -> None:
    plan = PaymentPlan.objects.select_for_update(no_key=True).get(pk=charge.source_id)
    if plan.status == PaymentPlan.Status.COMPLETED:
        plan.status, plan.status_on = PaymentPlan.Status.ACTIVE, None
        plan.save(update_fields=["status", "status_on"])
        plan.citations.update(status=Citation.Status.IN_PLAN)
        core.audit(actor=acting_user, action="parking.plan_reopened", obj=plan)


def plans_default(*, on: datetime.date | None = None, acting_user) -> list[str]:
    """Every active plan with an installment unpaid more than plan_grace_days past its due date
    defaults, in one UPDATE: what is left is due at once, and its citations can go on DMV hold."""
    if not acting_user.has_perm("parking.run_parking_notices"):
        raise NotAllowed("Only a supervisor defaults payment plans.")
    on = on or core.city_today()
    policy = policy_on(on)
    ct = ContentType.objects.get_for_model(PaymentPlan)
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute(
            """
            UPDATE parking_paymentplan p SET status = 'defaulted', status_on = %(on)s
             WHERE p.status = 'active'
               AND EXISTS (SELECT 1 FROM revenue_charge ch
                            WHERE ch.source_type_id = %(ct)s AND ch.source_id = p.id
                              AND ch.amount - ch.amount_paid - ch.amount_adjusted > 0
                              AND ch.due_on + %(grace)s < %(on)s)
            RETURNING p.id, p.number
            """,
            {"on": on, "ct": ct.pk, "grace": policy.plan_grace_days},
        )
        rows = cur.fetchall()
        for pk, number in rows:
            core.audit(
                actor=acting_user,
                action="parking.plan_defaulted",
                obj=PaymentPlan(pk=pk, number=number),
                after={"on": on},
                reason=f"An installment unpaid more than {policy.plan_grace_days} days past due.",
            )
    return sorted(n for _pk, n in rows)
