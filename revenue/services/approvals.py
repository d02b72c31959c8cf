"""Approvals: exceptions requested, decided, and done within a role's own limit."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from decimal import Decimal

from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection, models, transaction
from django.utils import timezone

from ..dates import city_today
from ..exceptions import (
    AlreadyDecided,
    InsufficientCredit,
    NotAllowed,
    OverApplied,
    RevenueError,
)
from ..extensions import exception_guards, involvement_checks
from ..models import (
    ZERO,
    Account,
    ApprovalRequest,
    Charge,
    ExceptionLimit,
    Party,
    Payment,
    PaymentApplication,
    RoleChange,
)
from ..money import money
from .audit import audit, jsonable
from .charges import charge_adjust, lock_charges, lock_party
from .fees import in_force
from .ledger import Line, account_for_role, journal_post

ApprovalHandler = Callable[[ApprovalRequest, object], None]
_APPROVAL_HANDLERS: dict[tuple[str, str], ApprovalHandler] = {}
_DENIAL_HANDLERS: dict[tuple[str, str], ApprovalHandler] = {}


def approval_handler(kind: str, model: type[models.Model], *, on_denial: bool = False):
    """Register the operation that runs when a request of `kind` on a `model` is approved (or,
    with `on_denial`, denied). Duty apps register theirs (a receipt void, a refund) in their
    AppConfig.ready()."""

    def register(fn: ApprovalHandler) -> ApprovalHandler:
        (_DENIAL_HANDLERS if on_denial else _APPROVAL_HANDLERS)[(kind, model._meta.label_lower)] = fn
        return fn

    return register


@approval_handler(ApprovalRequest.Kind.CONFIGURATION, ExceptionLimit)
def _approve_limit(request: ApprovalRequest, acting_user) -> None:
    """A limit added in Configuration takes effect once another supervisor approves it."""
    ExceptionLimit.objects.filter(pk=request.target_id).update(state="approved")
    audit(actor=acting_user, action="exception_limit.approved", obj=request.target)


@approval_handler(ApprovalRequest.Kind.CONFIGURATION, RoleChange)
def _approve_role_change(request: ApprovalRequest, acting_user) -> None:
    """A role's permissions change once another person approves the change."""
    change = RoleChange.objects.select_for_update().get(pk=request.target_id)
    group = change.group
    group.permissions.add(*_permissions(change.added))
    group.permissions.remove(*_permissions(change.removed))
    change.state = "approved"
    change.save(update_fields=["state"])
    audit(
        actor=acting_user,
        action="role.permissions_changed",
        obj=group,
        after={"added": change.added, "removed": change.removed, "made_by": change.created_by.username},
    )


@approval_handler(ApprovalRequest.Kind.CONFIGURATION, RoleChange, on_denial=True)
def _deny_role_change(request: ApprovalRequest, acting_user) -> None:
    RoleChange.objects.filter(pk=request.target_id).update(state="denied")


def _permissions(names: list[str]) -> list[Permission]:
    wanted = [name.split(".", 1) for name in names]
    found = [
        p
        for p in Permission.objects.select_related("content_type")
        if [p.content_type.app_label, p.codename] in wanted
    ]
    if len(found) != len(wanted):
        raise RevenueError("A permission in this change no longer exists; make the change again.")
    return found


@transaction.atomic
def role_change_request(*, group, permissions, acting_user) -> RoleChange | None:
    """Propose that a role hold exactly `permissions`; nothing changes until another person
    approves. Returns None when the role already holds exactly those."""
    if not acting_user.has_perm("auth.change_group"):
        raise NotAllowed("Only the system administrator changes roles.")
    current = {
        f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.select_related("content_type")
    }
    wanted = {f"{p.content_type.app_label}.{p.codename}" for p in permissions}
    if current == wanted:
        return None
    change = RoleChange.objects.create(
        group=group, added=sorted(wanted - current), removed=sorted(current - wanted), created_by=acting_user
    )
    approval_request(kind="config", target=change, reason=str(change), acting_user=acting_user)
    return change


@approval_handler(ApprovalRequest.Kind.CONFIGURATION, ExceptionLimit, on_denial=True)
def _deny_limit(request: ApprovalRequest, acting_user) -> None:
    ExceptionLimit.objects.filter(pk=request.target_id).update(state="denied")
    audit(
        actor=acting_user, action="exception_limit.denied", obj=request.target, reason=request.decision_note
    )


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
    """Ask for an exception. Within the limits the requester's role holds for this kind (set in
    configuration, e.g. an Account Services Representative II's waivers up to $50 a charge, $200
    a day) it is done at once and recorded as "done within own limit"; otherwise, or when the
    requester handled the money it touches, it waits for a supervisor."""
    _check_may_request(kind=kind, target=target, reason=reason, acting_user=acting_user)
    _lock_requester(acting_user)
    party = _party_of(target)
    if party is not None:
        party = lock_party(party)
    amount, target = _checked_amount(kind=kind, target=target, amount=amount)
    target_type = ContentType.objects.get_for_model(target)
    if ApprovalRequest.objects.filter(
        kind=kind, target_type=target_type, target_id=target.pk, status=ApprovalRequest.Status.PENDING
    ).exists():
        raise RevenueError(
            f"A {ApprovalRequest.Kind(kind).label.lower()} of {target} is already waiting for a supervisor."
        )
    limit = exception_limit_row(user=acting_user, kind=kind)
    own_authority, note = _own_authority(
        kind=kind, target=target, amount=amount, user=acting_user, party=party, limit=limit
    )
    request = ApprovalRequest.objects.create(
        kind=kind,
        target_type=target_type,
        target_id=target.pk,
        target_repr=str(target)[:250],
        party=party,
        amount=amount,
        reason=reason.strip(),
        requested_by=acting_user,
        status=ApprovalRequest.Status.PERFORMED if own_authority else ApprovalRequest.Status.PENDING,
        decided_at=timezone.now() if own_authority else None,
        decision_note=note,
    )
    audit(
        actor=acting_user,
        action="approval.performed" if own_authority else "approval.requested",
        obj=request,
        after={
            "kind": kind,
            "amount": jsonable(amount),
            "target": str(target),
            "limit": jsonable(limit.max_amount if limit else None),
        },
        reason=reason,
    )
    if own_authority:
        _APPROVAL_HANDLERS[(kind, target._meta.label_lower)](request, acting_user)
    return request


def _check_may_request(*, kind, target, reason, acting_user) -> None:
    if not acting_user.has_perm("revenue.request_exception"):
        raise NotAllowed("Your role cannot request exceptions.")
    if (kind, target._meta.label_lower) not in _APPROVAL_HANDLERS:
        raise RevenueError(f"A {kind} cannot be requested for a {target._meta.verbose_name}.")
    if not reason or not reason.strip():
        raise RevenueError("A reason is required.")
    for guard in exception_guards:
        refusal = guard(kind, target)
        if refusal:
            raise NotAllowed(refusal)


def _lock_requester(user) -> None:
    """One request at a time per requester: the day's total is read and added to under it, so
    two requests at once cannot both fit under a daily limit that only one fits under."""
    with connection.cursor() as cur:
        cur.execute("SELECT pg_advisory_xact_lock(hashtext('approval_request'), %s)", [user.pk])


def _party_of(target) -> Party | None:
    if isinstance(target, Party):
        return target
    party = getattr(target, "party", None)
    return party if isinstance(party, Party) else None


def _checked_amount(*, kind, target, amount):
    """The amount, checked against what the target has: credit to refund, a balance to adjust."""
    if amount is None:
        return None, target
    amount = money(amount)
    if isinstance(target, Party) and amount > target.credit_balance():
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
    return amount, target


def involvement(*, kind: str, target, user) -> str:
    """Why `user` may not do or approve this exception: they handled the money it touches."""
    if (
        isinstance(target, Charge)
        and PaymentApplication.objects.filter(
            charge=target, payment__created_by=user, payment__status=Payment.Status.POSTED
        ).exists()
    ):
        return "You took a payment on this charge."
    for check in involvement_checks:
        reason = check(kind, target, user)
        if reason:
            return reason
    return ""


ADJUSTMENTS = (ApprovalRequest.Kind.WAIVER, ApprovalRequest.Kind.WRITE_OFF)


def _own_authority(*, kind, target, amount, user, party, limit) -> tuple[bool, str]:
    """Whether the requester's own limits cover this exception, and the note that says why not.
    Limits hold per target in total (waivers and write-offs of a charge together), per clerk per
    day, and per party per day; anything over one of them goes to a supervisor."""
    if amount is None or limit is None or not limit.max_amount:
        return False, ""
    reason = involvement(kind=kind, target=target, user=user)
    if reason:
        return False, f"Goes to a supervisor: {reason}"
    done = ApprovalRequest.objects.filter(status=ApprovalRequest.Status.PERFORMED)
    kinds = ADJUSTMENTS if isinstance(target, Charge) and kind in ADJUSTMENTS else (kind,)
    on_target = done.filter(
        kind__in=kinds, target_type=ContentType.objects.get_for_model(target), target_id=target.pk
    )
    if _total(on_target) + amount > limit.max_amount:
        return False, f"Over the limit of {limit.max_amount} for one {target._meta.verbose_name}."
    today = done.filter(kind=kind, decided_at__date=city_today())
    if (
        limit.daily_max_amount is not None
        and _total(today.filter(requested_by=user)) + amount > limit.daily_max_amount
    ):
        return False, f"Over the daily limit of {limit.daily_max_amount} for one clerk."
    if (
        party is not None
        and limit.party_daily_max_amount is not None
        and _total(today.filter(party=party)) + amount > limit.party_daily_max_amount
    ):
        return False, f"Over the daily limit of {limit.party_daily_max_amount} for one party."
    return True, f"Within the requester's limit of {limit.max_amount}"


def _total(requests) -> Decimal:
    return requests.aggregate(total=models.Sum("amount"))["total"] or ZERO


def exception_limit_row(*, user, kind: str, on: datetime.date | None = None) -> ExceptionLimit | None:
    """The highest approved limit any of the user's roles holds for `kind` on `on`."""
    on = on or city_today()
    best = None
    approved = ExceptionLimit.objects.filter(state="approved", kind=kind)
    for group_id in user.groups.values_list("pk", flat=True):
        row = in_force(approved.filter(role_id=group_id), on)
        if row is not None and (best is None or row.max_amount > best.max_amount):
            best = row
    return best if best is not None and best.max_amount else None


def exception_limit(*, user, kind: str, on: datetime.date | None = None) -> Decimal | None:
    """The highest amount any of the user's roles may do an exception of `kind` for on its own,
    by the approved limits in force on `on`; None when no role of theirs has one."""
    row = exception_limit_row(user=user, kind=kind, on=on)
    return row.max_amount if row else None


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
    reason = involvement(kind=request.kind, target=request.target, user=acting_user)
    if approve and reason:
        raise NotAllowed(f"{reason} Another supervisor must decide this request.")
    if not approve and not note.strip():
        raise RevenueError("Say why the request is denied.")
    request.status = ApprovalRequest.Status.APPROVED if approve else ApprovalRequest.Status.DENIED
    request.decided_by = acting_user
    request.decided_at = timezone.now()
    request.decision_note = note.strip()
    request.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    label = request.target_type.model_class()._meta.label_lower
    if approve:
        _APPROVAL_HANDLERS[(request.kind, label)](request, acting_user)
    elif (request.kind, label) in _DENIAL_HANDLERS:
        _DENIAL_HANDLERS[(request.kind, label)](request, acting_user)
    audit(
        actor=acting_user,
        action=f"approval.{request.status}",
        obj=request,
        before={"status": "pending"},
        after={"status": request.status},
        reason=note,
    )
    return request
