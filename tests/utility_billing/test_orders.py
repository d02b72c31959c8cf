"""Service orders: every kind's life from the counter to the field crew's completion, what the
completion does to the account and the meters, the fees, and the warning for a duplicate order.
(Stop, transfer and the deposit need ub-bills and ub-deposits: test_orders_after_merge.py.)"""

import datetime
from decimal import Decimal

import pytest

from revenue import services as core
from revenue.models import AuditEvent
from utility_billing import services as ub
from utility_billing.models import Meter, Reading, ServiceAccount, ServiceOrder
from utility_billing.services.accounts import AccountRefused
from utility_billing.services.meters import MeterRefused
from utility_billing.services.orders import OrderRefused

from .orders_fixtures import walk

pytestmark = pytest.mark.django_db
D = Decimal
S = ServiceOrder.Status


def _start(premise, party, clerk, **kw):
    return ub.service_start(
        premise=premise,
        party=party,
        move_in=kw.pop("move_in", core.city_today()),
        acting_user=clerk,
        deposit=0,
        **kw,
    )


def test_start_service_at_the_counter_then_the_crew_reads_in(premise, party, clerk, field_crew):
    order = _start(premise, party, clerk)
    account = order.account
    assert (order.kind, order.status, account.status) == ("start", S.REQUESTED, ServiceAccount.Status.PENDING)
    fee = order.fee_charges.get()
    assert (fee.amount, fee.party, fee.receivable_account.number) == (D("35.00"), party, "501-1210")
    assert fee.revenue_account.number == "501-4320"

    walk(order, clerk=clerk, crew=field_crew)
    done = ub.order_complete(order=order, read="1042", acting_user=field_crew, notes="Dog in yard")

    account.refresh_from_db()
    assert (done.status, done.completed_by, done.read_value, done.field_notes) == (
        S.COMPLETED,
        field_crew,
        1042,
        "Dog in yard",
    )
    assert account.status == ServiceAccount.Status.ACTIVE
    read = Reading.objects.get(order=order)
    assert (read.kind, read.value, read.read_on, read.source) == ("move_in", 1042, account.move_in, "field")
    steps = AuditEvent.objects.filter(object_id=order.pk, action__startswith="utility.order_").values_list(
        "action", flat=True
    )
    assert list(steps.order_by("pk")) == [
        "utility.order_open", "utility.order_schedule", "utility.order_assign", "utility.order_complete",
    ]  # fmt: skip


def test_a_second_open_order_of_the_same_kind_is_a_warning_the_clerk_confirms(premise, party, clerk):
    first = ub.order_request(kind="reread", premise=premise, acting_user=clerk, party=party)
    with pytest.raises(ub.DuplicateOrder, match=first.number):
        ub.order_request(kind="reread", premise=premise, acting_user=clerk, party=party)
    assert ServiceOrder.objects.filter(kind="reread").count() == 1
    second = ub.order_request(kind="reread", premise=premise, acting_user=clerk, party=party, confirmed=True)
    assert second.number != first.number
    # another kind, or the first ones closed: no warning
    ub.order_request(kind="meter_change", premise=premise, acting_user=clerk, party=party)
    ub.order_cancel(order=first, reason="Duplicate", acting_user=clerk)
    ub.order_cancel(order=second, reason="Duplicate", acting_user=clerk)
    ub.order_request(kind="reread", premise=premise, acting_user=clerk, party=party)


@pytest.mark.parametrize(
    "kind, size, fees",
    [
        ("new_service", '5/8"', [D("1200.00"), D("800.00")]),
        ("new_service", '1"', [D("2000.00"), D("800.00")]),
        ("meter_install", '1"', [D("300.00")]),
        ("sewer_connection", None, [D("1500.00")]),  # the capacity fee of 0.00 is not charged
    ],
)
def test_connection_work_is_scheduled_only_once_its_fees_are_paid(
    kind, size, fees, make_premise, utility, party, clerk, field_crew, pay, admin_user
):
    premise = make_premise(address="900 Marina Way", meter_serial="")
    order = ub.order_request(
        kind=kind, premise=premise, party=party, acting_user=clerk,
        meter_size=utility["sizes"][size] if size else None,
    )  # fmt: skip
    charges = list(order.fee_charges.order_by("pk"))
    assert [c.amount for c in charges] == fees
    with pytest.raises(OrderRefused, match="fees are not paid"):
        ub.order_schedule(order=order, on=core.city_today(), acting_user=clerk)
    assert ServiceOrder.objects.get(pk=order.pk).status == S.REQUESTED

    pay(party, charges)
    walk(order, clerk=clerk, crew=field_crew)
    if kind == "sewer_connection":
        done = ub.order_complete(order=order, acting_user=field_crew, notes="Lateral tied in")
        assert done.details["connected_on"] == core.city_today().isoformat()
        return
    meter = ub.meter_add(serial="N-77", size=utility["sizes"][size], acting_user=admin_user)
    done = ub.order_complete(order=order, acting_user=field_crew, serial="n-77", read="0")
    meter.refresh_from_db()
    assert (meter.status, meter.premise, done.meter) == (Meter.Status.INSTALLED, premise, meter)
    assert Reading.objects.get(order=order).kind == "install"


def test_a_meter_change_reads_the_old_meter_out_and_the_new_one_in(
    premise, party, clerk, field_crew, utility, admin_user
):
    old = Meter.objects.get(premise=premise)
    new = ub.meter_add(serial="M200", size=utility["sizes"]['5/8"'], acting_user=admin_user)
    order = ub.order_request(kind="meter_change", premise=premise, acting_user=clerk, party=party)
    walk(order, clerk=clerk, crew=field_crew)
    done = ub.order_complete(order=order, acting_user=field_crew, serial="M200", read="5", second_read="1337")

    old.refresh_from_db()
    new.refresh_from_db()
    assert (old.status, old.premise, new.status, new.premise) == ("removed", None, "installed", premise)
    assert (done.old_meter_read, done.read_value) == (1337, 5)
    reads = {(r.meter.serial, r.kind): r.value for r in Reading.objects.filter(order=order)}
    assert reads == {("M100", "removal"): 1337, ("M200", "install"): 5}
    history = list(old.installations.values_list("install_read", "removal_read"))
    assert history == [(1000, 1337)]


@pytest.mark.parametrize(
    "accuracy, outside", [("98.50", False), ("101.50", False), ("98.49", True), ("103", True)]
)
def test_a_meter_test_refunds_its_fee_when_outside_the_accuracy(
    accuracy, outside, premise, party, clerk, field_crew, pay
):
    _start(premise, party, clerk)
    order = ub.order_request(kind="meter_test", premise=premise, acting_user=clerk)
    fee = order.fee_charges.get()
    assert fee.amount == D("40.00")
    pay(party, [fee])
    walk(order, clerk=clerk, crew=field_crew)
    done = ub.order_complete(order=order, acting_user=field_crew, test_accuracy=accuracy)
    assert done.details["test_accuracy"] == str(D(accuracy))
    assert done.details["outside_accuracy"] is outside
    assert done.details["fee_refunded"] == ("40.00" if outside else "0.00")


@pytest.mark.parametrize("after_hours, fees", [(False, [D("50.00")]), (True, [D("50.00"), D("100.00")])])
def test_a_reconnection_charges_its_fee_and_the_after_hours_fee(
    after_hours, fees, premise, party, clerk, field_crew
):
    _start(premise, party, clerk)
    order = ub.order_request(kind="reconnect", premise=premise, acting_user=clerk, after_hours=after_hours)
    assert [c.amount for c in order.fee_charges.order_by("pk")] == fees
    walk(order, clerk=clerk, crew=field_crew)
    assert ub.order_complete(order=order, acting_user=field_crew, read="1100").status == S.COMPLETED


@pytest.mark.parametrize("kind", ["reread", "high_bill", "disconnect"])
def test_reads_taken_on_a_re_read_complaint_or_disconnection(kind, premise, party, clerk, field_crew):
    _start(premise, party, clerk)
    order = ub.order_request(kind=kind, premise=premise, acting_user=clerk)
    assert not order.fee_charges.exists()
    walk(order, clerk=clerk, crew=field_crew)
    ub.order_complete(order=order, acting_user=field_crew, read="1234", notes="Checked for leaks")
    read = Reading.objects.get(order=order)
    assert (read.kind, read.value, read.source) == ("actual", 1234, "field")


def test_a_re_read_needs_its_read(premise, party, clerk, field_crew):
    order = ub.order_request(kind="reread", premise=premise, acting_user=clerk, party=party)
    walk(order, clerk=clerk, crew=field_crew)
    with pytest.raises(OrderRefused, match="read is required"):
        ub.order_complete(order=order, acting_user=field_crew, read="")
    assert ServiceOrder.objects.get(pk=order.pk).status == S.ASSIGNED


def test_a_change_in_billing_is_completed_at_the_desk(premise, party, clerk, utility):
    account = _start(premise, party, clerk).account
    order = ub.billing_change_request(
        account=account, effective_on=core.city_today(), acting_user=clerk,
        changes={"name": "Rosa Alvarez-Kim", "mail_line1": "PO Box 9", "rate_class": utility["commercial"].pk,
                 "cycle": utility["cycle2"].pk},
    )  # fmt: skip
    ub.order_complete(order=order, acting_user=clerk)
    account.refresh_from_db()
    premise.refresh_from_db()
    assert (account.mail_name, account.mail_line1) == ("Rosa Alvarez-Kim", "PO Box 9")
    assert (premise.rate_class, premise.cycle) == (utility["commercial"], utility["cycle2"])
    event = AuditEvent.objects.get(action="utility.billing_change")
    assert event.after["effective_on"] == core.city_today().isoformat()
    assert event.before["mail_line1"] == ""


def test_cancelling_a_start_closes_its_pending_account_so_another_can_start(
    premise, party, other_party, clerk
):
    order = _start(premise, party, clerk)
    with pytest.raises(AccountRefused, match="already has account"):
        _start(premise, other_party, clerk, confirmed=True)
    with pytest.raises(OrderRefused, match="Say why"):
        ub.order_cancel(order=order, reason=" ", acting_user=clerk)
    ub.order_cancel(order=order, reason="Customer changed plans", acting_user=clerk)
    order.account.refresh_from_db()
    assert order.account.status == ServiceAccount.Status.CLOSED
    fee = order.fee_charges.get()
    assert (fee.amount, fee.amount_adjusted, fee.balance) == (
        D("35.00"),
        D("35.00"),
        0,
    )  # the unpaid fee waived
    assert _start(premise, other_party, clerk).account.party == other_party
    with pytest.raises(OrderRefused, match="already cancelled"):
        ub.order_complete(order=order, acting_user=clerk, read="1")


def test_an_order_is_completed_only_once_scheduled(premise, party, clerk, field_crew, auditor):
    order = _start(premise, party, clerk)
    with pytest.raises(OrderRefused, match="must be scheduled"):
        ub.order_complete(order=order, acting_user=field_crew, read="1001")
    with pytest.raises(OrderRefused, match="must be scheduled before it is assigned"):
        ub.order_assign(order=order, to=field_crew, acting_user=clerk)
    with pytest.raises(OrderRefused, match="day that has passed"):
        ub.order_schedule(order=order, on=core.city_today() - datetime.timedelta(days=1), acting_user=clerk)
    ub.order_schedule(order=order, on=core.city_today(), acting_user=clerk)
    with pytest.raises(OrderRefused, match="field crew"):
        ub.order_assign(order=order, to=auditor, acting_user=clerk)


# ---- bad input: a clear sentence, nothing changed ----


def test_a_meter_installed_elsewhere_is_refused(make_premise, clerk, admin_user):
    first = make_premise(address="1 Bay St", meter_serial="M500")
    second = make_premise(address="2 Bay St", meter_serial="")
    meter = Meter.objects.get(serial="M500")
    with pytest.raises(MeterRefused, match="already installed at 1 Bay St"):
        ub.meter_install(meter=meter, premise=second, on=core.city_today(), read="10", acting_user=admin_user)
    meter.refresh_from_db()
    assert (meter.premise, meter.installations.count()) == (first, 1)


def test_a_meter_serial_already_installed_elsewhere_is_refused_on_an_order(
    make_premise, party, clerk, field_crew, utility, pay
):
    make_premise(address="1 Bay St", meter_serial="M500")
    target = make_premise(address="3 Bay St", meter_serial="")
    order = ub.order_request(
        kind="meter_install",
        premise=target,
        party=party,
        acting_user=clerk,
        meter_size=utility["sizes"]['5/8"'],
    )
    pay(party, list(order.fee_charges.all()))
    walk(order, clerk=clerk, crew=field_crew)
    with pytest.raises(MeterRefused, match="already installed at 1 Bay St"):
        ub.order_complete(order=order, acting_user=field_crew, serial="M500", read="0")
    assert ServiceOrder.objects.get(pk=order.pk).status == S.ASSIGNED


def test_a_serial_is_unique_in_the_inventory(utility, admin_user):
    ub.meter_add(serial="AB-1", size=utility["sizes"]['1"'], acting_user=admin_user)
    with pytest.raises(MeterRefused, match="already in the inventory"):
        ub.meter_add(serial="ab-1", size=utility["sizes"]['1"'], acting_user=admin_user)
    with pytest.raises(MeterRefused, match="letters, digits"):
        ub.meter_add(serial="AB 2;", size=utility["sizes"]['1"'], acting_user=admin_user)


@pytest.mark.parametrize(
    "read, message",
    [
        ("12a4", "whole digits"),
        ("-5", "cannot be negative"),
        ("10.5", "whole digits"),
        ("1234567", "6 dials"),
        ("", "required"),
    ],
)
def test_a_read_with_letters_or_a_sign_is_refused(read, message, premise, party, clerk, field_crew):
    order = _start(premise, party, clerk)
    walk(order, clerk=clerk, crew=field_crew)
    with pytest.raises(core.RevenueError, match=message):
        ub.order_complete(order=order, acting_user=field_crew, read=read)
    assert not Reading.objects.filter(order=order).exists()
    assert ServiceAccount.objects.get(pk=order.account_id).status == ServiceAccount.Status.PENDING


def test_a_move_out_before_the_move_in_is_refused(premise, party, clerk):
    order = _start(premise, party, clerk, move_in=datetime.date(2026, 3, 1))
    with pytest.raises(AccountRefused, match="before account .* move-in"):
        ub.service_stop(account=order.account, move_out=datetime.date(2026, 2, 27), acting_user=clerk)
    order.account.refresh_from_db()
    assert order.account.move_out is None
    assert not ServiceOrder.objects.filter(kind="stop").exists()
