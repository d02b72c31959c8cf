"""Service orders that need the other parts' functions: the deposit at a start (ub-deposits'
deposit_charge / deposit_required), the final bill at a stop with the deposit applied and the rest
refunded (ub-bills' bill_final, ub-deposits' deposit_apply_final), and a transfer with the
balance carried."""

import datetime
from decimal import Decimal

import pytest

from revenue import services as core
from utility_billing import services as ub
from utility_billing.models import Bill, DepositPolicy, RateSchedule, Reading, Service, ServiceAccount

from .orders_fixtures import walk

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def water_rate(utility, admin_user):
    """Water at 4.00 a unit, uniform, nothing fixed, and sewer at nothing: a final bill is usage × 4.00;
    deposits refunded to credit on account, no interest."""
    DepositPolicy.objects.create(effective_from=datetime.date(2024, 1, 1), created_by=admin_user)
    RateSchedule.objects.create(
        service=Service.objects.get(code="sewer"), rate_class=utility["class"], effective_from=datetime.date(2024, 1, 1),
        method=RateSchedule.Method.SEWER_SHARE, unit_price=D("0.0000"), created_by=admin_user,
    )  # fmt: skip
    return RateSchedule.objects.create(
        service=Service.objects.get(code="water"), rate_class=utility["class"], effective_from=datetime.date(2024, 1, 1),
        method=RateSchedule.Method.UNIFORM, unit_price=D("4.0000"), created_by=admin_user,
    )  # fmt: skip


def _started(premise, party, clerk, crew, move_in, deposit, read=1000):
    order = ub.service_start(
        premise=premise, party=party, move_in=move_in, acting_user=clerk, deposit=deposit
    )
    walk(order, clerk=clerk, crew=crew)
    ub.order_complete(order=order, acting_user=crew, read=str(read))
    return ServiceAccount.objects.get(pk=order.account_id)


def test_start_service_charges_the_deposit_keyed_and_the_fee(premise, party, clerk, field_crew):
    order = ub.service_start(
        premise=premise, party=party, move_in=core.city_today(), acting_user=clerk, deposit="150.00"
    )
    assert order.details["deposit"] == "150.00"
    assert ub.account_balance(order.account) == D("185.00")  # deposit 150.00 + establishing 35.00


def test_stop_service_final_bill_with_the_deposit_applied_and_the_rest_refunded(
    premise, party, clerk, field_crew, water_rate, pay
):
    today = core.city_today()
    account = _started(premise, party, clerk, field_crew, today - datetime.timedelta(days=30), "150.00")
    pay(party, [c for c in ub.account_charges(account) if c.balance])  # deposit and fee paid at the counter
    stop = ub.service_stop(account=account, move_out=today, acting_user=clerk)
    walk(stop, clerk=clerk, crew=field_crew)
    done = ub.order_complete(order=stop, acting_user=field_crew, read="1010")  # 10 units: 40.00

    account.refresh_from_db()
    assert account.status == ServiceAccount.Status.FINAL
    assert Reading.objects.get(order=stop).kind == "move_out"
    bill = Bill.objects.get(number=done.details["final_bill"])
    assert (bill.kind, bill.current_charges) == ("final", D("40.00"))
    assert (D(done.details["deposit_applied"]), D(done.details["deposit_refunded"])) == (
        D("40.00"),
        D("110.00"),
    )
    assert ub.account_balance(account) == 0


def test_a_transfer_stops_at_one_premise_starts_at_the_other_and_carries_the_balance(
    make_premise, party, clerk, field_crew, water_rate
):
    today = core.city_today()
    old_premise = make_premise(address="5 Pine Ave", meter_serial="T1")
    new_premise = make_premise(address="9 Pine Ave", meter_serial="T2", read=500)
    old = _started(old_premise, party, clerk, field_crew, today - datetime.timedelta(days=30), "0")
    order = ub.service_transfer(account=old, to_premise=new_premise, on=today, acting_user=clerk)
    walk(order, clerk=clerk, crew=field_crew)
    done = ub.order_complete(order=order, acting_user=field_crew, read="1025", second_read="507")

    new = ServiceAccount.objects.get(number=order.details["to_account"])
    old.refresh_from_db()
    assert (old.status, new.status, new.transferred_from) == ("final", "active", old)
    reads = {(r.meter.serial, r.kind): r.value for r in Reading.objects.filter(order=order)}
    assert reads == {("T1", "move_out"): 1025, ("T2", "move_in"): 507}
    final = Bill.objects.get(number=done.details["final_bill"])
    assert final.current_charges == D("100.00")  # 25 units at 4.00
    assert (
        ub.account_balance(new) == ub.account_balance(old) + D("0") == D("135.00")
    )  # the fee 35.00 and the bill
