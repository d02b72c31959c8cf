"""What a supervisor sets up once: the services the city sells, rate classes, billing cycles,
meter sizes, and the utility's accounts (effective-dated)."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q

from revenue.models import EffectiveDated, during, one_in_force, used_sentence


class Service(models.Model):
    """A service the city bills: water, sewer, refuse, or one the city adds (storm drain …)."""

    class Kind(models.TextChoices):
        WATER = "water", "Water (metered)"
        SEWER = "sewer", "Sewer"
        REFUSE = "refuse", "Refuse"
        OTHER = "other", "Other (flat)"

    code = models.SlugField(max_length=20, unique=True)
    name = models.CharField(max_length=60)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    revenue_account = models.ForeignKey("revenue.Account", on_delete=models.PROTECT, related_name="+")
    sort_order = models.PositiveSmallIntegerField(default=0)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["sort_order", "code"]

    def __str__(self):
        return self.name


class RateClass(models.Model):
    """Residential, multi-family, commercial, irrigation …: which rate schedule applies."""

    code = models.SlugField(max_length=20, unique=True)
    name = models.CharField(max_length=60)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["code"]
        verbose_name_plural = "rate classes"

    def __str__(self):
        return self.name


class BillingCycle(models.Model):
    """A group of premises read and billed together, monthly or every two months."""

    code = models.SlugField(max_length=20, unique=True)
    name = models.CharField(max_length=60)
    months_per_period = models.PositiveSmallIntegerField(
        default=1, help_text="1: billed monthly; 2: every two months."
    )
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(months_per_period__gte=1, months_per_period__lte=12), name="cycle_months_sane"
            )
        ]

    def __str__(self):
        return self.name


class MeterSize(models.Model):
    """5/8", 3/4", 1" …: fixed charges and connection fees are set by meter size."""

    code = models.CharField(max_length=10, unique=True, help_text='As printed, e.g. 5/8" or 1-1/2"')
    sort_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["sort_order", "code"]

    def __str__(self):
        return self.code


class UtilityPolicy(EffectiveDated):
    """The utility's accounts and billing terms in force from a date."""

    effective_from = models.DateField()
    receivable_account = models.ForeignKey("revenue.Account", on_delete=models.PROTECT, related_name="+")
    deposit_account = models.ForeignKey(
        "revenue.Account",
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Customer deposits held (a liability).",
    )
    fee_revenue_account = models.ForeignKey(
        "revenue.Account",
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Service fees: establishing service, connection, meter test, reconnection.",
    )
    due_days = models.PositiveSmallIntegerField(
        default=21, help_text="A bill is due this many days after its date."
    )
    meter_accuracy_low = models.DecimalField(
        max_digits=5, decimal_places=2, default=Decimal("98.50"),
        help_text="A tested meter registering less than this percent of the water through it is inaccurate.",
    )  # fmt: skip
    meter_accuracy_high = models.DecimalField(
        max_digits=5, decimal_places=2, default=Decimal("101.50"),
        help_text="… or more than this percent: the test fee is refunded and the bills corrected.",
    )  # fmt: skip
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-effective_from"]
        verbose_name = "utility policy"
        verbose_name_plural = "utility policies"
        constraints = [
            one_in_force(name="one_utility_policy_per_date"),
            models.CheckConstraint(
                condition=Q(due_days__gte=1, due_days__lte=90), name="utility_due_days_sane"
            ),
        ]

    def __str__(self):
        return f"Utility policy from {self.effective_from}"

    def config_used(self, until):
        from .bills import Bill

        return used_sentence(
            [(Bill.objects.filter(during("bill_date", self.effective_from, until)).count(), "bill")]
        )
