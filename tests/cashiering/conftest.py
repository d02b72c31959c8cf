import pytest

from cashiering import demo as counter_demo
from cashiering import services as cs
from cashiering.models import Drawer
from revenue.models import Party


@pytest.fixture
def counter(accounts, fees, admin_user):
    """The demo counter: drawers, policy, walk-in customer."""
    counter_demo.load_counter(acting_user=admin_user)
    return {d.code: d for d in Drawer.objects.all()}


@pytest.fixture
def walk_in(counter):
    return Party.objects.get(name=counter_demo.WALK_IN_NAME)


@pytest.fixture
def open_session(counter, clerk):
    return cs.session_open(
        drawer=counter["D1"], clerk=clerk, opening_counts={"b20": 5, "b5": 8, "b1": 10, "c25": 40}
    )


@pytest.fixture
def senior_session(counter, senior_clerk):
    return cs.session_open(drawer=counter["D2"], clerk=senior_clerk, opening_counts={"b20": 5})
