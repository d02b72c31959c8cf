"""The demo city's licensing: policy (tax year from March, quarterly proration), classifications
with their tax rules for the current and previous tax years, add-ons, and a few businesses."""

import datetime
from decimal import Decimal

from revenue.models import FeeType

from .models import AddOn, Bracket, Classification, LicensingPolicy, TaxRule

D = Decimal

CLASSES = [
    # code, name, checklist, rule kind, rule data, brackets
    (
        "RET",
        "Retail sales",
        ["Zoning"],
        "gross_receipts",
        {"minimum_tax": D("75.00"), "maximum_tax": D("2500.00")},
        [
            (D("0"), D("50000.00"), D("75.00"), D("0")),
            (D("50000.00"), D("250000.00"), D("75.00"), D("0.1000")),
            (D("250000.00"), None, D("275.00"), D("0.0500")),
        ],
    ),
    (
        "RES",
        "Restaurants and food service",
        ["Zoning", "Fire", "Health"],
        "gross_receipts",
        {"minimum_tax": D("100.00"), "maximum_tax": None},
        [(D("0"), D("100000.00"), D("100.00"), D("0")), (D("100000.00"), None, D("100.00"), D("0.1200"))],
    ),
    (
        "PRO",
        "Professional services",
        ["Zoning"],
        "per_employee",
        {
            "base_amount": D("100.00"),
            "per_employee": D("15.00"),
            "minimum_tax": D("100.00"),
            "maximum_tax": D("1000.00"),
        },
        [],
    ),
    ("HOME", "Home-based business", ["Zoning"], "flat", {"flat_amount": D("50.00")}, []),
]


def load_licensing(*, acting_user, tax_years=(2025, 2026)) -> dict[str, Classification]:
    from revenue.models import Account

    LicensingPolicy.objects.create(
        tax_receivable_account=Account.objects.get(number="100-1220"),
        tax_revenue_account=Account.objects.get(number="100-4110"),
        penalty_revenue_account=Account.objects.get(number="100-4160"),
        effective_from=datetime.date(2024, 1, 1),
        tax_year_start_month=3,
        created_by=acting_user,
    )
    classes = {}
    for code, name, checklist, kind, data, brackets in CLASSES:
        classification = Classification.objects.create(code=code, name=name, checklist=checklist)
        for year in tax_years:
            rule = TaxRule.objects.create(
                classification=classification,
                tax_year=year,
                effective_from=datetime.date(year - 1, 1, 1),  # in force for all the tax year's work
                kind=kind,
                created_by=acting_user,
                **data,
            )
            for floor, ceiling, fixed, percent in brackets:
                Bracket.objects.create(rule=rule, floor=floor, ceiling=ceiling, fixed=fixed, percent=percent)
        classes[code] = classification
    for year in tax_years:
        for code in ("BL-PROC", "SB1186"):
            fee = FeeType.objects.filter(code=code).first()
            if fee:
                AddOn.objects.create(
                    tax_year=year,
                    fee_type=fee,
                    effective_from=datetime.date(year - 1, 1, 1),
                    created_by=acting_user,
                )
    return classes


def load_demo_licenses(*, parties_by_name: dict, users: dict, undeposited) -> None:
    """A few licenses in every state, so the screens have something to show."""
    from revenue import services as core

    from . import services as ls
    from .models import License

    admin, supervisor, clerk = users["admin"], users["supervisor"], users["clerk2"]
    year = ls.current_tax_year()

    def business(name, code, receipts, employees, address):
        return ls.business_create(
            party=parties_by_name[name],
            acting_user=admin,
            dba="",
            location_address=address,
            location_city="Alder Bay",
            ownership="llc",
            owner_name="Owner of " + name,
            started_on=datetime.date(2012, 4, 1),
            employees=employees,
            classification=Classification.objects.get(code=code),
            gross_receipts=D(receipts),
        )

    books = ls.application_submit(
        business=business("Main Street Books", "RET", "320000.00", 4, "210 Main St"), acting_user=clerk
    )
    ls.signoff_add(license=books, item="Zoning", acting_user=supervisor)
    ls.application_approve(license=books, acting_user=supervisor)
    charges = list(books.charges())
    core.payment_post(
        party=books.business.party,
        amount=sum((c.balance for c in charges), D("0")),
        applications=[(c, c.balance) for c in charges],
        debit_account=undeposited,
        acting_user=clerk,
        reference="DEMO-LICENSE",
    )
    taqueria = ls.application_submit(
        business=business("Sunset Taqueria", "RES", "480000.00", 12, "88 Ocean Ave"), acting_user=clerk
    )
    ls.signoff_add(license=taqueria, item="Zoning", acting_user=supervisor)
    ls.application_submit(
        business=business("Seaside Yoga Studio", "HOME", "40000.00", 1, "15 Cypress Ln"), acting_user=clerk
    )
    hardware = business("Tidewater Hardware", "RET", "900000.00", 9, "400 Bay St")
    License.objects.create(
        number=f"BL{year - 1}-000001",
        business=hardware,
        tax_year=year - 1,
        status="active",
        valid_from=datetime.date(year - 1, 3, 1),
        valid_to=datetime.date(year, 2, 28),
        created_by=admin,
    )
    ls.expire_lapsed()  # last year's period has ended: it shows as expired until renewed
