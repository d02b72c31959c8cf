import datetime

import pytest

from receivables import demo as receivables_demo
from revenue import services


@pytest.fixture
def ar_policy(accounts, fees, admin_user):
    """Net 30; buckets current, 1-30, 31-60, 61-90, over 90; collections from $100; dunning at 30,
    60, 90 (with the $25 AR-LATE fee) and referral at 120 days past due; from 2024-01-01."""
    return receivables_demo.load_receivables(acting_user=admin_user, since=datetime.date(2024, 1, 1))


@pytest.fixture
def today():
    return services.city_today()
