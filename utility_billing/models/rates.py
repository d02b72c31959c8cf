"""Rates, effective-dated per service and rate class, set by a supervisor on screens.

A schedule is one service's price list for one rate class from a date: its method says how the
usage charge is found; the fixed charge by meter size (or per dwelling unit), the usage blocks,
the surcharges and the refuse prices hang off it. Changing a rate is a new schedule from a date;
a period that straddles two schedules is prorated by days."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from revenue.models import EffectiveDated, during, money_field, one_in_force, used_sentence


class RateSchedule(EffectiveDated):
    class Method(models.TextChoices):
        UNIFORM = "uniform", "Uniform price per unit"
        TIERED = "tiered", "Tiered blocks"
        FLAT = "flat", "Flat amount per period"
        SEWER_SHARE = "sewer_share", "Sewer: a share of water usage"
        SEWER_WINTER = "sewer_winter", "Sewer: winter average of water usage"
        REFUSE = "refuse", "Refuse: by container and pickups"

    class BlockBasis(models.TextChoices):
        FIXED = "fixed", "Block sizes as entered"
        DWELLING_UNITS = "units", "Block sizes times dwelling units"
        DAYS = "days", "Block sizes scaled to the days in the period (per 30 days)"

    service = models.ForeignKey("utility_billing.Service", on_delete=models.PROTECT, related_name="schedules")
    rate_class = models.ForeignKey(
        "utility_billing.RateClass", on_delete=models.PROTECT, related_name="schedules"
    )
    effective_from = models.DateField()
    method = models.CharField(max_length=15, choices=Method.choices)
    unit_price = models.DecimalField(
        max_digits=10, decimal_places=4, default=0, help_text="Per unit, for uniform and sewer methods."
    )
    block_basis = models.CharField(max_length=6, choices=BlockBasis.choices, default=BlockBasis.FIXED)
    minimum_charge = money_field(default=0, help_text="The period's charge is never less (fixed + usage).")
    fixed_per_dwelling_unit = models.BooleanField(
        default=False, help_text="The fixed charge is per dwelling unit rather than by meter size."
    )
    flat_amount = money_field(default=0, help_text="Per month, for the flat method.")
    sewer_share_percent = models.DecimalField(
        max_digits=5, decimal_places=2, default=100, help_text="Of water usage, for sewer methods."
    )
    winter_months = models.CharField(
        max_length=40,
        blank=True,
        default="12,1,2",
        help_text="Month numbers of the winter average, e.g. 12,1,2.",
    )
    winter_default_usage = models.DecimalField(
        max_digits=10, decimal_places=2, default=0,
        help_text="Units per month a new account is billed until it has a winter average.",
    )  # fmt: skip
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    config_scope = ("service", "rate_class")

    class Meta:
        ordering = ["service__sort_order", "rate_class__code", "-effective_from"]
        constraints = [
            one_in_force("service", "rate_class", name="one_rate_schedule_per_date"),
            models.CheckConstraint(
                condition=Q(
                    unit_price__gte=0,
                    minimum_charge__gte=0,
                    flat_amount__gte=0,
                    sewer_share_percent__gte=0,
                    sewer_share_percent__lte=100,
                    winter_default_usage__gte=0,
                ),
                name="rate_schedule_sane",
            ),
        ]

    def __str__(self):
        return f"{self.service} · {self.rate_class} from {self.effective_from}"

    def config_used(self, until):
        from .bills import BillLine

        lines = BillLine.objects.filter(schedule=self).filter(
            during("bill__bill_date", self.effective_from, until)
        )
        return used_sentence([(lines.values("bill").distinct().count(), "bill")])


class RateBlock(models.Model):
    """A usage block: units from `start` (up to the next block's start) at `price` per unit."""

    schedule = models.ForeignKey(RateSchedule, on_delete=models.CASCADE, related_name="blocks")
    start = models.DecimalField(
        max_digits=12, decimal_places=2, help_text="First unit of the block (0 for the first)."
    )
    price = models.DecimalField(max_digits=10, decimal_places=4)

    class Meta:
        ordering = ["schedule", "start"]
        constraints = [
            models.UniqueConstraint(fields=["schedule", "start"], name="one_block_per_start"),
            models.CheckConstraint(condition=Q(start__gte=0, price__gte=0), name="rate_block_sane"),
        ]

    def __str__(self):
        return f"from {self.start} at {self.price}"


class FixedCharge(models.Model):
    """The fixed (readiness-to-serve) charge per month by meter size; blank size: any size, or
    the per-dwelling-unit amount."""

    schedule = models.ForeignKey(RateSchedule, on_delete=models.CASCADE, related_name="fixed_charges")
    meter_size = models.ForeignKey(
        "utility_billing.MeterSize", null=True, blank=True, on_delete=models.PROTECT
    )
    amount = money_field()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["schedule", "meter_size"], nulls_distinct=False, name="one_fixed_per_size"
            ),
            models.CheckConstraint(condition=Q(amount__gte=0), name="fixed_charge_not_negative"),
        ]

    def __str__(self):
        return f"{self.meter_size or 'any size'}: {self.amount}"


class Surcharge(models.Model):
    """A surcharge on the service: per unit of usage, or a fixed amount per month."""

    schedule = models.ForeignKey(RateSchedule, on_delete=models.CASCADE, related_name="surcharges")
    name = models.CharField(max_length=60)
    per_unit = models.DecimalField(max_digits=10, decimal_places=4, default=0)
    per_month = money_field(default=0)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(per_unit__gte=0, per_month__gte=0), name="surcharge_not_negative"
            ),
        ]

    def __str__(self):
        return self.name


class RefuseRate(models.Model):
    """Refuse: the monthly price of a container size picked up so many times a week."""

    schedule = models.ForeignKey(RateSchedule, on_delete=models.CASCADE, related_name="refuse_rates")
    container_gallons = models.PositiveSmallIntegerField()
    pickups_per_week = models.PositiveSmallIntegerField(default=1)
    per_month = money_field()

    class Meta:
        ordering = ["container_gallons", "pickups_per_week"]
        constraints = [
            models.UniqueConstraint(
                fields=["schedule", "container_gallons", "pickups_per_week"], name="one_refuse_rate_per_cart"
            ),
            models.CheckConstraint(condition=Q(per_month__gte=0), name="refuse_rate_not_negative"),
        ]

    def __str__(self):
        return f"{self.container_gallons} gal × {self.pickups_per_week}/week: {self.per_month}"
