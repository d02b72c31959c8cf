"""The license tax schedule: the licensing policy in force, the tax year, a business's tax and
add-ons worked out (nothing written), and next year's schedule rolled forward."""

from __future__ import annotations

import datetime
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction

from revenue import services as core
from revenue.exceptions import NotAllowed, RevenueError

from ..models import AddOn, Business, Classification, LicensingPolicy, TaxRule
from ..tax import Computation, compute_tax, tax_year_bounds, tax_year_of


def policy_on(day: datetime.date | None = None) -> LicensingPolicy:
    return core.policy_on(LicensingPolicy, day)


def current_tax_year(day: datetime.date | None = None) -> int:
    day = day or core.city_today()
    return tax_year_of(day, policy_on(day).tax_year_start_month)


def rule_for(classification: Classification, tax_year: int) -> TaxRule:
    rule = (
        TaxRule.objects.filter(classification=classification, tax_year=tax_year)
        .prefetch_related("brackets")
        .first()
    )
    if rule is None:
        raise RevenueError(f"{classification.name} has no tax rule for tax year {tax_year}.")
    return rule


def compute(
    *, business: Business, tax_year: int, on: datetime.date | None = None
) -> tuple[Computation, list]:
    """The license tax and add-ons for a business and tax year, line by line (nothing written)."""
    on = on or core.city_today()
    policy = policy_on(on)
    start, _end = tax_year_bounds(tax_year, policy.tax_year_start_month)
    c = compute_tax(
        rule_for(business.classification, tax_year),
        employees=business.employees,
        receipts=business.gross_receipts,
        tax_year_start=start,
        started_on=business.started_on,
        prorate_quarterly=policy.proration == LicensingPolicy.Proration.QUARTERLY,
    )
    addons = []
    for addon in AddOn.objects.filter(tax_year=tax_year).select_related("fee_type"):
        amount, share, _rate = core.fee_compute(fee_type=addon.fee_type, on=on)
        addons.append((addon.fee_type, amount, share))
    return c, addons


@transaction.atomic
def schedule_roll_forward(*, from_year: int, percent, acting_user) -> int:
    """Next tax year's rules from this year's by a percentage (CPI), rounded as the policy says;
    bracket floors stay, amounts move. Rules already made for next year are left alone."""
    if not acting_user.has_perm("licensing.set_license_tax"):
        raise NotAllowed("Only a Revenue Supervisor sets the license tax schedule.")
    try:
        factor = 1 + Decimal(str(percent)) / 100
    except Exception as exc:  # noqa: BLE001 - any unreadable percentage
        raise RevenueError("Enter the adjustment as a percentage, e.g. 3.2.") from exc
    if not Decimal("-50") <= factor * 100 - 100 <= Decimal("50"):
        raise RevenueError("An adjustment beyond ±50% is refused; check the figure.")
    step = Decimal("1") if policy_on().cpi_rounding == "dollar" else Decimal("0.01")

    def scale(amount):
        if amount is None:
            return None
        return (amount * factor).quantize(step, rounding=ROUND_HALF_UP).quantize(Decimal("0.01"))

    made = 0
    for rule in TaxRule.objects.filter(tax_year=from_year).prefetch_related("brackets"):
        if TaxRule.objects.filter(classification=rule.classification, tax_year=from_year + 1).exists():
            continue
        new = TaxRule.objects.create(
            classification=rule.classification,
            tax_year=from_year + 1,
            kind=rule.kind,
            flat_amount=scale(rule.flat_amount),
            base_amount=scale(rule.base_amount),
            per_employee=scale(rule.per_employee),
            minimum_tax=scale(rule.minimum_tax),
            maximum_tax=scale(rule.maximum_tax),
            created_by=acting_user,
        )
        for b in rule.brackets.all():
            new.brackets.create(floor=b.floor, ceiling=b.ceiling, fixed=scale(b.fixed), percent=b.percent)
        made += 1
    for addon in AddOn.objects.filter(tax_year=from_year):
        AddOn.objects.get_or_create(tax_year=from_year + 1, fee_type=addon.fee_type)
    core.audit(
        actor=acting_user,
        action="schedule.rolled_forward",
        obj=policy_on(),
        after={"from": from_year, "percent": str(percent), "rules": made},
    )
    return made
