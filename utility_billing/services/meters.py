"""The meter inventory: adding meters by serial, installing one at a premise and removing it,
each with the register read at that moment (kept on the installation and as a read)."""

import datetime
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction

from revenue import services as core

from ..models import Meter, MeterInstallation, MeterSize, Premise, Reading


class MeterRefused(core.RevenueError):
    pass


def read_value(value, *, meter: Meter, label: str = "The read") -> int:
    """A register read as typed: whole digits, within the meter's dials. Letters, signs, decimals
    and a read past the register are refused with a sentence."""
    text = str(value).strip().replace(",", "")
    if not text:
        raise MeterRefused(f"{label} is required.")
    if text.startswith("-"):
        raise MeterRefused(f"{label} cannot be negative.")
    if not text.isdigit():
        raise MeterRefused(
            f"{label} must be whole digits as on the register (you typed {str(value)[:20]!r})."
        )
    number = int(text)
    if number >= meter.rollover:
        raise MeterRefused(
            f"{label} {number} has more digits than meter {meter.serial}'s {meter.dials} dials."
        )
    return number


def serial_clean(serial: str) -> str:
    serial = (serial or "").strip().upper()
    if not serial:
        raise MeterRefused("A meter serial number is required.")
    if len(serial) > 30 or not all((c.isascii() and c.isalnum()) or c in "-." for c in serial):
        raise MeterRefused("A serial number is letters, digits, - and . only, at most 30 characters.")
    return serial


@transaction.atomic
def meter_add(
    *, serial: str, size: MeterSize, acting_user, make: str = "", unit: str = Meter.Unit.HCF,
    multiplier=1, dials: int = 6,
) -> Meter:  # fmt: skip
    """A new meter in stock. The serial is unique in the inventory."""
    serial = serial_clean(serial)
    if Meter.objects.filter(serial__iexact=serial).exists():
        raise MeterRefused(f"Meter {serial} is already in the inventory.")
    if unit not in Meter.Unit.values:
        raise MeterRefused("Choose the meter's unit: HCF, gallons or thousand gallons.")
    if not isinstance(dials, int) or not 3 <= dials <= 10:
        raise MeterRefused("A register has from 3 to 10 dials.")
    try:
        multiplier = Decimal(str(multiplier))
    except InvalidOperation as exc:
        raise MeterRefused("The multiplier is a number such as 1 or 0.1.") from exc
    if not Decimal("0.001") <= multiplier < Decimal(100_000) or multiplier != multiplier.quantize(
        Decimal("0.001")
    ):
        raise MeterRefused("The multiplier is more than zero, below 100,000, with at most three decimals.")
    try:
        with transaction.atomic():
            meter = Meter.objects.create(
                serial=serial, size=size, make=make[:60], unit=unit, multiplier=multiplier, dials=dials,
                created_by=acting_user,
            )  # fmt: skip
    except IntegrityError as exc:
        raise MeterRefused(f"Meter {serial} is already in the inventory.") from exc
    core.audit(
        actor=acting_user, action="utility.meter_add", obj=meter, after={"serial": serial, "size": str(size)}
    )
    return meter


def _record(*, meter, installation, premise, on, value, kind, acting_user, order=None) -> Reading:
    """A read the crew or the clerk took while doing something else (install, removal, move):
    accepted as it is (a read of record, not a route read to validate)."""
    reading = Reading.objects.filter(meter=meter, read_on=on, kind=kind).exclude(
        status=Reading.Status.REPLACED
    )
    if reading.exists():
        raise MeterRefused(
            f"Meter {meter.serial} already has a {Reading.Kind(kind).label.lower()} read on {on:%m/%d/%Y}."
        )
    return Reading.objects.create(
        meter=meter, installation=installation, premise=premise, read_on=on, value=value, kind=kind,
        source=Reading.Source.FIELD if order else Reading.Source.HAND, order=order, created_by=acting_user,
    )  # fmt: skip


def open_installation(meter: Meter) -> MeterInstallation | None:
    return MeterInstallation.objects.filter(meter=meter, removed_on__isnull=True).first()


@transaction.atomic
def meter_install(
    *, meter: Meter, premise: Premise, on: datetime.date, read, acting_user, order=None
) -> MeterInstallation:
    """Set a meter at a premise with its first read. A meter installed elsewhere is refused:
    remove it there first."""
    meter = Meter.objects.select_for_update().get(pk=meter.pk)
    if meter.status == Meter.Status.INSTALLED:
        where = "this premise" if meter.premise_id == premise.pk else str(meter.premise)
        raise MeterRefused(f"Meter {meter.serial} is already installed at {where}; remove it there first.")
    if meter.status == Meter.Status.RETIRED:
        raise MeterRefused(f"Meter {meter.serial} is retired and cannot be installed.")
    value = read_value(read, meter=meter, label="The install read")
    last = meter.installations.order_by("-installed_on").first()
    if last and last.removed_on and on < last.removed_on:
        raise MeterRefused(
            f"Meter {meter.serial} was removed on {last.removed_on:%m/%d/%Y}; it cannot be installed before."
        )
    installation = MeterInstallation.objects.create(
        meter=meter, premise=premise, installed_on=on, install_read=value, order=order, created_by=acting_user
    )
    Meter.objects.filter(pk=meter.pk).update(status=Meter.Status.INSTALLED, premise=premise)
    _record(
        meter=meter, installation=installation, premise=premise, on=on, value=value,
        kind=Reading.Kind.INSTALL, acting_user=acting_user, order=order,
    )  # fmt: skip
    core.audit(
        actor=acting_user, action="utility.meter_install", obj=meter,
        after={"premise": premise.number, "on": on.isoformat(), "read": value},
    )  # fmt: skip
    meter.refresh_from_db()
    return installation


@transaction.atomic
def meter_remove(
    *, meter: Meter, on: datetime.date, read, acting_user, order=None, status: str = Meter.Status.REMOVED
) -> MeterInstallation:
    """Take a meter out with its final read; it goes back to the shelf (removed), to testing or
    to retirement."""
    meter = Meter.objects.select_for_update().get(pk=meter.pk)
    installation = open_installation(meter)
    if installation is None:
        raise MeterRefused(f"Meter {meter.serial} is not installed anywhere.")
    if on < installation.installed_on:
        raise MeterRefused(
            f"Meter {meter.serial} was installed on {installation.installed_on:%m/%d/%Y}; it cannot be removed before."
        )
    if status not in (Meter.Status.REMOVED, Meter.Status.TESTING, Meter.Status.RETIRED):
        raise MeterRefused("A removed meter goes to stock, testing or retirement.")
    value = read_value(read, meter=meter, label="The removal read")
    installation.removed_on, installation.removal_read = on, value
    installation.save(update_fields=["removed_on", "removal_read"])
    Meter.objects.filter(pk=meter.pk).update(status=status, premise=None)
    _record(
        meter=meter, installation=installation, premise=installation.premise, on=on, value=value,
        kind=Reading.Kind.REMOVAL, acting_user=acting_user, order=order,
    )  # fmt: skip
    core.audit(
        actor=acting_user, action="utility.meter_remove", obj=meter,
        after={"premise": installation.premise.number, "on": on.isoformat(), "read": value, "status": status},
    )  # fmt: skip
    meter.refresh_from_db()
    return installation


def field_read(
    *, premise: Premise, on: datetime.date, read, kind: str, acting_user, order=None, serial: str = ""
):
    """A move-in or move-out read at a premise: on the meter named by serial, or the premise's one
    installed meter. A premise with no meter needs no read (refuse only)."""
    meters = list(Meter.objects.filter(premise=premise, status=Meter.Status.INSTALLED))
    if serial:
        serial = serial_clean(serial)
        meters = [m for m in meters if m.serial == serial]
        if not meters:
            raise MeterRefused(f"Meter {serial} is not installed at {premise}.")
    if not meters:
        return None
    if len(meters) > 1:
        raise MeterRefused(f"{premise} has {len(meters)} meters; give the serial of the one read.")
    meter = meters[0]
    value = read_value(read, meter=meter)
    return _record(
        meter=meter, installation=open_installation(meter), premise=premise, on=on, value=value, kind=kind,
        acting_user=acting_user, order=order,
    )  # fmt: skip
