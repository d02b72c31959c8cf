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


def rule_for(classification: Classification, tax_year: int, on: datetime.date | None = None) -> TaxRule:
    """The classification's tax rule for a tax year in force on a date (default today)."""
    on = on or core.city_today()
    rules = TaxRule.objects.filter(classification=classification, tax_year=tax_year)
    rule = core.in_force(rules.prefetch_related("brackets"), on)
    if rule is None:
        raise RevenueError(
            f"{classification.name} has no tax rule for tax year {tax_year} in force on {on:%m/%d/%Y}."
        )
    return rule


def addons_on(tax_year: int, on: datetime.date | None = None) -> list[AddOn]:
    """The add-ons of a tax year in force on a date: per fee, its latest row, if it includes the fee."""
    on = on or core.city_today()
    latest = (
        AddOn.objects.filter(tax_year=tax_year, effective_from__lte=on)
        .order_by("fee_type_id", "-effective_from")
        .distinct("fee_type_id")
        .select_related("fee_type")
    )
    return sorted((a for a in latest if a.included), key=lambda a: a.fee_type.name)


def compute(
    *, business: Business, tax_year: int, on: datetime.date | None = None
) -> tuple[Computation, list]:
    """The license tax and add-ons for a business and tax year, line by line (nothing written).
    An add-on whose fee is 0.00 on the day is not charged, so it is left out."""
    on = on or core.city_today()
    policy = policy_on(on)
    start, _end = tax_year_bounds(tax_year, policy.tax_year_start_month)
    c = compute_tax(
        rule_for(business.classification, tax_year, on),
        employees=business.employees,
        receipts=business.gross_receipts,
        tax_year_start=start,
        started_on=business.started_on,
        prorate_quarterly=policy.proration == LicensingPolicy.Proration.QUARTERLY,
    )
    addons = []
    for addon in addons_on(tax_year, on):
        amount, share, _rate = core.fee_compute(fee_type=addon.fee_type, on=on, allow_zero=True)
        if amount:
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

    made, today = 0, core.city_today()
    classes = Classification.objects.filter(
        rules__tax_year=from_year, rules__withdrawn_at__isnull=True
    ).distinct()
    for classification in classes:
        if TaxRule.objects.filter(classification=classification, tax_year=from_year + 1).exists():
            continue
        rule = core.in_force(TaxRule.objects.filter(classification=classification, tax_year=from_year), today)
        if rule is None:  # this year's rule starts later: roll forward from it when it is in force
            continue
        new = TaxRule.objects.create(
            classification=classification,
            tax_year=from_year + 1,
            effective_from=today,
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
    for addon in addons_on(from_year, today):
        if not AddOn.objects.filter(tax_year=from_year + 1, fee_type=addon.fee_type).exists():
            AddOn.objects.create(
                tax_year=from_year + 1, fee_type=addon.fee_type, effective_from=today, created_by=acting_user
            )
    core.audit(
        actor=acting_user,
        action="schedule.rolled_forward",
        obj=policy_on(),
        after={"from": from_year, "percent": str(percent), "rules": made},
    )
    return made
