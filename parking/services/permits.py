"""Parking permits: applied for at the counter (eligibility: zone and the limit per address),
charged through the core, and issued by the core's `charge_settled` signal when its charges are
paid: the lowest-numbered tag of its type on the shelf is taken under a row lock. A reversed
payment takes the permit back to awaiting payment and voids the tag (it has left the office; it
is never reissued)."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db import connection, transaction
from django.dispatch import receiver
from django.utils import timezone

from revenue import services as core
from revenue.dates import add_months
from revenue.models import Charge
from revenue.signals import charge_reopened, charge_settled

from .. import rules, selectors
from ..models import Permit, PermitSerial, PermitTerms, PermitType, PermitZone, ZoneStreet
from ..rules import PermitError
from .stock import tag_set

Status = PermitSerial.Status
REPLACE_REASONS = ("lost", "stolen")


def _rule(fn, *args):
    try:
        return fn(*args)
    except rules.RuleError as exc:
        raise PermitError(str(exc)) from None


def terms_on(permit_type: PermitType, on: datetime.date) -> PermitTerms:
    terms = selectors.permit_terms_on(permit_type, on)
    if terms is None:
        raise PermitError(f"{permit_type.name} permits have no fee set for {on:%m/%d/%Y}.")
    return terms


def eligibility(
    permit_type: PermitType, address: str, on: datetime.date, excluding: Permit | None = None
) -> tuple[str, PermitZone | None]:
    """(normalized address, zone) if a permit of the type may be had at the address on the day:
    inside a zone when the type needs one, and under the type's limit per address counting the
    permits pending or issued and not expired (other than `excluding`, the one being renewed)."""
    normalized, number, street = _rule(rules.clean_address, address)
    hit = (
        ZoneStreet.objects.filter(street=street, low__lte=number, high__gte=number)
        .select_related("zone")
        .order_by("pk")
        .first()
    )
    zone = hit.zone if hit else None
    if permit_type.requires_zone and zone is None:
        raise PermitError(f"{normalized} is not inside a permit zone.")
    terms = terms_on(permit_type, on)
    live = Permit.objects.filter(
        permit_type=permit_type,
        address=normalized,
        status__in=[Permit.Status.PENDING, Permit.Status.ISSUED],
        valid_to__gte=on,
    )
    if excluding is not None:
        live = live.exclude(pk=excluding.pk)
    held = live.count()
    if held >= terms.max_per_address:
        kind = permit_type.name.lower()
        raise PermitError(
            f"{normalized} already has {held} {kind} permit{'s' if held != 1 else ''}: "
            f"the limit is {terms.max_per_address}."
        )
    return normalized, zone


def _lock_address(permit_type: PermitType, address: str) -> None:
    """Two clerks applying for the same address at once are counted one after the other."""
    with connection.cursor() as cur:
        cur.execute(
            "SELECT pg_advisory_xact_lock(hashtext(%s))", [f"parking-permit:{permit_type.pk}:{address}"]
        )


# --------------------------------------------------------------------------- permits


def _create(*, acting_user, on: datetime.date, amount: Decimal, what: str, **fields) -> Permit:
    """The permit, its audit row and its charge; issued at once when there is nothing to pay."""
    permit = Permit.objects.create(
        number=core.number_next(kind="PP", on=on), fee=amount, created_by=acting_user, **fields
    )
    core.audit(
        actor=acting_user,
        action=f"permit.{permit.kind}",
        obj=permit,
        after=core.snapshot(
            permit,
            ["permit_type", "address", "unit", "plate", "plate_state", "valid_from", "valid_to", "fee"],
        ),
    )
    if amount > 0:
        policy = selectors.policy_on(on)
        core.charge_assess(
            party=permit.party,
            amount=amount,
            description=f"{permit.permit_type.name} parking permit {permit.number}{what}",
            receivable_account=policy.permit_receivable_account,
            revenue_account=policy.permit_revenue_account,
            source=permit,
            source_number=permit.number,
            assessed_on=core.city_today(),
            acting_user=acting_user,
        )
    else:
        _issue(permit, acting_user)
    return permit


@transaction.atomic
def permit_apply(
    *,
    party,
    permit_type: PermitType,
    address: str,
    unit: str = "",
    plate: str,
    plate_state: str,
    acting_user,
    on: datetime.date | None = None,
) -> Permit:
    """A new permit from `on` (today), awaiting payment of its fee."""
    today = core.city_today()
    on = on or today
    if on > today:
        raise PermitError(f"A permit starts on the day it is applied for; {on:%m/%d/%Y} is in the future.")
    if not permit_type.active:
        raise PermitError(f"{permit_type.name} permits are no longer offered.")
    plate = _rule(rules.clean_plate, plate)
    plate_state = _rule(rules.clean_state, plate_state)
    normalized, _number, _street = _rule(rules.clean_address, address)
    _lock_address(permit_type, normalized)
    normalized, zone = eligibility(permit_type, address, on)
    terms = terms_on(permit_type, on)
    return _create(
        acting_user=acting_user,
        on=on,
        amount=terms.fee,
        what="",
        permit_type=permit_type,
        kind=Permit.Kind.NEW,
        party=party,
        address=normalized,
        unit=(unit or "").strip().upper()[:20],
        zone=zone,
        plate=plate,
        plate_state=plate_state,
        valid_from=on,
        valid_to=add_months(on, terms.validity_months) - datetime.timedelta(days=1),
    )


@transaction.atomic
def permit_renew(*, permit: Permit, acting_user, on: datetime.date | None = None) -> Permit:
    """The next period of an issued permit: from the day after it ends (today if it has lapsed)."""
    today = on or core.city_today()
    old = Permit.objects.select_for_update(no_key=True).select_related("permit_type").get(pk=permit.pk)
    if old.status != Permit.Status.ISSUED:
        raise PermitError(
            f"Only an issued permit can be renewed; {old.number} is {old.get_status_display().lower()}."
        )
    prior = old.renewals.filter(status__in=[Permit.Status.PENDING, Permit.Status.ISSUED]).first()
    if prior is not None:
        raise PermitError(
            f"{old.number} already has a renewal, {prior.number} ({prior.get_status_display().lower()})."
        )
    start = old.valid_to + datetime.timedelta(days=1) if old.valid_to >= today else today
    _lock_address(old.permit_type, old.address)
    normalized, zone = eligibility(old.permit_type, old.address, start, excluding=old)
    terms = terms_on(old.permit_type, start)
    return _create(
        acting_user=acting_user,
        on=today,
        amount=terms.fee,
        what=" (renewal)",
        permit_type=old.permit_type,
        kind=Permit.Kind.RENEWAL,
        renewal_of=old,
        party=old.party,
        address=normalized,
        unit=old.unit,
        zone=zone,
        plate=old.plate,
        plate_state=old.plate_state,
        valid_from=start,
        valid_to=add_months(start, terms.validity_months) - datetime.timedelta(days=1),
    )


@transaction.atomic
def permit_replace(*, permit: Permit, reason: str, note: str = "", acting_user) -> Permit:
    """A lost or stolen tag: the permit is replaced by a new one to the same end date, charged the
    replacement fee; the old tag is written off at once (whoever has it, it is no longer valid)."""
    if reason not in REPLACE_REASONS:
        raise PermitError("Say whether the tag was lost or stolen.")
    today = core.city_today()
    old = Permit.objects.select_for_update(no_key=True).select_related("permit_type").get(pk=permit.pk)
    if old.status != Permit.Status.ISSUED:
        raise PermitError(
            f"Only an issued permit can be replaced; {old.number} is {old.get_status_display().lower()}."
        )
    if old.valid_to < today:
        raise PermitError(f"{old.number} expired on {old.valid_to:%m/%d/%Y}: renew it instead.")
    note = (note or "").strip()
    why = f"Tag reported {reason}" + (f": {note}" if note else "")
    tag = PermitSerial.objects.select_for_update(no_key=True).get(pk=old.serial_id)
    if tag.status == Status.ISSUED:
        tag_set(tag, reason, why, acting_user, f"tag.{reason}")
    before = core.snapshot(old, ["status", "status_reason"])
    old.status, old.status_reason = Permit.Status.REPLACED, why[:200]
    old.save(update_fields=["status", "status_reason"])
    core.audit(
        actor=acting_user,
        action="permit.replaced",
        obj=old,
        before=before,
        after=core.snapshot(old, ["status", "status_reason"]),
        reason=why,
    )
    terms = terms_on(old.permit_type, today)
    return _create(
        acting_user=acting_user,
        on=today,
        amount=terms.replacement_fee,
        what=f" (replaces {old.number})",
        permit_type=old.permit_type,
        kind=Permit.Kind.REPLACEMENT,
        replaces=old,
        party=old.party,
        address=old.address,
        unit=old.unit,
        zone=old.zone,
        plate=old.plate,
        plate_state=old.plate_state,
        valid_from=max(today, old.valid_from),
        valid_to=old.valid_to,
    )


def _issue(permit: Permit, acting_user) -> bool:
    """Give a (locked, pending, paid) permit the lowest-numbered tag of its type on the shelf.
    False when the shelf is empty: the permit waits, paid, for stock."""
    tag = (
        PermitSerial.objects.select_for_update(skip_locked=True, no_key=True)
        .filter(permit_type_id=permit.permit_type_id, status=Status.IN_STOCK)
        .order_by("number")
        .first()
    )
    if tag is None:
        core.audit(
            actor=acting_user,
            action="permit.awaiting_tag",
            obj=permit,
            reason=f"No {permit.permit_type.name} tags in stock",
        )
        return False
    tag.permit_type = permit.permit_type
    tag_set(tag, Status.ISSUED, f"Issued on {permit.number}", acting_user, "tag.issued")
    before = core.snapshot(permit, ["status", "serial", "issued_at"])
    permit.status, permit.serial, permit.issued_at = Permit.Status.ISSUED, tag, timezone.now()
    permit.save(update_fields=["status", "serial", "issued_at"])
    core.audit(
        actor=acting_user,
        action="permit.issued",
        obj=permit,
        before=before,
        after=core.snapshot(permit, ["status", "serial", "issued_at"]),
    )
    return True


@transaction.atomic
def permit_assign_tag(*, permit: Permit, acting_user) -> Permit:
    """Issue a paid permit that was waiting for stock."""
    permit = Permit.objects.select_for_update(no_key=True).select_related("permit_type").get(pk=permit.pk)
    if permit.status != Permit.Status.PENDING or permit.serial_id is not None:
        raise PermitError(f"{permit.number} is {permit.get_status_display().lower()}: it needs no tag.")
    if not selectors.is_paid(permit):
        raise PermitError(f"{permit.number} is not paid yet: pay at the counter with number {permit.number}.")
    if not _issue(permit, acting_user):
        raise PermitError(f"No {permit.permit_type.name} tags in stock: receive stock first.")
    return permit


@receiver(charge_settled, sender=Permit)
def _issue_on_payment(sender, charge: Charge, acting_user, **kwargs) -> None:
    """Issued when every one of its charges is paid (same transaction as the payment)."""
    permit = (
        Permit.objects.select_for_update(no_key=True).select_related("permit_type").get(pk=charge.source_id)
    )
    if permit.status == Permit.Status.PENDING and permit.serial_id is None and selectors.is_paid(permit):
        _issue(permit, acting_user)


@receiver(charge_reopened, sender=Permit)
def _unissue_on_reversal(sender, charge: Charge, acting_user, **kwargs) -> None:
    """A voided payment or a returned check: back to awaiting payment; the tag that left the office
    with the permit is void (never reissued)."""
    permit = Permit.objects.select_for_update(no_key=True).get(pk=charge.source_id)
    if permit.status != Permit.Status.ISSUED:
        return
    reason = f"payment reversed ({charge.source_number})"
    tag = (
        PermitSerial.objects.select_for_update(no_key=True)
        .select_related("permit_type")
        .get(pk=permit.serial_id)
    )
    if tag.status == Status.ISSUED:
        tag_set(tag, Status.VOID, "payment reversed", acting_user, "tag.void")
    permit.serial = tag
    before = core.snapshot(permit, ["status", "serial", "issued_at"])
    permit.status, permit.serial, permit.issued_at = Permit.Status.PENDING, None, None
    permit.save(update_fields=["status", "serial", "issued_at"])
    core.audit(
        actor=acting_user,
        action="permit.unissued",
        obj=permit,
        before=before,
        after=core.snapshot(permit, ["status", "serial", "issued_at"]),
        reason=reason,
    )
