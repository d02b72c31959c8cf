"""Effective-dated configuration and the fee schedule."""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.db import models, transaction

from ..dates import city_today
from ..exceptions import (
    AccountNotConfigured,
    InvalidAmount,
    NoPolicyInForce,
    NoRateInForce,
    RevenueError,
)
from ..models import (
    ZERO,
    FeeRate,
    FeeType,
)
from ..money import money
from .audit import audit, snapshot


def in_force(queryset, on: datetime.date):
    """The row of an effective-dated table in force on a date: the latest effective on or before
    it, never a withdrawn one (the default manager already leaves those out; this holds for a
    queryset built from another manager too)."""
    if any(f.name == "withdrawn_at" for f in queryset.model._meta.get_fields()):
        queryset = queryset.filter(withdrawn_at__isnull=True)
    return queryset.filter(effective_from__lte=on).order_by("-effective_from").first()


def policy_on(model: type[models.Model], on: datetime.date | None = None, *, related: Iterable[str] = ()):
    """The policy row (any effective-dated configuration with one row in force at a time) in
    force on a date, default today. With none in force, every app behaves the same: it refuses
    with NoPolicyInForce, a sentence that names the policy and the date, and changes nothing."""
    on = on or city_today()
    queryset = model._default_manager.all()
    if related:
        queryset = queryset.select_related(*related)
    policy = in_force(queryset, on)
    if policy is None:
        raise NoPolicyInForce(
            f"No {model._meta.verbose_name} is in force on {on:%m/%d/%Y}; "
            "a supervisor must add one in Configuration."
        )
    return policy


def fee_rate_on(*, fee_type: FeeType, on: datetime.date | None = None) -> FeeRate:
    """The rate of a fee in force on a date: the latest one effective on or before it."""
    on = on or city_today()
    rate = in_force(fee_type.rates.all(), on)
    if rate is None:
        raise NoRateInForce(f"{fee_type.name} has no rate in force on {on:%m/%d/%Y}.")
    return rate


@transaction.atomic
def fee_rate_set(
    *, fee_type: FeeType, effective_from: datetime.date, amount, pass_through_amount=ZERO, acting_user
) -> FeeRate:
    amount = None if amount in (None, "") else money(amount, field="Fee amount", allow_zero=True)
    pass_through_amount = money(pass_through_amount, field="Pass-through amount", allow_zero=True)
    if amount is not None and pass_through_amount > amount:
        raise InvalidAmount("The pass-through share cannot be more than the fee.")
    if pass_through_amount and fee_type.pass_through_account_id is None:
        raise AccountNotConfigured(
            f"{fee_type.name} has no pass-through account for the other agency's share."
        )
    if FeeRate.objects.filter(fee_type=fee_type, effective_from=effective_from).exists():
        raise RevenueError(f"{fee_type.name} already has a rate effective {effective_from:%m/%d/%Y}.")
    rate = FeeRate.objects.create(
        fee_type=fee_type,
        effective_from=effective_from,
        amount=amount,
        pass_through_amount=pass_through_amount,
        created_by=acting_user,
    )
    audit(
        actor=acting_user,
        action="fee_rate.created",
        obj=rate,
        after=snapshot(rate, ["effective_from", "amount", "pass_through_amount"]),
    )
    return rate
