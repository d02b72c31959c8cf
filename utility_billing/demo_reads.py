"""The demo city's read review policy (called from demo.load_utility): reads above twice, or
below a quarter of, both the recent three periods and the same period last year are held; a
read counts for a period within 10 days before the cycle's read date; estimates are held."""

import datetime
from decimal import Decimal

from .models import ReadPolicy


def load_read_policy(*, acting_user, since: datetime.date) -> ReadPolicy:
    policy = ReadPolicy.objects.filter(effective_from=since).first()
    return policy or ReadPolicy.objects.create(
        effective_from=since,
        high_percent=Decimal(200),
        low_percent=Decimal(25),
        compare_with=ReadPolicy.Compare.BOTH,
        recent_periods=3,
        min_units=Decimal(2),
        read_window_days=10,
        hold_estimates=True,
        created_by=acting_user,
    )
