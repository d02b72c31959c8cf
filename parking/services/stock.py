"""The counted stock of physical permit tags: ranges received, and tags voided, lost, stolen or
handed back. Every tag's status change is audited, so the inventory always reconciles:
received = issued + returned + void + lost + stolen + in stock."""

from __future__ import annotations

import datetime

from django.db import connection, transaction

from revenue import services as core
from revenue.exceptions import NotAllowed

from ..models import Permit, PermitSerial, PermitType, StockReceipt
from ..rules import PermitError

MAX_RANGE = 100_000
Status = PermitSerial.Status

# what may happen to a tag, from where it is now
TAG_MOVES = {
    Status.IN_STOCK: (Status.VOID, Status.LOST, Status.STOLEN),
    Status.ISSUED: (Status.LOST, Status.STOLEN, Status.RETURNED),
}


def _label(permit_type: PermitType, number: int) -> str:
    return f"{permit_type.serial_prefix}{number:06d}"


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


def tag_set(serial: PermitSerial, status: str, reason: str, acting_user, action: str) -> None:
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
    tag_set(serial, status, reason, acting_user, f"tag.{status}")
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
