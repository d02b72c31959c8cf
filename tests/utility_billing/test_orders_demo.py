"""The demo city's field orders, worked through the services: the crew completes the demo's
read-in and meter change, and the fee table is in place for every kind of order that has fees."""

import pytest

from revenue import services as core
from utility_billing import demo
from utility_billing import services as ub
from utility_billing.models import Meter, Reading, ServiceAccount, ServiceOrder, UtilityFee

pytestmark = pytest.mark.django_db


@pytest.fixture
def city(accounts, admin_user, field_crew):
    return demo.load_utility(acting_user=admin_user)


def test_the_crew_completes_the_demo_s_read_in_and_meter_change(city, field_crew):
    start = ServiceOrder.objects.get(kind="start", status="assigned")
    ub.order_complete(order=start, acting_user=field_crew, read="4321")
    account = ServiceAccount.objects.get(pk=start.account_id)
    assert account.status == ServiceAccount.Status.ACTIVE
    assert Reading.objects.get(order=start).kind == "move_in"

    change = ServiceOrder.objects.get(kind="meter_change", status="assigned")
    old = Meter.objects.get(premise=change.premise)
    new = change.meter
    installed_read = old.installations.get(removed_on__isnull=True).install_read
    ub.order_complete(order=change, acting_user=field_crew, read="0", second_read=str(installed_read + 250))
    old.refresh_from_db()
    new.refresh_from_db()
    assert (old.status, new.status, new.premise) == ("removed", "installed", change.premise)


def test_the_demo_fee_table_prices_each_kind_by_size(city):
    size = city["sizes"]['1"']
    today = core.city_today()
    assert ub.fee_on(kind="connection", size=size, on=today).amount == 2000
    assert ub.fee_on(kind="capacity", size=size, on=today).amount == 2100
    assert ub.fee_on(kind="capacity", size=city["sizes"]['5/8"'], on=today).amount == 850  # the any-size row
    assert ub.fee_on(kind="connection", size=city["sizes"]['2"'], on=today) is None  # none for a 2" meter
    assert set(UtilityFee.objects.values_list("kind", flat=True)) == set(UtilityFee.Kind.values)
