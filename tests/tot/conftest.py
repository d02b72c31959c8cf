import datetime

import pytest

from tot import demo as tot_demo


@pytest.fixture
def tot_policy(accounts, fees, admin_user):
    """Due the last day of the month after the period; stays over 30 days exempt; 10% penalty when
    delinquent, 10% more 30 days after the due date; 0.5% interest a month or fraction; rate 10%
    for periods from 2020-01-01 and 12% from 2026-07-01."""
    return tot_demo.load_tot(acting_user=admin_user, since=datetime.date(2024, 1, 1))
