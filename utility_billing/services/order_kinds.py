"""What completing each kind of service order does to the account, the meters and the reads,
and what cancelling an open one takes back. Called by order_complete / order_cancel inside
their transaction (the order row locked)."""

import datetime
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from revenue import services as core

from ..models import (
    AccountService,
    BillingCycle,
    Meter,
    RateClass,
    Reading,
    ServiceAccount,
    ServiceOrder,
    UtilityPolicy,
)
from .accounts import account_billing_change
from .fees import fee_refund
from .meters import MeterRefused, field_read, meter_install, meter_remove, serial_clean
from .orders import OrderRefused

K = ServiceOrder.Kind
A = ServiceAccount.Status


@dataclass(frozen=True)
class Done:
    """What the crew (or the desk) reports."""

    read: object
    serial: str
    second_read: object
    notes: str
    test_accuracy: object
    on: datetime.date


def _need(value, label):
    if value is None or str(value).strip() == "":
        raise OrderRefused(f"{label} is required to complete this order.")
    return value


def _account(number_or_obj) -> ServiceAccount:
    if isinstance(number_or_obj, ServiceAccount):
        return ServiceAccount.objects.select_for_update().get(pk=number_or_obj.pk)
    return ServiceAccount.objects.select_for_update().get(number=number_or_obj)


def _read_in(account, order, done, read, serial, acting_user) -> Reading | None:
    reading = field_read(
        premise=account.premise, on=account.move_in, read=_need(read, "The read-in"), kind=Reading.Kind.MOVE_IN,
        acting_user=acting_user, order=order, serial=serial,
    )  # fmt: skip
    account.status = A.ACTIVE
    account.save(update_fields=["status"])
    return reading


def _read_out(account, order, read, serial, acting_user) -> Reading | None:
    reading = field_read(
        premise=account.premise, on=account.move_out, read=_need(read, "The read-out"),
        kind=Reading.Kind.MOVE_OUT, acting_user=acting_user, order=order, serial=serial,
    )  # fmt: skip
    AccountService.objects.filter(account=account, ends_on__isnull=True).update(ends_on=account.move_out)
    account.status = A.FINAL
    account.save(update_fields=["status"])
    return reading


def _final_bill(account, acting_user, *, apply_deposit: bool) -> dict:
    """The final bill (ub-bills) and, on a stop, the deposit applied to it with the rest refunded
    (ub-deposits). Imported here: those modules are the other parts' own."""
    from .bills import bill_final

    bill = bill_final(account=account, through=account.move_out, acting_user=acting_user)
    result = {"final_bill": bill.number}
    if apply_deposit:
        from .deposits import deposit_apply_final

        applied, refunded = deposit_apply_final(account=account, bill=bill, acting_user=acting_user)
        result |= {"deposit_applied": str(applied), "deposit_refunded": str(refunded)}
    return result


def complete_start(order, done, acting_user):
    account = _account(order.account)
    if account.status != A.PENDING:
        raise OrderRefused(
            f"Account {account.number} is {account.get_status_display().lower()}, not waiting to start."
        )
    reading = _read_in(account, order, done, done.read, done.serial, acting_user)
    _meter(order, reading)
    return {"read_in": reading.value if reading else ""}


def complete_stop(order, done, acting_user):
    account = _account(order.account)
    if account.move_out is None:  # an order opened without service_stop carries the date itself
        account.move_out = order.effective_on
    if account.move_out < account.move_in:
        raise OrderRefused(
            f"The move-out ({account.move_out:%m/%d/%Y}) is before account {account.number}'s move-in "
            f"({account.move_in:%m/%d/%Y})."
        )
    account.save(update_fields=["move_out"])
    reading = _read_out(account, order, done.read, done.serial, acting_user)
    _meter(order, reading)
    return {
        "read_out": reading.value if reading else "",
        **_final_bill(account, acting_user, apply_deposit=True),
    }


def complete_transfer(order, done, acting_user):
    old = _account(order.account)
    new = _account(order.details["to_account"])
    reading = _read_out(old, order, done.read, done.serial, acting_user)
    _meter(order, reading)
    second = _read_in(new, order, done, done.second_read, "", acting_user)
    carried = _final_bill(old, acting_user, apply_deposit=False)
    return {
        "read_out": reading.value if reading else "",
        "read_in": second.value if second else "",
        **carried,
    }


def _meter(order, reading):
    if reading is not None:
        order.meter, order.read_value = reading.meter, reading.value


def _stock_meter(done, order=None) -> Meter:
    """The meter the crew names, else the one the order was opened with (a meter change's new meter)."""
    if (
        not done.serial
        and order is not None
        and order.meter_id
        and order.meter.status != Meter.Status.INSTALLED
    ):
        return order.meter
    serial = serial_clean(_need(done.serial, "The serial of the meter installed"))
    meter = Meter.objects.filter(serial=serial).first()
    if meter is None:
        raise MeterRefused(f"Meter {serial} is not in the inventory; add it first.")
    return meter


def complete_install(order, done, acting_user):
    """New water service or a meter installation: the meter set with its first read."""
    meter = _stock_meter(done, order)
    installation = meter_install(
        meter=meter, premise=order.premise, on=done.on, read=_need(done.read, "The install read"),
        acting_user=acting_user, order=order,
    )  # fmt: skip
    order.meter, order.read_value = meter, installation.install_read
    return {"installed": meter.serial}


def complete_sewer(order, done, acting_user):
    return {"connected_on": done.on.isoformat()}


def complete_meter_change(order, done, acting_user):
    """The old meter out with its final read, the new one in with its first read, the same day:
    the next bill uses both (the old to its removal read, the new from its install read)."""
    old = Meter.objects.filter(premise=order.premise, status=Meter.Status.INSTALLED).first()
    if old is None:
        raise OrderRefused(f"{order.premise} has no meter installed to change.")
    new = _stock_meter(done, order)
    if new.pk == old.pk:
        raise MeterRefused(f"Meter {new.serial} is the one being taken out; give the new meter's serial.")
    removed = meter_remove(
        meter=old, on=done.on, read=_need(done.second_read, "The old meter's final read"), acting_user=acting_user,
        order=order,
    )  # fmt: skip
    installed = meter_install(
        meter=new, premise=order.premise, on=done.on, read=_need(done.read, "The new meter's first read"),
        acting_user=acting_user, order=order,
    )  # fmt: skip
    order.meter, order.read_value, order.old_meter_read = new, installed.install_read, removed.removal_read
    return {"removed": old.serial, "installed": new.serial}


def complete_meter_test(order, done, acting_user):
    """The meter tested: its accuracy recorded; outside the policy's range the test fee is
    refunded (the bills are then corrected by a corrected bill)."""
    try:
        accuracy = Decimal(
            str(_need(done.test_accuracy, "The test result (percent registered)")).strip().rstrip("%")
        )
    except InvalidOperation as exc:
        raise OrderRefused("The test result is a percent, e.g. 97.8.") from exc
    if not Decimal(0) <= accuracy <= Decimal(200):
        raise OrderRefused("The test result is a percent from 0 to 200.")
    policy = core.policy_on(UtilityPolicy, done.on)
    outside = not policy.meter_accuracy_low <= accuracy <= policy.meter_accuracy_high
    refunded = core.ZERO
    if outside:
        refunded = fee_refund(
            order=order, kind="meter_test", acting_user=acting_user,
            reason=f"Meter tested at {accuracy}%, outside {policy.meter_accuracy_low}–{policy.meter_accuracy_high}%",
        )  # fmt: skip
    return {"test_accuracy": str(accuracy), "outside_accuracy": outside, "fee_refunded": str(refunded)}


def complete_read(order, done, acting_user):
    """Re-read, high-bill complaint, disconnect, reconnect: the read taken (required on a re-read)."""
    if order.kind == K.REREAD:
        _need(done.read, "The read")
    if done.read is None or str(done.read).strip() == "":
        return {}
    reading = field_read(
        premise=order.premise, on=done.on, read=done.read, kind=Reading.Kind.ACTUAL, acting_user=acting_user,
        order=order, serial=done.serial,
    )  # fmt: skip
    _meter(order, reading)
    return {"read": reading.value if reading else ""}


def complete_billing_change(order, done, acting_user):
    changes = dict(order.details.get("changes", {}))
    if "rate_class" in changes:
        changes["rate_class"] = RateClass.objects.get(pk=changes["rate_class"])
    if "cycle" in changes:
        changes["cycle"] = BillingCycle.objects.get(pk=changes["cycle"])
    account_billing_change(
        account=order.account,
        acting_user=acting_user,
        effective_on=order.effective_on,
        order=order,
        **changes,
    )
    return {}


COMPLETERS = {
    K.START: complete_start, K.STOP: complete_stop, K.TRANSFER: complete_transfer,
    K.NEW_SERVICE: complete_install, K.METER_INSTALL: complete_install, K.SEWER_CONNECTION: complete_sewer,
    K.METER_CHANGE: complete_meter_change, K.METER_TEST: complete_meter_test, K.REREAD: complete_read,
    K.HIGH_BILL: complete_read, K.DISCONNECT: complete_read, K.RECONNECT: complete_read,
    K.BILLING_CHANGE: complete_billing_change,
}  # fmt: skip


def undo_opening(order, acting_user, reason: str) -> None:
    """Cancelling: the unpaid part of the order's fees waived; a start's pending account closed; a
    stop's or transfer's move-out taken back (and a transfer's new account closed)."""
    for charge in order.fee_charges.all():
        if charge.balance:
            core.charge_adjust(
                charge=charge, amount=charge.balance, kind="waiver", acting_user=acting_user,
                reason=f"Order {order.number} cancelled: {reason}",
            )  # fmt: skip
    if order.kind == K.START and order.account_id:
        account = _account(order.account)
        if account.status == A.PENDING:
            _close(account)
    if order.kind in (K.STOP, K.TRANSFER) and order.account_id:
        account = _account(order.account)
        if order.kind == K.TRANSFER:
            _close(_account(order.details["to_account"]))
        if account.status in (A.PENDING, A.ACTIVE):
            account.move_out = None
            account.save(update_fields=["move_out"])


def _close(account):
    account.status, account.move_out = A.CLOSED, account.move_in
    account.save(update_fields=["status", "move_out"])
    AccountService.objects.filter(account=account, ends_on__isnull=True).update(ends_on=account.move_in)
