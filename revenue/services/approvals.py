"""Approvals: exceptions requested, decided, and done within a role's own limit."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.utils import timezone

from ..dates import city_today
from ..exceptions import (
    AlreadyDecided,
    InsufficientCredit,
    NotAllowed,
    OverApplied,
    RevenueError,
)
from ..models import (
    ZERO,
    Account,
    ApprovalRequest,
    Charge,
    ExceptionLimit,
    Party,
)
from ..money import money
from .audit import audit, jsonable
from .charges import charge_adjust, lock_charges
from .fees import in_force
from .ledger import Line, account_for_role, journal_post

ApprovalHandler = Callable[[ApprovalRequest, object], None]
_APPROVAL_HANDLERS: dict[tuple[str, str], ApprovalHandler] = {}


def approval_handler(kind: str, model: type[models.Model]):
    """Register the operation that runs when a request of `kind` on a `model` is approved.
    Duty apps register theirs (a receipt void, a refund) in their AppConfig.ready()."""

    def register(fn: ApprovalHandler) -> ApprovalHandler:
        _APPROVAL_HANDLERS[(kind, model._meta.label_lower)] = fn
        return fn

    return register


@approval_handler(ApprovalRequest.Kind.WAIVER, Charge)
def _approve_waiver(request: ApprovalRequest, acting_user) -> None:
    charge_adjust(
        charge=request.target,
        amount=request.amount,
        kind=request.kind,
        acting_user=acting_user,
        reason=request.reason,
    )


@approval_handler(ApprovalRequest.Kind.WRITE_OFF, Charge)
def _approve_write_off(request: ApprovalRequest, acting_user) -> None:
    charge_adjust(
        charge=request.target,
        amount=request.amount,
        kind=request.kind,
        acting_user=acting_user,
        reason=request.reason,
    )


@approval_handler(ApprovalRequest.Kind.REFUND, Party)
def _approve_refund(request: ApprovalRequest, acting_user) -> None:
    """A refund of credit on account: Dr customer credit, Cr refunds payable (paid by payables)."""
    party = Party.objects.select_for_update(no_key=True).get(pk=request.target_id)
    available = party.credit_balance()
    if request.amount > available:
        raise InsufficientCredit(
            f"{party.name} has {available} on account now; cannot refund {request.amount}."
        )
    memo = f"Refund of credit on account: {request.reason}"[:250]
    journal_post(
        lines=[
            Line(
                account=account_for_role(Account.Role.CUSTOMER_CREDIT),
                debit=request.amount,
                party=party,
                memo=memo,
            ),
            Line(
                account=account_for_role(Account.Role.REFUNDS_PAYABLE),
                credit=request.amount,
                party=party,
                memo=memo,
            ),
        ],
        memo=f"Refund to {party.name}",
        acting_user=acting_user,
        source=request,
    )
    audit(
        actor=acting_user,
        action="party.refunded",
        obj=party,
        after={"amount": str(request.amount)},
        reason=request.reason,
    )


@transaction.atomic
def approval_request(
    *, kind: str, target: models.Model, reason: str, acting_user, amount=None
) -> ApprovalRequest:
    """Ask for an exception. Within a limit the requester's role holds for this kind (set in
    configuration, e.g. an Account Services Representative II's waivers up to $50) it is done at
    once and recorded as "done within own limit"; otherwise it waits for a supervisor."""
    if not acting_user.has_perm("revenue.request_exception"):
        raise NotAllowed("Your role cannot request exceptions.")
    if (kind, target._meta.label_lower) not in _APPROVAL_HANDLERS:
        raise RevenueError(f"A {kind} cannot be requested for a {target._meta.verbose_name}.")
    if not reason or not reason.strip():
        raise RevenueError("A reason is required.")
    from ..extensions import exception_guards

    for guard in exception_guards:
        refusal = guard(kind, target)
        if refusal:
            raise NotAllowed(refusal)
    if amount is not None:
        amount = money(amount)
        if isinstance(target, Party):
            target = Party.objects.select_for_update(no_key=True).get(pk=target.pk)
            if amount > target.credit_balance():
                raise InsufficientCredit(
                    f"{target.name} has {target.credit_balance()} on account; cannot refund {amount}."
                )
        if isinstance(target, Charge):
            target = lock_charges([target.pk])[target.pk]
            if amount > target.balance:
                raise OverApplied(
                    f"{target.source_number} has a balance of {target.balance}; "
                    f"cannot {ApprovalRequest.Kind(kind).label.lower()} {amount}."
                )
    target_type = ContentType.objects.get_for_model(target)
    if ApprovalRequest.objects.filter(
        kind=kind, target_type=target_type, target_id=target.pk, status=ApprovalRequest.Status.PENDING
    ).exists():
        raise RevenueError(
            f"A {ApprovalRequest.Kind(kind).label.lower()} of {target} is already waiting for a supervisor."
        )
    limit = exception_limit(user=acting_user, kind=kind)
    # a limit holds for a target in total: asking again for the same charge adds up
    done_before = (
        ApprovalRequest.objects.filter(
            kind=kind, target_type=target_type, target_id=target.pk, status=ApprovalRequest.Status.PERFORMED
        ).aggregate(total=models.Sum("amount"))["total"]
        or ZERO
    )
    own_authority = amount is not None and limit is not None and amount + done_before <= limit
    request = ApprovalRequest.objects.create(
        kind=kind,
        target_type=target_type,
        target_id=target.pk,
        target_repr=str(target)[:250],
        amount=amount,
        reason=reason.strip(),
        requested_by=acting_user,
        status=ApprovalRequest.Status.PERFORMED if own_authority else ApprovalRequest.Status.PENDING,
        decided_at=timezone.now() if own_authority else None,
        decision_note=f"Within the requester's limit of {limit}" if own_authority else "",
    )
    audit(
        actor=acting_user,
        action="approval.performed" if own_authority else "approval.requested",
        obj=request,
        after={"kind": kind, "amount": jsonable(amount), "target": str(target), "limit": jsonable(limit)},
        reason=reason,
    )
    if own_authority:
        _APPROVAL_HANDLERS[(kind, target._meta.label_lower)](request, acting_user)
    return request


def exception_limit(*, user, kind: str, on: datetime.date | None = None) -> Decimal | None:
    """The highest amount any of the user's roles may do an exception of `kind` for on its own,
    by the limits in force on `on`; None when no role of theirs has one."""
    on = on or city_today()
    best = None
    for group_id in user.groups.values_list("pk", flat=True):
        row = in_force(ExceptionLimit.objects.filter(role_id=group_id, kind=kind), on)
        limit = row.max_amount if row else None
        if limit is not None and (best is None or limit > best):
            best = limit
    return best if best else None


@transaction.atomic
def approval_decide(
    *, request: ApprovalRequest, approve: bool, acting_user, note: str = ""
) -> ApprovalRequest:
    """A supervisor approves (the operation runs now, in this transaction) or denies."""
    if not acting_user.has_perm("revenue.approve_exception"):
        raise NotAllowed("Only a Revenue Supervisor can approve or deny requests.")
    request = ApprovalRequest.objects.select_for_update(no_key=True).get(pk=request.pk)
    if request.status != ApprovalRequest.Status.PENDING:
        raise AlreadyDecided(f"This request was already {request.get_status_display().lower()}.")
    if request.requested_by_id == acting_user.pk:
        raise NotAllowed("You cannot decide your own request; another supervisor must.")
    if not approve and not note.strip():
        raise RevenueError("Say why the request is denied.")
    request.status = ApprovalRequest.Status.APPROVED if approve else ApprovalRequest.Status.DENIED
    request.decided_by = acting_user
    request.decided_at = timezone.now()
    request.decision_note = note.strip()
    request.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    if approve:
        handler = _APPROVAL_HANDLERS[(request.kind, request.target_type.model_class()._meta.label_lower)]
        handler(request, acting_user)
    audit(
        actor=acting_user,
        action=f"approval.{request.status}",
        obj=request,
        before={"status": "pending"},
        after={"status": request.status},
        reason=note,
    )
    return request
