"""The demo city's parking: policy, two permit zones, the permit types with their terms, tag
stock, the violation schedule, and a few citations and permits to look at."""

import datetime
from decimal import Decimal

from django.utils import timezone

from revenue import services as core
from revenue.models import Account, Charge, Party

from . import services as ps
from .models import (
    Citation,
    ParkingPolicy,
    PenaltyTier,
    PermitTerms,
    PermitType,
    PermitZone,
    Violation,
    ViolationFine,
    ZoneStreet,
)

D = Decimal
CITATION_PARTY = "Parking citations — registered owners"

PERMIT_TYPES = [
    # code, name, prefix, requires zone, fee, replacement fee, months, per address
    ("RES", "Residential", "R", True, D("45.00"), D("15.00"), 12, 3),
    ("GST", "Guest", "G", True, D("25.00"), D("10.00"), 12, 2),
    ("ONL", "Overnight lot", "N", False, D("60.00"), D("10.00"), 1, 2),
    ("COM1", "Commercial monthly", "C", False, D("75.00"), D("15.00"), 1, 10),
    ("COM6", "Commercial six-month", "S", False, D("400.00"), D("15.00"), 6, 10),
    ("EMP", "Employee", "E", False, D("30.00"), D("10.00"), 12, 50),
]

VIOLATIONS = [
    # code, description, fine, late penalty
    ("22500(a)", "Parking in an intersection", D("65.00"), D("65.00")),
    ("22502(a)", "Curb parking over 18 inches", D("45.00"), D("45.00")),
    ("10.20.030", "Expired meter", D("40.00"), D("40.00")),
    ("10.20.050", "Street sweeping", D("55.00"), D("55.00")),
    ("10.24.010", "No permit in a permit zone", D("50.00"), D("50.00")),
    ("10.24.040", "Overtime parking", D("45.00"), D("45.00")),
    ("22507.8", "Disabled space without placard", D("350.00"), D("100.00")),
    ("5200", "Plates not displayed front and rear", D("35.00"), D("25.00")),
    ("28", "Blocking a driveway", D("40.00"), D("16.00")),
    ("3", "Other violation of the parking code (fine as written)", D("50.00"), D("25.00")),
]
# late penalties that grow (amounts added after so many days unpaid) and fines the officer writes
TIERS = {"28": [(60, D("32.00"))], "3": [(60, D("25.00")), (90, D("50.00"))]}
FINE_RANGES = {"3": (D("25.00"), D("300.00"))}

ZONES = [
    ("A", "Old Town", [("ELM ST", 100, 599), ("OAK AVE", 1, 399), ("PINE ST", 200, 399)]),
    ("B", "Harbor Heights", [("BAY VIEW DR", 1, 999), ("HARBOR BLVD", 1000, 1899)]),
]


def load_parking(*, acting_user, since=datetime.date(2024, 1, 1)) -> ParkingPolicy:
    accounts = {a.number: a for a in Account.objects.filter(fund__code="240")}
    holder = core.party_create(
        acting_user=acting_user,
        kind=Party.Kind.BUSINESS,
        name=CITATION_PARTY,
        notes="Citation charges are kept here until paid; the registered owner is on each citation.",
    )
    policy = ParkingPolicy.objects.create(
        effective_from=since,
        citation_party=holder,
        citation_receivable_account=accounts["240-1210"],
        fine_revenue_account=accounts["240-4520"],
        penalty_revenue_account=accounts["240-4530"],
        permit_receivable_account=accounts["240-1220"],
        permit_revenue_account=accounts["240-4510"],
        plan_fee_revenue_account=accounts["240-4540"],
        created_by=acting_user,
    )
    for code, name, streets in ZONES:
        zone = PermitZone.objects.create(code=code, name=name)
        for street, low, high in streets:
            ZoneStreet.objects.create(zone=zone, street=street, low=low, high=high)
    for code, name, prefix, zoned, fee, repl, months, per in PERMIT_TYPES:
        ptype = PermitType.objects.create(code=code, name=name, serial_prefix=prefix, requires_zone=zoned)
        PermitTerms.objects.create(
            permit_type=ptype,
            effective_from=since,
            fee=fee,
            replacement_fee=repl,
            validity_months=months,
            max_per_address=per,
            created_by=acting_user,
        )
    for code, description, fine, penalty in VIOLATIONS:
        violation = Violation.objects.create(code=code, description=description)
        low, high = FINE_RANGES.get(code, (None, None))
        row = ViolationFine.objects.create(
            violation=violation,
            effective_from=since,
            fine=fine,
            late_penalty=penalty,
            fine_min=low,
            fine_max=high,
            created_by=acting_user,
        )
        PenaltyTier.objects.bulk_create(
            [PenaltyTier(fine=row, after_days=d, amount=a) for d, a in TIERS.get(code, [])]
        )
    return policy


def load_stock(*, acting_user, count=200) -> None:
    """Tags on the shelf: `count` of each permit type, received through the stock service."""
    for ptype in PermitType.objects.all():
        ps.stock_receive(
            permit_type=ptype,
            first=1000,
            last=1000 + count - 1,
            received_on=datetime.date(2026, 1, 5),
            acting_user=acting_user,
            note="Demo stock",
        )


VENDOR_PROFILE = {
    "name": "Handheld vendor B (AM/PM, own codes)",
    "mapping": {
        "citation_number": ["Ticket No"],
        "issued_at": ["Viol Date", "Viol Time"],
        "plate": ["Tag"],
        "state": ["Tag State"],
        "make": ["Vehicle Make"],
        "violation_code": ["Code"],
        "location": ["Where"],
        "fine": ["Amount Due"],
    },
    "constants": {"badge": "HV01"},
    "date_format": "%m/%d/%Y",
    "time_format": "%I:%M %p",
    "code_table": {"PK12": "22500(a)", "MT01": "10.20.030", "SW05": "10.20.050"},
}


def load_import_profiles(*, acting_user) -> None:
    """A handheld vendor's profile for the citation import, to look at and to preview."""
    core.profile_save(acting_user=acting_user, target="parking.citations", **VENDOR_PROFILE)


def load_demo_parking(*, users) -> None:
    """A few citations, permits and tags on the shelf, to look at."""
    load_import_profiles(acting_user=users["supervisor"])
    load_stock(acting_user=users["supervisor"])
    clerk = users["clerk1"]
    people = {p.name: p for p in Party.objects.filter(kind=Party.Kind.PERSON)}
    types = {t.code: t for t in PermitType.objects.all()}
    undeposited = Account.objects.get(number="100-1050")
    demo_permits = [
        # holder, type, address, unit, plate, paid
        ("Alvarez, Rosa", "RES", "220 Elm Street", "", "8ABC123", True),
        ("Alvarez, Rosa", "GST", "220 Elm Street", "", "7XYZ900", False),
        ("Bennett, James", "RES", "1200 Harbor Blvd", "4", "6TRK552", True),
        ("Chen, Wei", "ONL", "45 Cypress Ln", "", "5DEF778", False),
    ]
    for name, code, address, unit, plate, paid in demo_permits:
        party = people.get(name)
        if party is None:
            continue
        permit = ps.permit_apply(
            party=party,
            permit_type=types[code],
            address=address,
            unit=unit,
            plate=plate,
            plate_state="CA",
            acting_user=clerk,
        )
        if paid:
            charge = Charge.objects.get(source_number=permit.number)
            core.payment_post(
                party=party,
                amount=charge.amount,
                applications=[(charge, charge.amount)],
                debit_account=undeposited,
                acting_user=clerk,
                reference=f"DEMO-{permit.number}",
            )
    load_demo_citations(users=users)


DEMO_CITATIONS = [
    # number, days ago, plate, state, make, code, location, owner
    ("AB100001", 3, "7ABC123", "CA", "TOYT", "10.20.030", "300 Main St", ""),
    ("AB100002", 26, "7ABC123", "CA", "TOYT", "10.20.050", "120 Elm St", ""),
    ("AB100003", 45, "7ABC123", "CA", "TOYT", "22500(a)", "Main St & Bay St", "Lee, Dana|12 Bay View Dr, Alder Bay CA 95501"),
    ("AB100004", 8, "5XYZ999", "NV", "FORD", "10.24.010", "150 Oak Ave", ""),
    ("AB100005", 60, "6TRK552", "CA", "CHEV", "22507.8", "Harbor Blvd lot", "Bennett, James|1200 Harbor Blvd #4, Alder Bay CA 95501"),
    ("AB100006", 12, "4GHJ321", "CA", "HOND", "10.24.040", "410 Pine St", ""),
]  # fmt: skip


def load_demo_citations(*, users) -> None:
    """A few hand-written citations of the last two months: one plate with three (one late), a
    late disabled-space citation with a known owner, and one under review."""
    clerk, supervisor = users["clerk1"], users["supervisor"]
    today = core.city_today()
    for number, days, plate, state, make, code, location, owner in DEMO_CITATIONS:
        name, _sep, address = owner.partition("|")
        ps.citation_enter(
            number=number,
            issued_at=timezone.make_aware(
                datetime.datetime.combine(today - datetime.timedelta(days=days), datetime.time(8, 40))
            ),
            plate=plate,
            state=state,
            make=make,
            violation_code=code,
            location=location,
            badge="1107",
            owner_name=name,
            owner_address=address,
            acting_user=clerk,
        )
    ps.penalty_run(acting_user=supervisor)
    review = Citation.objects.get(number="AB100006")
    ps.contest_request(
        citation=review, level="review", statement="The time limit sign was missing.", acting_user=clerk
    )
