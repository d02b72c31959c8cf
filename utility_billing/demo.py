"""The demo city's utility: a water, sewer and refuse enterprise with two billing cycles (monthly
and every two months, two routes each), 300 premises with their customers, accounts and
installed meters, 13 months of accepted reads (so the consumption chart and the sewer winter
average have data), open service orders for the field crew, and one account in each state a
clerk meets: final, closed, medical certification, income-qualified, landlord told, bill by
e-mail, pending start. Loaded once by `manage.py seed_demo` and by the tests.

Volume is set-based: the premises, accounts and meters are bulk inserts, the reads one
INSERT … SELECT over generate_series, so the whole load takes about a second."""

import datetime
from decimal import Decimal as D

from django.db import connection

from revenue import services as core
from revenue.dates import add_months, fiscal_year_bounds, fiscal_year_of
from revenue.models import Account, Fund, Party

from .models import (
    AccountService,
    BillingCycle,
    FixedCharge,
    Meter,
    MeterInstallation,
    MeterSize,
    Premise,
    RateBlock,
    RateClass,
    RateSchedule,
    RefuseRate,
    Service,
    ServiceAccount,
    ServiceOrder,
    UtilityPolicy,
)

SINCE = datetime.date(2024, 7, 1)
PREMISES_PER_ROUTE = 75
ROUTES = [("monthly", "M1"), ("monthly", "M2"), ("bimonthly", "B1"), ("bimonthly", "B2")]

# the utility enterprise's accounts not already in the city's chart (fund, number, name, type)
ACCOUNTS = [
    ("501", "501-4330", "Refuse collection charges", Account.Type.REVENUE),
    ("501", "501-4340", "Utility service fees", Account.Type.REVENUE),
    ("501", "501-7920", "Interest on customer deposits", Account.Type.EXPENSE),
]
SIZES = ['5/8"', '3/4"', '1"', '1-1/2"', '2"']
# water's fixed charge per month by meter size, before and after this fiscal year's change
WATER_FIXED = {
    "old": ["18.00", "24.50", "37.00", "70.00", "112.00"],
    "new": ["18.75", "25.50", "38.50", "72.80", "116.50"],
}
WATER_BLOCKS = {  # (first unit, price per HCF): three tiers
    ("residential", "old"): [("0", "3.05"), ("8", "4.15"), ("20", "5.45")],
    ("residential", "new"): [("0", "3.17"), ("8", "4.32"), ("20", "5.67")],
    ("commercial", "old"): [("0", "3.40"), ("50", "3.90"), ("200", "4.40")],
    ("commercial", "new"): [("0", "3.54"), ("50", "4.06"), ("200", "4.58")],
}
REFUSE = {  # (cart gallons, pickups a week, per month)
    "residential": [(35, 1, "19.50"), (64, 1, "26.00"), (96, 1, "32.50")],
    "commercial": [(96, 1, "45.00"), (96, 2, "84.00"), (300, 1, "118.00"), (300, 2, "225.00")],
}
FIRST = ["Ana", "Ben", "Carla", "David", "Erin", "Felix", "Gina", "Hugo", "Iris", "Jorge", "Kara", "Leo"]
FIRST += ["Mina", "Noah", "Olga", "Pablo", "Rita", "Sam", "Tara", "Victor", "Wendy", "Yusuf", "Zoe", "Omar"]
LAST = ["Abbott", "Baker", "Castro", "Dunn", "Ellis", "Flores", "Grant", "Hale", "Ortiz", "Jensen"]
LAST += ["Keller", "Lam", "Morales", "Novak", "Owens", "Price", "Reyes", "Sato", "Tran", "Ulloa"]
LAST += ["Vance", "Walsh", "Young", "Zamora", "Bishop"]
TRADES = ["Bakery", "Auto Repair", "Dental", "Cafe", "Hardware", "Laundromat", "Market", "Salon"]
STREETS = ["Alder St", "Birch Ave", "Cedar Ln", "Dune Rd", "Elm St", "Fern Way", "Gull Ct", "Heron Dr"]


def load_utility(acting_user) -> dict:
    """Load the utility (once, inside seed_demo's transaction). Returns what the tests use."""
    accounts = _accounts()
    setup = _setup(accounts, acting_user)
    _rates(setup, acting_user)
    premises = _premises(setup, acting_user)
    customers = _customers(premises, acting_user)
    _meters(premises, setup, acting_user)
    _reads(acting_user)
    states = _states(premises, customers, setup, acting_user)
    _orders(premises, states, acting_user)
    return {**setup, "premises": premises, "accounts": customers, **states}


def _accounts() -> dict[str, Account]:
    funds = {f.code: f for f in Fund.objects.filter(code__in={a[0] for a in ACCOUNTS})}
    for fund, number, name, kind in ACCOUNTS:
        Account.objects.get_or_create(
            number=number, defaults={"fund": funds[fund], "name": name, "type": kind}
        )
    return {a.number: a for a in Account.objects.filter(fund__code__in=["501", "502"])}


def _setup(accounts, user) -> dict:
    sizes = {code: MeterSize.objects.create(code=code, sort_order=i + 1) for i, code in enumerate(SIZES)}
    services = {
        code: Service.objects.create(
            code=code, name=name, kind=code, revenue_account=accounts[number], sort_order=i + 1
        )
        for i, (code, name, number) in enumerate(
            [("water", "Water", "501-4310"), ("sewer", "Sewer", "502-4410"), ("refuse", "Refuse", "501-4330")]
        )
    }
    classes = {
        "residential": RateClass.objects.create(code="residential", name="Residential"),
        "commercial": RateClass.objects.create(code="commercial", name="Commercial"),
    }
    cycles = {
        "monthly": BillingCycle.objects.create(code="monthly", name="Cycle 1 — monthly", months_per_period=1),
        "bimonthly": BillingCycle.objects.create(
            code="bimonthly", name="Cycle 2 — every two months", months_per_period=2
        ),
    }
    policy = UtilityPolicy.objects.create(
        effective_from=SINCE,
        receivable_account=accounts["501-1210"],
        deposit_account=accounts["501-2300"],
        fee_revenue_account=accounts["501-4340"],
        due_days=21,
        created_by=user,
    )
    return {"sizes": sizes, "services": services, "classes": classes, "cycles": cycles, "policy": policy}


def rate_change_date() -> datetime.date:
    """This fiscal year's first day: water's rates changed then, so recent periods straddle it."""
    return fiscal_year_bounds(fiscal_year_of(core.city_today()))[0]


def _rates(setup, user) -> None:
    services, classes, sizes = setup["services"], setup["classes"], list(setup["sizes"].values())
    for era, since in (("old", SINCE), ("new", rate_change_date())):
        for cls in ("residential", "commercial"):
            water = RateSchedule.objects.create(
                service=services["water"],
                rate_class=classes[cls],
                effective_from=since,
                method=RateSchedule.Method.TIERED,
                created_by=user,
            )
            RateBlock.objects.bulk_create(
                RateBlock(schedule=water, start=D(s), price=D(p)) for s, p in WATER_BLOCKS[(cls, era)]
            )
            FixedCharge.objects.bulk_create(
                FixedCharge(schedule=water, meter_size=size, amount=D(a))
                for size, a in zip(sizes, WATER_FIXED[era], strict=True)
            )
    sewer_res = RateSchedule.objects.create(
        service=services["sewer"],
        rate_class=classes["residential"],
        effective_from=SINCE,
        method=RateSchedule.Method.SEWER_WINTER,
        unit_price=D("4.80"),
        sewer_share_percent=D("90"),
        winter_months="12,1,2",
        winter_default_usage=D("6"),
        created_by=user,
    )
    sewer_com = RateSchedule.objects.create(
        service=services["sewer"],
        rate_class=classes["commercial"],
        effective_from=SINCE,
        method=RateSchedule.Method.SEWER_SHARE,
        unit_price=D("5.60"),
        sewer_share_percent=D("100"),
        minimum_charge=D("45.00"),
        created_by=user,
    )
    FixedCharge.objects.create(schedule=sewer_res, meter_size=None, amount=D("21.00"))
    FixedCharge.objects.create(schedule=sewer_com, meter_size=None, amount=D("34.00"))
    for cls, rows in REFUSE.items():
        refuse = RateSchedule.objects.create(
            service=services["refuse"],
            rate_class=classes[cls],
            effective_from=SINCE,
            method=RateSchedule.Method.REFUSE,
            created_by=user,
        )
        RefuseRate.objects.bulk_create(
            RefuseRate(schedule=refuse, container_gallons=g, pickups_per_week=n, per_month=D(a))
            for g, n, a in rows
        )


def install_date() -> datetime.date:
    """The meters went in (and the customers moved in) at the end of the month fourteen months
    ago; reads follow at each month's end."""
    return month_end(14)


def month_end(months_back: int) -> datetime.date:
    """The last day of the month `months_back` months before this one (1: last month)."""
    return add_months(core.city_today().replace(day=1), 1 - months_back) - datetime.timedelta(days=1)


def _premises(setup, user) -> list[Premise]:
    count = PREMISES_PER_ROUTE * len(ROUTES)
    numbers = core.numbers_reserve(kind="P", count=count, per_year=False)
    rows = []
    for i in range(count):
        cycle, route = ROUTES[i // PREMISES_PER_ROUTE]
        seq = i % PREMISES_PER_ROUTE + 1
        commercial = i % 9 == 8
        rows.append(
            Premise(
                number=numbers.number(i),
                address_line1=f"{100 + seq * 12 + (i // PREMISES_PER_ROUTE) * 2} {STREETS[i % len(STREETS)]}",
                city="Alder Bay",
                state="CA",
                postal_code="95000" if i % 2 else "95001",
                parcel_number=f"0{31 + i // 100}-{120 + i % 100:03d}-0{i % 9 + 1}",
                route=route,
                route_sequence=seq * 10,
                cycle=setup["cycles"][cycle],
                rate_class=setup["classes"]["commercial" if commercial else "residential"],
                dwelling_units=1 if commercial or i % 13 else 1 + i % 4,
                created_by=user,
            )
        )
    return Premise.objects.bulk_create(rows)


def _customer_name(i: int, commercial: bool) -> tuple[str, str]:
    last, first = LAST[i % len(LAST)], FIRST[(i // len(LAST)) % len(FIRST)]
    if commercial:
        return Party.Kind.BUSINESS, f"{last} {TRADES[i % len(TRADES)]} LLC"
    return Party.Kind.PERSON, f"{last}, {first}"


def _customers(premises, user) -> list[ServiceAccount]:
    """A party, an account and its services per premise (the customers moved in at install)."""
    start = install_date()
    numbers = core.numbers_reserve(kind="U", count=len(premises), per_year=False)
    rows = []
    for i, premise in enumerate(premises):
        kind, name = _customer_name(i, premise.rate_class.code == "commercial")
        rows.append(
            {
                "kind": kind,
                "name": name,
                "address_line1": premise.address_line1,
                "city": "Alder Bay",
                "state": "CA",
                "postal_code": premise.postal_code,
                "email": f"customer{i + 1}@example.org",
            }
        )
    parties = core.parties_create(acting_user=user, rows=rows)
    accounts = [
        ServiceAccount(
            number=numbers.number(i),
            party=party,
            premise=premise,
            is_owner=i % 3 != 0,
            status=ServiceAccount.Status.ACTIVE,
            move_in=start,
            created_by=user,
        )
        for i, (premise, party) in enumerate(zip(premises, parties, strict=True))
    ]
    accounts = ServiceAccount.objects.bulk_create(accounts)
    services = list(Service.objects.order_by("sort_order"))
    rows = []
    for i, account in enumerate(accounts):
        commercial = account.premise.rate_class.code == "commercial"
        carts = REFUSE["commercial" if commercial else "residential"]
        gallons, pickups, _ = carts[i % len(carts)]
        for service in services:
            refuse = service.kind == Service.Kind.REFUSE
            rows.append(
                AccountService(
                    account=account,
                    service=service,
                    starts_on=start,
                    container_gallons=gallons if refuse else None,
                    pickups_per_week=pickups if refuse else None,
                )
            )
    AccountService.objects.bulk_create(rows)
    return accounts


def _meters(premises, setup, user) -> None:
    """One meter installed per premise (size by class), and a stock of spares, some in testing."""
    sizes = list(setup["sizes"].values())
    start = install_date()
    meters = []
    for i, premise in enumerate(premises):
        commercial = premise.rate_class.code == "commercial"
        size = sizes[2 + i % 3] if commercial else sizes[0 if i % 10 else 1 + i % 2]
        meters.append(
            Meter(
                serial=f"AB{24000 + i:06d}",
                size=size,
                make="Badger" if i % 2 else "Neptune",
                dials=4 if i == 20 else 6,  # one register that rolls over during the year
                status=Meter.Status.INSTALLED,
                premise=premise,
                created_by=user,
            )
        )
    spares = [
        Meter(
            serial=f"AB{25000 + k:06d}",
            size=sizes[k % 3],
            make="Badger",
            status=Meter.Status.TESTING if k >= 10 else Meter.Status.STOCK,
            created_by=user,
        )
        for k in range(12)
    ]
    meters = Meter.objects.bulk_create(meters + spares)[: len(premises)]
    MeterInstallation.objects.bulk_create(
        MeterInstallation(
            meter=meter,
            premise=meter.premise,
            installed_on=start,
            install_read=9900 if meter.dials == 4 else (i * 997) % 50000,
            created_by=user,
        )
        for i, meter in enumerate(meters)
    )


def _reads(user) -> None:
    """13 months of accepted reads in one statement (set-based: hundreds of thousands would take
    the same shape). The install read, then a read at each month's end (every other month on the
    two-month cycle); usage by class, dwelling units, season (peak in August) and a little noise,
    the register rolling over at 10**dials."""
    with connection.cursor() as cur:
        cur.execute(
            """
            INSERT INTO utility_billing_reading
                (meter_id, installation_id, premise_id, read_on, value, kind, source, status,
                 exception, exception_note, created_at, created_by_id)
            SELECT i.meter_id, i.id, i.premise_id, i.installed_on, i.install_read, 'install', 'field',
                   'accepted', '', '', now(), %(user)s
              FROM utility_billing_meterinstallation i
            UNION ALL
            SELECT u.meter_id, u.id, u.premise_id, u.read_on,
                   (u.install_read + sum(u.usage) OVER (PARTITION BY u.id ORDER BY u.read_on))
                       %% power(10, u.dials)::bigint,
                   'actual', 'file', 'accepted', '', '', now(), %(user)s
              FROM (
                SELECT i.id, i.meter_id, i.premise_id, i.install_read, m.dials, r.read_on,
                       (CASE WHEN r.k = 1 THEN 1 ELSE c.months_per_period END) * greatest(0, round(
                           (CASE WHEN rc.code = 'commercial' THEN 30 + (p.id * 13) %% 40
                                 ELSE 5 + (p.id * 7) %% 6 END) * p.dwelling_units
                           * (1 + 0.45 * cos(2 * pi() * (extract(month FROM r.read_on) - 8) / 12))
                           + ((p.id * 31 + r.k * 17) %% 5) - 2))::bigint AS usage
                  FROM utility_billing_meterinstallation i
                  JOIN utility_billing_meter m ON m.id = i.meter_id
                  JOIN utility_billing_premise p ON p.id = i.premise_id
                  JOIN utility_billing_billingcycle c ON c.id = p.cycle_id
                  JOIN utility_billing_rateclass rc ON rc.id = p.rate_class_id
                 CROSS JOIN LATERAL (
                    SELECT k, (date_trunc('month', i.installed_on + 1) + make_interval(months => k)
                               - interval '1 day')::date AS read_on
                      FROM generate_series(1, 13) k
                     WHERE k %% c.months_per_period = 13 %% c.months_per_period
                 ) r
              ) u
            """,
            {"user": user.pk},
        )


def _states(premises, customers, setup, user) -> dict:
    """One account in each state a clerk meets, on the first premises of route M1."""
    today = core.city_today()
    by_email, medical, income, tenant, final, closed, vacated, mailed = customers[:8]
    ServiceAccount.objects.filter(pk=by_email.pk).update(bill_by_email=True)
    ServiceAccount.objects.filter(pk=medical.pk).update(
        medical_certificate_until=today + datetime.timedelta(180)
    )
    ServiceAccount.objects.filter(pk=income.pk).update(income_qualified=True)
    landlord = core.party_create(
        acting_user=user,
        kind=Party.Kind.BUSINESS,
        name="Bayside Property Management LLC",
        address_line1="40 Harbor Blvd, Suite 3",
        city="Alder Bay",
        state="CA",
        postal_code="95000",
        email="rentals@bayside.example.org",
    )
    ServiceAccount.objects.filter(pk=tenant.pk).update(
        is_owner=False, landlord=landlord, notify_landlord=True
    )
    ServiceAccount.objects.filter(pk=mailed.pk).update(
        mail_name=mailed.party.name,
        mail_line1="PO Box 1187",
        mail_city="Alder Bay",
        mail_state="CA",
        mail_postal_code="95001",
    )
    _move_out(final, month_end(1), ServiceAccount.Status.FINAL)
    _move_out(closed, month_end(5), ServiceAccount.Status.CLOSED)
    _move_out(vacated, month_end(2), ServiceAccount.Status.CLOSED)
    successor = _move_in(closed.premise, month_end(5) + datetime.timedelta(1), "Lindqvist, Elsa", user)
    pending = _move_in(
        vacated.premise, today + datetime.timedelta(2), "Ferreira, Tomas", user, ServiceAccount.Status.PENDING
    )
    return {
        "email_account": by_email,
        "medical_account": medical,
        "income_account": income,
        "landlord_account": tenant,
        "final_account": final,
        "closed_account": closed,
        "successor_account": successor,
        "pending_account": pending,
        "mailed_account": mailed,
    }


def _move_out(account, on, status) -> None:
    ServiceAccount.objects.filter(pk=account.pk).update(move_out=on, status=status)
    AccountService.objects.filter(account=account).update(ends_on=on)
    account.refresh_from_db()


def _move_in(premise, on, name, user, status=ServiceAccount.Status.ACTIVE) -> ServiceAccount:
    party = core.party_create(
        acting_user=user,
        kind=Party.Kind.PERSON,
        name=name,
        address_line1=premise.address_line1,
        city="Alder Bay",
    )
    account = ServiceAccount.objects.create(
        number=core.number_next(kind="U", per_year=False),
        party=party,
        premise=premise,
        status=status,
        move_in=on,
        created_by=user,
    )
    carts = REFUSE[premise.rate_class.code]
    AccountService.objects.bulk_create(
        AccountService(
            account=account,
            service=service,
            starts_on=on,
            container_gallons=carts[0][0] if service.kind == Service.Kind.REFUSE else None,
            pickups_per_week=carts[0][1] if service.kind == Service.Kind.REFUSE else None,
        )
        for service in Service.objects.order_by("sort_order")
    )
    return account


def _orders(premises, states, user, crew=None) -> list[ServiceOrder]:
    """The field crew's day: orders on both cycles' routes, most assigned to the crew for today,
    one scheduled for tomorrow, one only requested; and a completed and a cancelled one for the
    reports."""
    from django.contrib.auth.models import User

    from .services.orders import order_open

    crew = crew or User.objects.filter(username="field").first()
    today = core.city_today()
    spare = Meter.objects.filter(status=Meter.Status.STOCK).order_by("serial").first()
    K = ServiceOrder.Kind
    plan = [
        # kind, premise index, status, scheduled (days from today), reason
        (K.START, 6, "assigned", 0, "Read-in for the new customer"),
        (K.REREAD, 10, "assigned", 0, "Read looks low against last year"),
        (K.METER_TEST, 11, "assigned", 0, "Customer asks for an accuracy test"),
        (K.HIGH_BILL, 12, "assigned", 0, "High-bill complaint: check for leaks"),
        (K.METER_CHANGE, 13, "assigned", 0, "Register fogged; replace the meter"),
        (K.DISCONNECT, 14, "assigned", 0, "Past due after notice"),
        (K.REREAD, 80, "assigned", 0, "Read missing from the route file"),
        (K.REREAD, 160, "scheduled", 1, "Verify read"),
        (K.STOP, 15, "requested", None, "Customer moving out"),
        (K.REREAD, 16, "completed", -20, "Verify read"),
        (K.HIGH_BILL, 17, "cancelled", None, "Customer found the leak"),
    ]
    orders = []
    for kind, index, status, days, reason in plan:
        premise = premises[index]
        account = (
            states["pending_account"] if kind == K.START else premise.accounts.order_by("-move_in").first()
        )
        effective = today + datetime.timedelta(2 if kind == K.START else 5 if kind == K.STOP else 0)
        order = order_open(
            kind=kind,
            premise=premise,
            account=account,
            effective_on=effective,
            reason=reason,
            acting_user=user,
        )
        changes = {"status": status}
        if days is not None:
            changes["scheduled_for"] = today + datetime.timedelta(days)
        if status in ("assigned", "completed"):
            changes["assigned_to"] = crew
        if status == "completed":
            changes.update(
                completed_at=order.created_at, completed_by=crew or user, field_notes="Read confirmed."
            )
        if status == "cancelled":
            changes["cancelled_reason"] = reason
        if kind == K.METER_CHANGE:
            changes["meter"] = spare
        ServiceOrder.objects.filter(pk=order.pk).update(**changes)
        orders.append(order)
    return orders
