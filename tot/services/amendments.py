"""Amended returns and audit adjustments (with a supervisor's approval): the new figures
supersede the current return, and the difference in tax, and in the late charges on it, is
assessed, waived or credited on account."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Sum
from django.db.models.signals import post_save
from django.dispatch import receiver

from revenue import services as core
from revenue.exceptions import NotAllowed, RevenueError
from revenue.models import Account, ApprovalRequest, JournalLine

from .. import rules
from ..models import ZERO, Operator, TotPolicy, TotReturn
from ..selectors import chain, current_return, period_charges
from .late import assessed_late, tax_payments
from .periods import period_terms, policy_on
from .returns import (
    FIGURES,
    RETURN_FIELDS,
    Figures,
    assess_tax,
    figures_check,
    lock_operator,
    new_row,
    period_label,
)


def _credit_on_account(
    *, new: TotReturn, account, amount: Decimal, what: str, label: str, acting_user, reason
):
    """What was paid beyond the new figure goes to the operator's credit on account (Dr the
    revenue it was paid to, Cr customer credit), the entry's source being the new return."""
    party = core.lock_party(new.operator.party)
    memo = f"TOT {label} {new.number}: {what} paid beyond the new figure"
    core.journal_post(
        lines=[
            core.Line(account=account, debit=amount, party=party, memo=memo),
            core.Line(
                account=core.account_for_role(Account.Role.CUSTOMER_CREDIT),
                credit=amount,
                party=party,
                memo=f"Refund due on {new.number}",
            ),
        ],
        memo=memo,
        acting_user=acting_user,
        source=new,
    )
    core.audit(
        actor=acting_user,
        action="tot_return.credited",
        obj=new,
        after={"credit": amount, "of": what},
        reason=reason,
    )


def _waive_newest_first(charges, amount: Decimal, *, acting_user, reason: str) -> Decimal:
    """Waive up to `amount` of the charges' open balances, newest charge first; what was waived."""
    waived = ZERO
    for charge in sorted(charges, key=lambda c: -c.pk):
        part = min(amount - waived, charge.balance)
        if part > 0:
            core.charge_adjust(
                charge=charge,
                amount=part,
                kind=ApprovalRequest.Kind.WAIVER,
                acting_user=acting_user,
                reason=reason[:250],
            )
            waived += part
    return waived


def _late_owed(new: TotReturn, policy: TotPolicy, charges, as_of: datetime.date) -> dict[str, Decimal]:
    """The penalties and the interest the new tax carries as of `as_of`."""
    lines = rules.late_lines(
        tax=new.tax,
        due_on=new.due_on,
        on=as_of,
        rules=rules.LateRules.of(policy),
        payments=tax_payments(new, policy, charges),
    )
    return {
        "penalties": sum((ln.amount for ln in lines if ln.key != "interest"), ZERO),
        "interest": sum((ln.amount for ln in lines if ln.key == "interest"), ZERO),
    }


def _credited_before(rows: list[TotReturn], account) -> Decimal:
    """What earlier returns of the period already sent from `account` to credit on account."""
    return (
        JournalLine.objects.filter(
            entry__source_type=ContentType.objects.get_for_model(TotReturn),
            entry__source_id__in=[r.pk for r in rows],
            account=account,
            debit__gt=0,
        ).aggregate(total=Sum("debit"))["total"]
        or ZERO
    )


def _take_back_late(*, new: TotReturn, policy: TotPolicy, acting_user, reason: str, label: str) -> None:
    """The tax went down: work the late lines out again for the new tax as of the last day the
    late charges were brought up to, and take back what was assessed beyond them, penalties and
    interest separately: the open part is waived (newest charge first), and the part already
    paid goes to the operator's credit on account. What is taken back is kept on the new return
    so that the counter assesses again only what grows beyond the new figure."""
    charges = period_charges(new)
    late_ids = (policy.penalty_revenue_account_id, policy.interest_revenue_account_id)
    late = [c for c in charges if c.revenue_account_id in late_ids]
    if not late:
        return
    as_of = max(c.due_on for c in late)  # the day penalties_to_date last figured them for
    owed = _late_owed(new, policy, charges, as_of)
    rows = chain(new)
    assessed = dict(zip(("penalties", "interest"), assessed_late(rows, charges, policy), strict=True))
    changed = []
    for key, account, field_name in (
        ("penalties", policy.penalty_revenue_account, "penalties_taken_back"),
        ("interest", policy.interest_revenue_account, "interest_taken_back"),
    ):
        excess = assessed[key] - owed[key]
        if excess <= 0:
            continue
        mine = core.lock_charges(c.pk for c in late if c.revenue_account_id == account.pk)
        waived = _waive_newest_first(
            mine.values(),
            excess,
            acting_user=acting_user,
            reason=f"TOT {label} {new.number} lowered the tax: {reason}",
        )
        paid = sum((c.amount_paid for c in mine.values()), ZERO) - _credited_before(rows, account)
        credit = min(excess - waived, max(paid, ZERO))
        if credit > 0:
            _credit_on_account(
                new=new,
                account=account,
                amount=credit,
                what=key,
                label=label,
                acting_user=acting_user,
                reason=reason,
            )
        if waived + credit > 0:
            setattr(new, field_name, getattr(new, field_name) + waived + credit)
            changed.append(field_name)
    if changed:
        new.save(update_fields=changed)
        core.audit(
            actor=acting_user,
            action="tot_return.late_taken_back",
            obj=new,
            after={
                "as_of": as_of,
                "penalties": new.penalties_taken_back,
                "interest": new.interest_taken_back,
            },
            reason=reason,
        )


def _difference(*, old: TotReturn, new: TotReturn, acting_user, reason: str) -> None:
    """Settle the change in tax between the old and the new figures: more tax is a charge on the
    new number (due on the period's due date, so lateness runs from it); less tax waives the open
    tax balance, and what was already paid beyond the new tax goes to the operator's credit on
    account (Dr TOT revenue, Cr customer credit); the penalties and interest assessed on tax no
    longer owed are taken back the same way (_take_back_late)."""
    policy = policy_on(new.period_start)
    diff = new.tax - old.tax
    label = "amended return" if new.kind == TotReturn.Kind.AMENDED else "audit adjustment"
    if diff > 0:
        assess_tax(new, diff, policy, acting_user, f"TOT {period_label(new.period_start)} {label}: more tax")
        return
    if diff == 0:
        return
    left = -diff
    tax_charges = [c for c in period_charges(new) if c.revenue_account_id == policy.tax_revenue_account_id]
    locked = core.lock_charges(c.pk for c in tax_charges)
    left -= _waive_newest_first(
        locked.values(), left, acting_user=acting_user, reason=f"TOT {label} {new.number}: {reason}"
    )
    if left > 0:
        _credit_on_account(
            new=new,
            account=policy.tax_revenue_account,
            amount=left,
            what="tax",
            label=label,
            acting_user=acting_user,
            reason=reason,
        )
    _take_back_late(new=new, policy=policy, acting_user=acting_user, reason=reason, label=label)


def _supersede(*, old: TotReturn, new: TotReturn, acting_user, reason: str) -> TotReturn:
    """The new row becomes the period's current return in place of the old (same transaction)."""
    before = core.snapshot(old, RETURN_FIELDS)
    old.status = TotReturn.Status.SUPERSEDED
    old.save(update_fields=["status"])
    new.status = TotReturn.Status.CURRENT
    new.supersedes = old
    new.save()
    core.audit(
        actor=acting_user,
        action="tot_return.superseded",
        obj=old,
        before={"status": before["status"]},
        after={"status": old.status, "by": new.number},
        reason=reason,
    )
    _difference(old=old, new=new, acting_user=acting_user, reason=reason)
    core.audit(
        actor=acting_user,
        action=f"tot_return.{new.kind}",
        obj=new,
        before=before,
        after=core.snapshot(new, RETURN_FIELDS) | {"supersedes": old.number},
        reason=reason,
    )
    return new


def _figures(data: dict) -> Figures:
    return figures_check(**{k: data.get(k, ZERO if k != "exempt_other_reason" else "") for k in FIGURES})


@transaction.atomic
def return_amend(
    *, current: TotReturn, reason: str, acting_user, received_on: datetime.date | None = None, **figures
) -> TotReturn:
    """An amended return from the operator: a new row (kind amended) that supersedes the current one."""
    if not acting_user.has_perm("tot.file_return"):
        raise NotAllowed("Your role cannot file TOT returns.")
    if not (reason or "").strip():
        raise RevenueError("Say why the return is amended.")
    operator, old = _lock_current(
        current,
        not_current="amend the current one.",
        pending="An audit adjustment of this period is waiting for approval; it must be decided first.",
    )
    today = core.city_today()
    received_on = received_on or today
    if received_on > today:
        raise RevenueError("The received date is in the future.")
    if received_on < old.received_on:
        raise RevenueError(
            f"The amended return cannot be received before the return it amends ({old.received_on:%m/%d/%Y})."
        )
    new_figures = _figures(figures)
    terms = period_terms(old.period_start)
    new = new_row(
        operator=operator,
        terms=terms,
        figures=new_figures,
        kind=TotReturn.Kind.AMENDED,
        status=TotReturn.Status.CURRENT,
        received_on=received_on,
        acting_user=acting_user,
        note=reason.strip(),
    )
    new.due_on = old.due_on
    return _supersede(old=old, new=new, acting_user=acting_user, reason=reason.strip())


def _lock_current(current: TotReturn, *, pending: str, not_current: str = "") -> tuple[Operator, TotReturn]:
    """Lock the operator and the return a change starts from: it must still be the period's current
    return, with no audit adjustment of the period waiting."""
    operator = lock_operator(current.operator)
    old = TotReturn.objects.select_for_update(no_key=True).get(pk=current.pk)
    if old.status != TotReturn.Status.CURRENT:
        raise RevenueError(
            f"{old.number} is not the current return for its period{'; ' + not_current if not_current else '.'}"
        )
    if TotReturn.objects.filter(
        operator=operator, period_start=old.period_start, status=TotReturn.Status.PENDING
    ).exists():
        raise RevenueError(pending)
    return operator, old


@transaction.atomic
def audit_adjustment_request(*, current: TotReturn, reason: str, acting_user, **figures) -> TotReturn:
    """An audit adjustment waits for a supervisor's approval as a pending row (never current)."""
    if not acting_user.has_perm("tot.adjust_return"):
        raise NotAllowed("Only a Revenue Supervisor can make TOT audit adjustments.")
    if not (reason or "").strip():
        raise RevenueError("Say what the audit found.")
    operator, old = _lock_current(
        current, pending=f"An audit adjustment for {period_label(current.period_start)} is already waiting."
    )
    new_figures = _figures(figures)
    terms = period_terms(old.period_start)
    pending = new_row(
        operator=operator,
        terms=terms,
        figures=new_figures,
        kind=TotReturn.Kind.AUDIT,
        status=TotReturn.Status.PENDING,
        received_on=core.city_today(),
        acting_user=acting_user,
        note=reason.strip(),
    )
    pending.due_on = old.due_on
    pending.save()
    core.audit(
        actor=acting_user,
        action="tot_return.audit_requested",
        obj=pending,
        after=core.snapshot(pending, RETURN_FIELDS) | {"adjusts": old.number, "tax_was": old.tax},
        reason=reason,
    )
    core.approval_request(
        kind=ApprovalRequest.Kind.OVERRIDE,
        target=pending,
        reason=f"TOT audit adjustment {period_label(old.period_start)}, {operator.name}: tax "
        f"{old.tax:,.2f} → {pending.tax:,.2f}. {reason.strip()}",
        acting_user=acting_user,
        amount=None,
    )
    return pending


@core.approval_handler(ApprovalRequest.Kind.OVERRIDE, TotReturn)
def _approve_audit_adjustment(request: ApprovalRequest, acting_user) -> None:
    pending = TotReturn.objects.select_for_update(no_key=True).get(pk=request.target_id)
    if pending.status != TotReturn.Status.PENDING:
        raise RevenueError(f"{pending.number} is no longer waiting for approval.")
    lock_operator(pending.operator)
    old = current_return(pending.operator, pending.period_start, lock=True)
    if old is None:
        raise RevenueError("The period has no current return to adjust.")
    _supersede(old=old, new=pending, acting_user=acting_user, reason=pending.note)


@receiver(post_save, sender=ApprovalRequest)
def _audit_adjustment_denied(sender, instance: ApprovalRequest, **kwargs) -> None:
    """A denied audit adjustment's pending row is marked denied in the same transaction."""
    if instance.status != ApprovalRequest.Status.DENIED or instance.kind != ApprovalRequest.Kind.OVERRIDE:
        return
    if instance.target_type.model_class() is not TotReturn:
        return
    TotReturn.objects.filter(pk=instance.target_id, status=TotReturn.Status.PENDING).update(
        status=TotReturn.Status.DENIED
    )
