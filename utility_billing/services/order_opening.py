"""Opening service orders at the counter: start, stop and transfer of service (with the account
changes they bring), the connection and meter kinds with their fees, and a change in billing."""

import datetime
from decimal import Decimal

from django.db import transaction

from revenue import services as core

from ..models import Meter, MeterSize, Premise, ServiceAccount, ServiceOrder
from . import deposits
from .accounts import AccountRefused, account_open
from .fees import order_fees_charge
from .orders import OrderRefused, duplicate_check, order_open

K = ServiceOrder.Kind
# kinds about a customer's account (an account at the premise is needed)
ACCOUNT_KINDS = {K.METER_TEST, K.HIGH_BILL, K.DISCONNECT, K.RECONNECT, K.BILLING_CHANGE}
METER_KINDS = {K.METER_TEST, K.METER_CHANGE, K.REREAD, K.HIGH_BILL}
GENERIC_KINDS = {
    K.NEW_SERVICE, K.METER_INSTALL, K.SEWER_CONNECTION, K.METER_CHANGE, K.METER_TEST, K.REREAD, K.HIGH_BILL,
    K.DISCONNECT, K.RECONNECT,
}  # fmt: skip


@transaction.atomic
def service_start(
    *, premise: Premise, party, move_in: datetime.date, acting_user, services=(), is_owner: bool = False,
    deposit: Decimal | None = None, after_hours: bool = False, confirmed: bool = False, reason: str = "",
    **billing,
) -> ServiceOrder:  # fmt: skip
    """Start service (move-in): the customer's account (pending until the read-in), the deposit
    (the amount keyed, else what the deposit rules require), the fee to establish service, and
    the order for the read-in."""
    duplicate_check(premise=premise, kind=K.START, confirmed=confirmed)
    account = account_open(
        premise=premise, party=party, move_in=move_in, acting_user=acting_user, services=services,
        is_owner=is_owner, **billing,
    )  # fmt: skip
    order = order_open(
        kind=K.START, premise=premise, account=account, party=party, effective_on=move_in, reason=reason,
        after_hours=after_hours, acting_user=acting_user,
    )  # fmt: skip
    order_fees_charge(order=order, party=party, acting_user=acting_user)
    amount = (
        deposits.deposit_required(account=account)
        if deposit is None
        else core.money(deposit, field="Deposit", allow_zero=True)
    )
    if amount > 0:
        deposits.deposit_charge(account=account, amount=amount, acting_user=acting_user)
    order.details = {**order.details, "deposit": str(amount)}
    order.save(update_fields=["details"])
    return order


def _move_out_check(account: ServiceAccount, move_out: datetime.date) -> None:
    if move_out < account.move_in:
        raise AccountRefused(
            f"The move-out ({move_out:%m/%d/%Y}) is before account {account.number}'s move-in "
            f"({account.move_in:%m/%d/%Y})."
        )
    if account.move_out is not None or account.status in (
        ServiceAccount.Status.FINAL,
        ServiceAccount.Status.CLOSED,
    ):
        raise AccountRefused(f"Account {account.number} is already being stopped (move-out {account.move_out:%m/%d/%Y})."
                             if account.move_out else f"Account {account.number} is {account.get_status_display().lower()}.")  # fmt: skip


@transaction.atomic
def service_stop(
    *,
    account: ServiceAccount,
    move_out: datetime.date,
    acting_user,
    reason: str = "",
    confirmed: bool = False,
) -> ServiceOrder:
    """Stop service (move-out): the account's move-out date is set now (so the next customer can
    start), the read-out, the final bill and the deposit follow at completion."""
    account = ServiceAccount.objects.select_for_update().get(pk=account.pk)
    _move_out_check(account, move_out)
    duplicate_check(premise=account.premise, kind=K.STOP, confirmed=confirmed)
    account.move_out = move_out
    account.save(update_fields=["move_out"])
    return order_open(
        kind=K.STOP, premise=account.premise, account=account, party=account.party, effective_on=move_out,
        reason=reason, acting_user=acting_user,
    )  # fmt: skip


@transaction.atomic
def service_transfer(
    *, account: ServiceAccount, to_premise: Premise, on: datetime.date, acting_user, reason: str = "",
    confirmed: bool = False, services=(),
) -> ServiceOrder:  # fmt: skip
    """Transfer: the customer stops at one premise and starts at another on the same day; the new
    account carries the old one's balance (its final bill included) and keeps its mailing terms."""
    account = ServiceAccount.objects.select_for_update().get(pk=account.pk)
    if to_premise.pk == account.premise_id:
        raise AccountRefused("A transfer goes to another premise.")
    _move_out_check(account, on)
    duplicate_check(premise=account.premise, kind=K.TRANSFER, confirmed=confirmed)
    account.move_out = on
    account.save(update_fields=["move_out"])
    billing = {f: getattr(account, f) for f in ("mail_name", "mail_line1", "mail_line2", "mail_city", "mail_state",
                                                 "mail_postal_code", "bill_by_email")}  # fmt: skip
    new = account_open(
        premise=to_premise, party=account.party, move_in=on, acting_user=acting_user, services=services,
        is_owner=False, transferred_from=account, **billing,
    )  # fmt: skip
    return order_open(
        kind=K.TRANSFER, premise=account.premise, account=account, party=account.party, effective_on=on,
        reason=reason, acting_user=acting_user,
        details={"to_account": new.number, "to_premise": to_premise.number},
    )  # fmt: skip


def _installed(premise: Premise) -> Meter | None:
    return Meter.objects.filter(premise=premise, status=Meter.Status.INSTALLED).first()


@transaction.atomic
def order_request(
    *, kind: str, premise: Premise, acting_user, party=None, effective_on: datetime.date | None = None,
    reason: str = "", meter_size: MeterSize | None = None, after_hours: bool = False, confirmed: bool = False,
) -> ServiceOrder:  # fmt: skip
    """Open an order of the other kinds: connection and meter work (its fees charged now, paid
    before it is scheduled), a meter test (its fee), a re-read, a high-bill complaint, a
    disconnection or a reconnection (its fee, and the after-hours fee)."""
    if kind not in GENERIC_KINDS:
        raise OrderRefused(f"A {ServiceOrder.Kind(kind).label.lower()} order is opened on its own form.")
    from .accounts import open_account_at

    account = open_account_at(premise)
    if kind in ACCOUNT_KINDS and account is None:
        raise OrderRefused(
            f"{premise} has no customer's account; a {ServiceOrder.Kind(kind).label.lower()} needs one."
        )
    meter = _installed(premise)
    if kind in METER_KINDS and meter is None:
        raise OrderRefused(f"{premise} has no meter installed.")
    if kind in (K.NEW_SERVICE, K.METER_INSTALL) and meter_size is None:
        raise OrderRefused("Choose the size of the meter to install; the fees go by it.")
    duplicate_check(premise=premise, kind=kind, confirmed=confirmed)
    payer = party or (account.party if account else None)
    order = order_open(
        kind=kind, premise=premise, account=account, party=payer, effective_on=effective_on, reason=reason,
        after_hours=after_hours, acting_user=acting_user,
        details={"meter_size": meter_size.pk} if meter_size else {},
    )  # fmt: skip
    if kind in METER_KINDS and kind != K.METER_CHANGE:
        order.meter = meter
        order.save(update_fields=["meter"])
    from .fees import order_fees

    if order_fees(order):
        if payer is None:
            raise OrderRefused("Name who pays the order's fees (a party number).")
        order_fees_charge(order=order, party=payer, acting_user=acting_user)
    return order


@transaction.atomic
def billing_change_request(
    *, account: ServiceAccount, effective_on: datetime.date, acting_user, changes: dict, reason: str = "",
    confirmed: bool = False,
) -> ServiceOrder:  # fmt: skip
    """A change in billing (name, mailing address, rate class, cycle) from a date, completed at
    the desk. `changes` holds only what changes: names of fields and their new values (rate class
    and cycle by primary key)."""
    if not any(v not in (None, "") for v in changes.values()):
        raise OrderRefused("Nothing to change: give the new name, mailing address, rate class or cycle.")
    if effective_on < account.move_in:
        raise AccountRefused(
            f"The change cannot take effect before the move-in on {account.move_in:%m/%d/%Y}."
        )
    duplicate_check(premise=account.premise, kind=K.BILLING_CHANGE, confirmed=confirmed)
    return order_open(
        kind=K.BILLING_CHANGE, premise=account.premise, account=account, party=account.party,
        effective_on=effective_on, reason=reason, acting_user=acting_user,
        details={"changes": {k: v for k, v in changes.items() if v not in (None, "")}},
    )  # fmt: skip
