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
    LicensingPolicy.objects.create(
        effective_from=datetime.date(2024, 1, 1), tax_year_start_month=3, created_by=acting_user
    )
    classes = {}
    for code, name, checklist, kind, data, brackets in CLASSES:
        classification = Classification.objects.create(code=code, name=name, checklist=checklist)
        for year in tax_years:
            rule = TaxRule.objects.create(
                classification=classification, tax_year=year, kind=kind, created_by=acting_user, **data
            )
            for floor, ceiling, fixed, percent in brackets:
                Bracket.objects.create(rule=rule, floor=floor, ceiling=ceiling, fixed=fixed, percent=percent)
        classes[code] = classification
    for year in tax_years:
        for code in ("BL-PROC", "SB1186"):
            fee = FeeType.objects.filter(code=code).first()
            if fee:
                AddOn.objects.create(tax_year=year, fee_type=fee)
    return classes
