"""Parking permits and the counted stock of physical tags they are printed on.

A permit is applied for at the counter (eligibility: zone and the limit per address), charged
through the core, and issued by the core's `charge_settled` signal when its charges are paid: the
lowest-numbered tag of its type on the shelf is taken under a row lock. A reversed payment takes
the permit back to awaiting payment and voids the tag (it has left the office; it is never
reissued). Every tag's status change is audited, so the inventory always reconciles:
received = issued + returned + void + lost + stolen + in stock."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.db.models import Count, F, Q, Sum
from django.db.models.functions import TruncMonth
from django.dispatch import receiver
from django.utils import timezone

from revenue import services as core
from revenue.exceptions import NotAllowed, RevenueError
from revenue.models import Charge
from revenue.signals import charge_reopened, charge_settled

from . import rules
from .models import Permit, PermitSerial, PermitTerms, PermitType, PermitZone, StockReceipt, ZoneStreet
from .services import policy_on

ZERO = Decimal("0.00")
MAX_RANGE = 100_000
Status = PermitSerial.Status

# what may happen to a tag, from where it is now
TAG_MOVES = {
    Status.IN_STOCK: (Status.VOID, Status.LOST, Status.STOLEN),
    Status.ISSUED: (Status.LOST, Status.STOLEN, Status.RETURNED),
}
REPLACE_REASONS = ("lost", "stolen")


class PermitError(RevenueError):
    """A permit or tag operation refused; the message is for the clerk."""


def _rule(fn, *args):
    try:
        return fn(*args)
    except rules.RuleError as exc:
        raise PermitError(str(exc)) from None


def _label(permit_type: PermitType, number: int) -> str:
    return f"{permit_type.serial_prefix}{number:06d}"


# --------------------------------------------------------------------------- stock


@transaction.atomic
def stock_receive(
    *,
    permit_type: PermitType,
    first: int,
    last: int,
    received_on: datetime.date,
    acting_user,
    note: str = "",
) -> StockReceipt:
    """Receive a range of tags into stock: the receipt and one PermitSerial per number in one
    INSERT … SELECT generate_series. Ranges of a type never overlap."""
    if not acting_user.has_perm("parking.manage_stock"):
        raise NotAllowed("Receiving tags needs the Revenue Supervisor role.")
    if first is None or last is None:
        raise PermitError("Enter the first and last tag numbers.")
    first, last = int(first), int(last)
    if first < 1:
        raise PermitError("Tag numbers start at 1.")
    if last < first:
        raise PermitError(f"The last tag ({last}) is before the first ({first}).")
    if last > 999_999:
        raise PermitError("Tag numbers run to 999999 (six digits, as printed).")
    if last - first + 1 > MAX_RANGE:
        raise PermitError(
            f"{last - first + 1:,} tags is more than one receipt may hold ({MAX_RANGE:,}): check the numbers."
        )
    if received_on > core.city_today():
        raise PermitError(f"The receipt date {received_on:%m/%d/%Y} is in the future.")
    # one receiver of a type's stock at a time, so the overlap check below cannot be raced
    permit_type = PermitType.objects.select_for_update(no_key=True).get(pk=permit_type.pk)
    clash = (
        StockReceipt.objects.filter(permit_type=permit_type, first__lte=last, last__gte=first)
        .order_by("first")
        .first()
    )
    if clash is not None:
        raise PermitError(
            f"Tags {_label(permit_type, first)}–{_label(permit_type, last)} overlap "
            f"{_label(permit_type, clash.first)}–{_label(permit_type, clash.last)}, "
            f"received on {clash.received_on:%m/%d/%Y}."
        )
    receipt = StockReceipt.objects.create(
        permit_type=permit_type,
        first=first,
        last=last,
        received_on=received_on,
        note=(note or "").strip()[:200],
        created_by=acting_user,
    )
    with connection.cursor() as cur:
        cur.execute(
            f"""
            INSERT INTO {PermitSerial._meta.db_table}
                (permit_type_id, number, receipt_id, status, status_on, status_reason)
            SELECT %s, n, %s, %s, %s, '' FROM generate_series(%s::integer, %s::integer) AS n
            """,
            [permit_type.pk, receipt.pk, Status.IN_STOCK, received_on, first, last],
        )
        inserted = cur.rowcount
    if inserted != receipt.count:  # the unique constraint would have refused; this is belt and braces
        raise PermitError("The tags could not all be received.")
    core.audit(
        actor=acting_user,
        action="stock.received",
        obj=receipt,
        after={
            "type": permit_type.code,
            "first": _label(permit_type, first),
            "last": _label(permit_type, last),
            "count": receipt.count,
            "received_on": received_on,
        },
        reason=receipt.note,
    )
    return receipt


def _set_tag(serial: PermitSerial, status: str, reason: str, acting_user, action: str) -> None:
    before = core.snapshot(serial, ["status", "status_on", "status_reason"])
    serial.status, serial.status_on, serial.status_reason = status, core.city_today(), reason[:200]
    serial.save(update_fields=["status", "status_on", "status_reason"])
    core.audit(
        actor=acting_user,
        action=action,
        obj=serial,
        before=before,
        after=core.snapshot(serial, ["status", "status_on", "status_reason"]),
        reason=reason,
    )


@transaction.atomic
def serial_mark(*, serial: PermitSerial, status: str, reason: str, acting_user) -> PermitSerial:
    """A tag on the shelf voided (damaged, misprinted), lost or stolen; an issued tag reported
    lost or stolen, or handed back (kept for destruction, never reissued; its permit ends)."""
    if not acting_user.has_perm("parking.manage_stock"):
        raise NotAllowed("Marking tags needs the Revenue Supervisor role.")
    reason = (reason or "").strip()
    if not reason:
        raise PermitError("A reason is required.")
    # lock in the same order as payment and reversal do: the permit first, then its tag
    holder = Permit.objects.filter(serial_id=serial.pk).values_list("pk", flat=True).first()
    permit = Permit.objects.select_for_update(no_key=True).get(pk=holder) if holder else None
    serial = (
        PermitSerial.objects.select_for_update(no_key=True).select_related("permit_type").get(pk=serial.pk)
    )
    if permit is not None and permit.serial_id != serial.pk:
        permit = None  # the permit gave the tag up meanwhile (a reversed payment)
    if serial.status == Status.ISSUED and permit is None:
        raise PermitError(f"Tag {serial.label} was just issued: look it up again and retry.")
    allowed = TAG_MOVES.get(serial.status, ())
    if status not in allowed:
        if not allowed:
            raise PermitError(
                f"Tag {serial.label} is {serial.get_status_display().lower()}: it cannot change."
            )
        raise PermitError(
            f"Tag {serial.label} is {serial.get_status_display().lower()}; it can only be marked "
            + " or ".join(Status(s).label.lower() for s in allowed)
            + "."
        )
    _set_tag(serial, status, reason, acting_user, f"tag.{status}")
    if permit is not None and status == Status.RETURNED and permit.status == Permit.Status.ISSUED:
        before = core.snapshot(permit, ["status", "status_reason"])
        permit.status, permit.status_reason = (
            Permit.Status.CANCELLED,
            f"Tag {serial.label} returned: {reason}",
        )
        permit.save(update_fields=["status", "status_reason"])
        core.audit(
            actor=acting_user,
            action="permit.cancelled",
            obj=permit,
            before=before,
            after=core.snapshot(permit, ["status", "status_reason"]),
            reason=reason,
        )
    return serial


@dataclass
class InventoryRow:
    permit_type: PermitType
    received: int
    in_stock: int
    issued: int
    returned: int
    void: int
    lost: int
    stolen: int

    @property
    def expected_on_hand(self) -> int:
        return self.received - self.issued - self.returned - self.void - self.lost - self.stolen

    @property
    def difference(self) -> int:
        return self.in_stock - self.expected_on_hand

    @property
    def reconciles(self) -> bool:
        return self.expected_on_hand == self.in_stock


def inventory() -> list[InventoryRow]:
    """Per type: tags received (from the receipts' ranges) and where each one is now."""
    received = dict(
        StockReceipt.objects.values_list("permit_type").annotate(n=Sum(F("last") - F("first") + 1)).order_by()
    )
    counts = {
        row["permit_type"]: row
        for row in PermitSerial.objects.values("permit_type")
        .annotate(**{s: Count("pk", filter=Q(status=s)) for s in Status.values})
        .order_by()
    }
    rows = []
    for ptype in PermitType.objects.order_by("name"):
        c = counts.get(ptype.pk, {})
        rows.append(
            InventoryRow(
                permit_type=ptype,
                received=received.get(ptype.pk) or 0,
                in_stock=c.get(Status.IN_STOCK, 0),
                issued=c.get(Status.ISSUED, 0),
                returned=c.get(Status.RETURNED, 0),
                void=c.get(Status.VOID, 0),
                lost=c.get(Status.LOST, 0),
                stolen=c.get(Status.STOLEN, 0),
            )
        )
    return rows


def serial_find(text: str) -> PermitSerial | None:
    """A tag by its printed label ('R001000') or type code and number ('RES 1000')."""
    text = (text or "").strip().upper().replace(" ", "").replace("-", "")
    if not text:
        return None
    qs = PermitSerial.objects.select_related("permit_type")
    for ptype in PermitType.objects.all():
        for prefix in (ptype.code.upper(), ptype.serial_prefix.upper()):
            rest = text[len(prefix) :]
            if text.startswith(prefix) and rest.isdigit() and len(rest) <= 9:
                found = qs.filter(permit_type=ptype, number=int(rest)).first()
                if found is not None:
                    return found
    return None


# --------------------------------------------------------------------------- eligibility


def terms_on(permit_type: PermitType, on: datetime.date) -> PermitTerms:
    terms = core.in_force(permit_type.terms.all(), on)
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


def permit_charges(permit: Permit):
    return Charge.objects.filter(
        source_type=ContentType.objects.get_for_model(Permit), source_id=permit.pk
    ).order_by("pk")


def is_paid(permit: Permit) -> bool:
    return all(c.is_settled for c in permit_charges(permit))


def awaiting_tag(permit: Permit) -> bool:
    """Paid (or free) but no tag was on the shelf when it was."""
    return permit.status == Permit.Status.PENDING and permit.serial_id is None and is_paid(permit)


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
        policy = policy_on(on)
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
        valid_to=rules.add_months(on, terms.validity_months) - datetime.timedelta(days=1),
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
        valid_to=rules.add_months(start, terms.validity_months) - datetime.timedelta(days=1),
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
        _set_tag(tag, reason, why, acting_user, f"tag.{reason}")
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
    _set_tag(tag, Status.ISSUED, f"Issued on {permit.number}", acting_user, "tag.issued")
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
    if not is_paid(permit):
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
    if permit.status == Permit.Status.PENDING and permit.serial_id is None and is_paid(permit):
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
        _set_tag(tag, Status.VOID, "payment reversed", acting_user, "tag.void")
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


# --------------------------------------------------------------------------- reports


def issued_report(start: datetime.date, end: datetime.date) -> list[dict]:
    """Permits issued in a date range (city time), by month and type: new, renewals,
    replacements, and the fees."""
    tz = timezone.get_current_timezone()
    low = datetime.datetime.combine(start, datetime.time.min, tzinfo=tz)
    high = datetime.datetime.combine(end + datetime.timedelta(days=1), datetime.time.min, tzinfo=tz)
    return list(
        Permit.objects.filter(issued_at__gte=low, issued_at__lt=high)
        .annotate(month=TruncMonth("issued_at", tzinfo=tz))
        .values("month", "permit_type__code", "permit_type__name")
        .annotate(
            new=Count("pk", filter=Q(kind=Permit.Kind.NEW)),
            renewals=Count("pk", filter=Q(kind=Permit.Kind.RENEWAL)),
            replacements=Count("pk", filter=Q(kind=Permit.Kind.REPLACEMENT)),
            total=Count("pk"),
            fees=Sum("fee"),
        )
        .order_by("month", "permit_type__name")
    )


def permit_status_word(permit: Permit, on: datetime.date | None = None) -> str:
    """What the clerk needs to read: 'Issued', 'Expired', 'Paid — waiting for a tag' …"""
    on = on or core.city_today()
    if permit.status == Permit.Status.ISSUED:
        if permit.valid_to < on:
            return "Expired"
        if permit.valid_from > on:
            return "Issued (starts later)"
    if permit.status == Permit.Status.PENDING and awaiting_tag(permit):
        return "Paid — waiting for a tag"
    return permit.get_status_display()
