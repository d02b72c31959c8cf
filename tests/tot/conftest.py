import datetime
import uuid
from decimal import Decimal

import pytest

from revenue import services as core
from tests.cashiering.conftest import counter, open_session, walk_in  # noqa: F401
from tot import demo as tot_demo
from tot import services as ts


@pytest.fixture
def tot_policy(accounts, fees, admin_user):
    """Due the last day of the month after the period; stays over 30 days exempt; 10% penalty when
    delinquent, 10% more 30 days after the due date; 0.5% interest a month or fraction; rate 10%
    for periods from 2020-01-01 and 12% from 2026-07-01."""
    return tot_demo.load_tot(acting_user=admin_user, since=datetime.date(2024, 1, 1))


@pytest.fixture
def hotel(tot_policy, other_party, admin_user):
    return ts.operator_create(
        acting_user=admin_user,
        party=other_party,
        certificate_number="TOT-0001",
        name="Harbor Light Hotel",
        kind="hotel",
        location="512 Ocean Ave",
        rooms=40,
        opened_on=datetime.date(2025, 1, 15),
    )


@pytest.fixture
def file_return(clerk):
    def file(operator, period, gross, received_on, user=None, **extra):
        return ts.return_file(
            operator=operator,
            period=period,
            gross_rents=Decimal(gross),
            received_on=received_on,
            acting_user=user or clerk,
            **extra,
        )

    return file


@pytest.fixture
def pay(accounts, clerk):
    def pay_(ret_or_charge, amount, on):
        charge = ret_or_charge if hasattr(ret_or_charge, "balance") else ret_or_charge.charges().first()
        return core.payment_post(
            party=charge.party,
            amount=Decimal(amount),
            applications=[(charge, Decimal(amount))],
            debit_account=accounts["100-1050"],
            received_on=on,
            acting_user=clerk,
            reference=f"T-{uuid.uuid4().hex[:6]}",
        )

    return pay_
