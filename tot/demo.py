"""The demo city's Transient Occupancy Tax: policy (due the last day of the following month,
stays over 30 days exempt, 10% penalty when delinquent and 10% more 30 days later, 0.5% interest
a month or fraction) and the rate: 10% until June 2026, 12% from July 2026."""

import datetime
from decimal import Decimal

from revenue.models import Account

from .models import TotPolicy, TotRate


def load_tot(*, acting_user, since=datetime.date(2024, 1, 1)) -> TotPolicy:
    accounts = {a.number: a for a in Account.objects.filter(fund__code="100")}
    policy = TotPolicy.objects.create(
        effective_from=since,
        receivable_account=accounts["100-1230"],
        tax_revenue_account=accounts["100-4170"],
        penalty_revenue_account=accounts["100-4160"],
        interest_revenue_account=accounts["100-4165"],
        created_by=acting_user,
    )
    TotRate.objects.create(
        effective_from=datetime.date(2020, 1, 1), percent=Decimal("10.000"), created_by=acting_user
    )
    TotRate.objects.create(
        effective_from=datetime.date(2026, 7, 1), percent=Decimal("12.000"), created_by=acting_user
    )
    return policy


def load_demo_tot(*, users, parties) -> None:
    """A few operators and returns to look at (added as the TOT screens arrive)."""
