"""The demo city's configuration and people: used by `manage.py seed_demo` and by the tests."""

import datetime
from decimal import Decimal

from django.contrib.auth.models import Group, User

from . import roles, services
from .models import Account, ExceptionLimit, FeeType, Fund, OfficeConfig, Party

DEMO_PASSWORD = "counter-demo"

DEMO_USERS = [
    # username, first, last, role, is_staff
    ("clerk1", "Maria", "Lopez", roles.ASR_I, False),
    ("clerk2", "Daniel", "Nguyen", roles.ASR_II, False),
    ("supervisor", "Grace", "Okafor", roles.SUPERVISOR, True),
    ("supervisor2", "Tom", "Becker", roles.SUPERVISOR, True),
    ("auditor", "Priya", "Shah", roles.AUDITOR, True),  # staff: reads the configuration, changes none
    ("field", "Luis", "Ortega", roles.FIELD_CREW, False),
]

FUNDS = [("100", "General Fund"), ("240", "Parking Fund"), ("501", "Water Fund"), ("502", "Wastewater Fund")]

A, L, E, R, X = (
    Account.Type.ASSET,
    Account.Type.LIABILITY,
    Account.Type.EQUITY,
    Account.Type.REVENUE,
    Account.Type.EXPENSE,
)
ROLE = Account.Role
ACCOUNTS = [
    # fund, number, name, type, role
    ("100", "100-1010", "Cash in bank — general checking", A, ROLE.CASH_IN_BANK),
    ("100", "100-1050", "Undeposited funds — cash", A, ROLE.UNDEPOSITED),
    ("100", "100-1051", "Undeposited funds — checks and money orders", A, ROLE.UNDEPOSITED_CHECKS),
    ("100", "100-1060", "Card settlements receivable", A, ROLE.CARD_CLEARING),
    ("100", "100-1020", "Change funds (drawer floats)", A, ROLE.CHANGE_FUND),
    ("100", "100-1210", "Accounts receivable — general", A, ROLE.RECEIVABLE),
    ("100", "100-1220", "Business license tax receivable", A, ""),
    ("100", "100-1310", "Due from other funds", A, ROLE.DUE_FROM_FUNDS),
    ("100", "100-2010", "Accounts payable", L, ROLE.ACCOUNTS_PAYABLE),
    ("100", "100-2310", "Due to other funds", L, ROLE.DUE_TO_FUNDS),
    ("100", "100-2150", "Customer credits on account", L, ROLE.CUSTOMER_CREDIT),
    ("100", "100-2160", "Refunds payable", L, ROLE.REFUNDS_PAYABLE),
    ("100", "100-2170", "Unapplied receipts (suspense)", L, ROLE.SUSPENSE),
    ("100", "100-2210", "Due to State — disability access fee", L, ROLE.DUE_TO_OTHER),
    ("100", "100-3000", "Fund balance — general", E, ROLE.FUND_BALANCE),
    ("100", "100-4110", "Business license tax", R, ""),
    ("100", "100-4120", "Copy and document fees", R, ""),
    ("100", "100-4130", "Notary fees", R, ""),
    ("100", "100-4140", "Returned check fees", R, ""),
    ("100", "100-4150", "Miscellaneous revenue", R, ""),
    ("100", "100-4160", "Penalties and interest", R, ""),
    ("100", "100-4170", "Transient occupancy tax", R, ""),
    ("100", "100-1230", "Transient occupancy tax receivable", A, ""),
    ("100", "100-4165", "Interest on delinquent taxes", R, ""),
    ("100", "100-4155", "Facility rentals", R, ""),
    ("100", "100-4156", "Recovery of damage to city property", R, ""),
    ("100", "100-4157", "False alarm fees", R, ""),
    ("100", "100-4180", "Disability access fee — city share", R, ""),
    ("100", "100-4190", "Business license processing fees", R, ""),
    ("100", "100-7910", "Bad debt expense", X, ROLE.BAD_DEBT),
    ("100", "100-7990", "Cash over and short", X, ROLE.OVER_SHORT),
    ("240", "240-1010", "Cash in bank — parking", A, ROLE.CASH_IN_BANK),
    ("240", "240-1310", "Due from other funds", A, ROLE.DUE_FROM_FUNDS),
    ("240", "240-2310", "Due to other funds", L, ROLE.DUE_TO_FUNDS),
    ("240", "240-1210", "Parking citations receivable", A, ROLE.RECEIVABLE),
    ("240", "240-3000", "Fund balance — parking", E, ROLE.FUND_BALANCE),
    ("240", "240-4510", "Parking permit fees", R, ""),
    ("240", "240-4520", "Parking citation fines", R, ""),
    ("240", "240-1220", "Parking permits receivable", A, ""),
    ("240", "240-4530", "Parking citation late penalties", R, ""),
    ("240", "240-4540", "Parking payment plan fees", R, ""),
    ("240", "240-7910", "Bad debt expense — parking", X, ROLE.BAD_DEBT),
    ("501", "501-1010", "Cash in bank — water", A, ROLE.CASH_IN_BANK),
    ("501", "501-1310", "Due from other funds", A, ROLE.DUE_FROM_FUNDS),
    ("501", "501-2310", "Due to other funds", L, ROLE.DUE_TO_FUNDS),
    ("501", "501-1210", "Utility receivable — water", A, ROLE.RECEIVABLE),
    ("501", "501-2300", "Customer deposits — water", L, ""),
    ("501", "501-3000", "Fund balance — water", E, ROLE.FUND_BALANCE),
    ("501", "501-4310", "Water sales", R, ""),
    ("501", "501-4320", "Water service connection fees", R, ""),
    ("501", "501-7910", "Bad debt expense — water", X, ROLE.BAD_DEBT),
    ("502", "502-1010", "Cash in bank — wastewater", A, ROLE.CASH_IN_BANK),
    ("502", "502-1310", "Due from other funds", A, ROLE.DUE_FROM_FUNDS),
    ("502", "502-2310", "Due to other funds", L, ROLE.DUE_TO_FUNDS),
    ("502", "502-1210", "Utility receivable — wastewater", A, ROLE.RECEIVABLE),
    ("502", "502-3000", "Fund balance — wastewater", E, ROLE.FUND_BALANCE),
    ("502", "502-4410", "Sewer service charges", R, ""),
    ("502", "502-4420", "Sewer connection fees", R, ""),
    ("502", "502-7910", "Bad debt expense — wastewater", X, ROLE.BAD_DEBT),
    # payables: what departments buy, and the discounts taken for paying early
    ("100", "100-4960", "Purchase discounts earned", R, ""),
    ("100", "100-5110", "Public works — operating supplies", X, ""),
    ("100", "100-5120", "Public works — contract services", X, ""),
    ("100", "100-5130", "Public works — equipment repair", X, ""),
    ("100", "100-5210", "Parks — landscaping supplies", X, ""),
    ("100", "100-5220", "Parks — contract maintenance", X, ""),
    ("100", "100-5310", "Finance — office supplies", X, ""),
    ("100", "100-5320", "Finance — professional services", X, ""),
    ("501", "501-5110", "Water — treatment chemicals", X, ""),
    ("501", "501-5120", "Water — pipe and fittings", X, ""),
]

FEES = [
    # code, name, revenue, receivable, pass-through account, counter fee, [(effective, amount, pass-through)]
    (
        "COPY",
        "Copies (per page)",
        "100-4120",
        "100-1210",
        None,
        True,
        [("2024-07-01", "0.15", "0"), ("2026-07-01", "0.25", "0")],
    ),
    ("CERT-COPY", "Certified copy", "100-4120", "100-1210", None, True, [("2025-07-01", "5.00", "0")]),
    (
        "NOTARY",
        "Notary (per signature)",
        "100-4130",
        "100-1210",
        None,
        True,
        [("2024-07-01", "10.00", "0"), ("2026-01-01", "15.00", "0")],
    ),
    (
        "NSF",
        "Returned check fee",
        "100-4140",
        "100-1210",
        None,
        False,
        [("2024-07-01", "25.00", "0"), ("2026-07-01", "35.00", "0")],
    ),
    ("MISC", "Miscellaneous revenue", "100-4150", "100-1210", None, True, [("2024-07-01", None, "0")]),
    (
        "BL-PROC",
        "Business license processing fee",
        "100-4190",
        "100-1220",
        None,
        False,
        [("2024-07-01", "25.00", "0")],
    ),
    (
        "AR-LATE",
        "Past-due invoice late fee",
        "100-4160",
        "100-1210",
        None,
        False,
        [("2024-07-01", "25.00", "0")],
    ),
    ("ALARM", "False alarm response", "100-4157", "100-1210", None, False, [("2024-07-01", "150.00", "0")]),
    (
        "HALL",
        "Community hall rental (per hour)",
        "100-4155",
        "100-1210",
        None,
        False,
        [("2024-07-01", "75.00", "0")],
    ),
    (
        "SB1186",
        "Disability access fee (SB 1186)",
        "100-4180",
        "100-1210",
        "100-2210",
        False,
        [("2024-07-01", "4.00", "0.40")],
    ),
]

PEOPLE = [
    "Alvarez, Rosa",
    "Bennett, James",
    "Chen, Wei",
    "Delgado, Marco",
    "Evans, Sarah",
    "Fischer, Karl",
    "Garcia, Elena",
    "Hughes, Patrick",
    "Ibrahim, Amina",
    "Johnson, Tanya",
    "Kim, Soo-jin",
    "Lopez, Javier",
    "Miller, Hannah",
    "Nakamura, Ken",
    "O'Brien, Siobhan",
    "Patel, Ravi",
    "Quinn, Morgan",
    "Rossi, Luca",
    "Smith, John",
    "Smith, Joanna",
    "Thompson, Avery",
    "Vargas, Lucia",
]
BUSINESSES = [
    "Alder Bay Bakery LLC",
    "Bayview Auto Repair Inc",
    "Coastal Dental Group",
    "Driftwood Inn & Suites",
    "Harbor Light Hotel LLC",
    "Main Street Books",
    "Pacific Plumbing Co",
    "Redwood Landscaping",
    "Seaside Yoga Studio",
    "Sunset Taqueria",
    "Tidewater Hardware",
    "Wharf Street Coffee Roasters",
]
STREETS = [
    "Main St",
    "Harbor Blvd",
    "Ocean Ave",
    "Cypress Ln",
    "Redwood Dr",
    "Bay St",
    "Pine Ave",
    "Marina Way",
]


def load_chart_of_accounts() -> dict[str, Account]:
    funds = {code: Fund.objects.create(code=code, name=name) for code, name in FUNDS}
    return {
        number: Account.objects.create(fund=funds[f], number=number, name=name, type=t, role=role)
        for f, number, name, t, role in ACCOUNTS
    }


def load_fee_schedule(*, accounts: dict[str, Account], acting_user) -> dict[str, FeeType]:
    fees = {}
    for code, name, rev, rec, passthru, counter, rates in FEES:
        fee = FeeType.objects.create(
            code=code,
            name=name,
            revenue_account=accounts[rev],
            receivable_account=accounts[rec],
            pass_through_account=accounts[passthru] if passthru else None,
            counter_fee=counter,
        )
        for effective, amount, share in rates:
            services.fee_rate_set(
                fee_type=fee,
                effective_from=datetime.date.fromisoformat(effective),
                amount=amount,
                pass_through_amount=share,
                acting_user=acting_user,
            )
        fees[code] = fee
    return fees


def load_parties(*, acting_user) -> list[Party]:
    parties = []
    for i, name in enumerate(PEOPLE + BUSINESSES):
        business = name in BUSINESSES
        parties.append(
            services.party_create(
                acting_user=acting_user,
                kind=Party.Kind.BUSINESS if business else Party.Kind.PERSON,
                name=name,
                address_line1=f"{100 + i * 37} {STREETS[i % len(STREETS)]}",
                city="Alder Bay",
                state="CA",
                postal_code="95000" if i % 3 else "95001",
                phone=f"(555) 010-{1000 + i * 7:04d}",
                email=f"{name.split(',')[0].split(' ')[0].lower()}{i}@example.org",
            )
        )
    return parties


# what an Account Services Representative II may do on their own authority
EXCEPTION_LIMITS = [
    (roles.ASR_II, "waiver", "50.00"),
    (roles.ASR_II, "write_off", "25.00"),
    (roles.ASR_II, "void", "100.00"),
]


def load_exception_limits(*, acting_user) -> None:
    for role, kind, amount in EXCEPTION_LIMITS:
        ExceptionLimit.objects.create(
            role=Group.objects.get(name=role),
            kind=kind,
            max_amount=Decimal(amount),
            effective_from=datetime.date(2024, 7, 1),
            created_by=acting_user,
        )


OFFICE = {
    "office_name": "Finance Department · Revenue Services",
    "address": "City Hall, Room 110\n100 Civic Center Drive\nAlder Bay, CA 95000",
    "phone": "(555) 010-4200",
    "hours": "Monday–Friday, 8:00 a.m. – 5:00 p.m.",
    "web": "www.alderbay.example.gov/revenue",
    "second_language_line": "Si necesita ayuda en español, llame al {phone}.",
}


def load_office(*, acting_user) -> OfficeConfig:
    """The demo office's contact details, as every letter, notice and receipt prints them."""
    return OfficeConfig.objects.create(
        effective_from=datetime.date(2024, 7, 1), created_by=acting_user, **OFFICE
    )


def load_users() -> dict[str, User]:
    users = {
        "admin": User.objects.create_superuser(
            "admin", "admin@example.org", DEMO_PASSWORD, first_name="System", last_name="Administrator"
        )
    }
    for username, first, last, role, staff in DEMO_USERS:
        user = User.objects.create_user(
            username,
            f"{username}@example.org",
            DEMO_PASSWORD,
            first_name=first,
            last_name=last,
            is_staff=staff,
        )
        user.groups.add(Group.objects.get(name=role))
        users[username] = user
    return users
