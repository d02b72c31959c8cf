"""Contests of a citation (an initial review, then a hearing) and their decisions: a dismissal or a
reduction waives what is still open and moves what was paid beyond it to the payers' credit. The
citation's status follows its money (the core's charge signals), and a payment reversed after
a refund takes the refund back."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db import transaction
from django.dispatch import receiver

from revenue import services as core
from revenue.exceptions import NotAllowed
from revenue.models import Account, Charge, Payment, PaymentApplication
from revenue.money import ZERO, money
from revenue.signals import charge_reopened, charge_settled

from .. import rules, selectors
from ..models import Citation, CitationRefund, Contest
from .citations import citation_lock


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
    policy = selectors.policy_on()
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
    citation = citation_lock(citation)
    policy = selectors.policy_on(on)
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
        owed = selectors.citation_owed(citation)
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
    citation = citation_lock(contest.citation)
    charges = list(citation.charges())
    # what the person is held to: charged, less waived, less what was already handed back
    total = sum((c.amount - c.amount_adjusted for c in charges), ZERO) - _refunded(citation)
    if decision == Contest.Decision.REDUCED:
        reduced_to = (
            money(reduced_to, field="Reduced amount", maximum=rules.MAX_FINE)
            if reduced_to not in (None, "")
            else None
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
        penalty_account = selectors.policy_on(on).penalty_revenue_account_id
        for c in sorted(charges, key=lambda c: c.revenue_account_id != penalty_account):
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


# --------------------------------------------------------------------------- status follows the money


@receiver(charge_settled, sender=Citation)
def _paid(sender, charge: Charge, acting_user, **kwargs) -> None:
    citation = Citation.objects.select_for_update(no_key=True).get(pk=charge.source_id)
    if citation.status == Citation.Status.OPEN and selectors.citation_owed(citation) == ZERO:
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
