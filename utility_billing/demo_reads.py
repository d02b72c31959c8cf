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


def load_reads_review(*, acting_user, since: datetime.date = datetime.date(2024, 7, 1)):
    """The read policy, and today's handheld file for four meters of route M1 imported through the
    real import: one high, one zero, one below the last read (all three held on the exceptions
    list, so no bill uses them) and one with letters (a row left out)."""
    import io

    from revenue import services as core

    from .models import Meter
    from .services.read_import import reads_import

    load_read_policy(acting_user=acting_user, since=since)
    meters = Meter.objects.filter(premise__route="M1", status="installed", dials=6).order_by("-serial")[:4]
    last = [
        (m.serial, m.readings.filter(status="accepted").order_by("-read_on", "-pk").first().value, m.dials)
        for m in meters
    ]
    today = core.city_today()
    usage = [400, 0, -5, None]
    rows = "".join(
        f"{serial},{today:%m/%d/%Y},{'12A4' if add is None else (value + add) % 10**dials},,M1\r\n"
        for (serial, value, dials), add in zip(last, usage, strict=False)
    )
    upload = io.BytesIO(f"meter_serial,read_date,read_value,read_code,route\r\n{rows}".encode())
    upload.name = f"handheld-M1-{today:%Y%m%d}.csv"
    return reads_import(upload, upload.name, acting_user=acting_user)
