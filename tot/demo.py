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
    """A few operators with returns for recent months, made through the services: a hotel that
    files and pays on time, a motel whose last return came in late and is unpaid, and a
    short-term rental that has not filed its latest month (a non-filer)."""
    from revenue import services as core
    from revenue.dates import add_months

    from . import rules
    from . import services as ts
    from .models import Operator

    by_name = {p.name: p for p in parties}
    clerk, admin = users["clerk2"], users["admin"]
    today = core.city_today()
    last = add_months(today.replace(day=1), -1)
    # the latest month whose due date has passed, and the three before it
    while rules.due_date(last, 1) >= today:
        last = add_months(last, -1)
    months = [add_months(last, -k) for k in (3, 2, 1, 0)]
    opened = months[0]

    def operator(party_name, cert, name, kind, location, rooms):
        return ts.operator_create(
            acting_user=admin,
            party=by_name[party_name],
            certificate_number=cert,
            name=name,
            kind=kind,
            location=location,
            rooms=rooms,
            opened_on=opened,
        )

    hotel = operator(
        "Harbor Light Hotel LLC", "TOT-0101", "Harbor Light Hotel", Operator.Kind.HOTEL, "512 Ocean Ave", 48
    )
    motel = operator(
        "Driftwood Inn & Suites", "TOT-0102", "Driftwood Inn", Operator.Kind.MOTEL, "88 Coast Hwy", 22
    )
    cottage = operator(parties[0].name, "TOT-0103", "Bayside Cottage", Operator.Kind.STR, "17 Gull Ln", 2)
    undeposited = core.account_for_role("undeposited")

    def file(op, month, gross, long_stay="0.00", government="0.00", late_days=0):
        due = rules.due_date(month, 1)
        received = min(
            due + datetime.timedelta(days=late_days) if late_days else due - datetime.timedelta(days=5), today
        )
        return ts.return_file(
            operator=op,
            period=month,
            gross_rents=Decimal(gross),
            exempt_long_stay=Decimal(long_stay),
            exempt_government=Decimal(government),
            received_on=received,
            acting_user=clerk,
        )

    def pay(ret):
        for charge in ret.charges():
            core.payment_post(
                party=ret.operator.party,
                amount=charge.balance,
                applications=[(charge, charge.balance)],
                debit_account=undeposited,
                received_on=ret.received_on,
                acting_user=clerk,
                reference=f"DEMO-{ret.number}",
            )

    for i, month in enumerate(months):
        pay(file(hotel, month, f"{182400 + i * 5150}.00", long_stay="12600.00", government="3150.00"))
    for month in months[:-1]:
        pay(file(motel, month, "41250.00", long_stay="2400.00"))
    file(motel, months[-1], "39875.00", late_days=12)  # late and unpaid: penalty and interest at the counter
    for month in months[:-1]:  # the latest month is missing: on the non-filer list
        pay(file(cottage, month, "6400.00"))
