"""Transient Occupancy Tax: operators (hotels, motels, short-term rentals), their returns by
period, the tax at the rate in effect for the period, and the late penalties and interest."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse

from revenue.models import Charge, EffectiveDated, Party, during, money_field, one_in_force, used_sentence

ZERO = Decimal("0.00")


class TotPolicy(EffectiveDated):
    """TOT rules in force from a date: due date, exemption length, penalties and interest."""

    effective_from = models.DateField()
    receivable_account = models.ForeignKey("revenue.Account", on_delete=models.PROTECT, related_name="+")
    tax_revenue_account = models.ForeignKey("revenue.Account", on_delete=models.PROTECT, related_name="+")
    penalty_revenue_account = models.ForeignKey("revenue.Account", on_delete=models.PROTECT, related_name="+")
    interest_revenue_account = models.ForeignKey(
        "revenue.Account", on_delete=models.PROTECT, related_name="+"
    )
    due_months_after = models.PositiveSmallIntegerField(
        default=1, help_text="Due on the last day of the month this many months after the period ends."
    )
    long_stay_days = models.PositiveIntegerField(
        default=30, help_text="Rent for stays over this many consecutive days is exempt."
    )
    first_penalty_percent = models.DecimalField(
        max_digits=5, decimal_places=2, default=Decimal("10.00"), help_text="Of the tax, when delinquent."
    )
    second_penalty_percent = models.DecimalField(
        max_digits=5, decimal_places=2, default=Decimal("10.00"), help_text="Of the tax, if still unpaid …"
    )
    second_penalty_after_days = models.PositiveIntegerField(
        default=30, help_text="… this many days after the due date."
    )
    interest_percent_per_month = models.DecimalField(
        max_digits=5,
        decimal_places=3,
        default=Decimal("0.500"),
        help_text="Of the tax, per month or fraction.",
    )
    filing_limit_months = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        help_text="A return may be filed for a period at most this many months back (48: four years); "
        "blank: any period from the month the operator opened.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-effective_from"]
        verbose_name = "TOT policy"
        verbose_name_plural = "TOT policies"
        constraints = [
            one_in_force(name="one_tot_policy_per_date"),
            models.CheckConstraint(
                condition=Q(
                    due_months_after__gte=1,
                    long_stay_days__gte=1,
                    first_penalty_percent__gte=0,
                    first_penalty_percent__lte=100,
                    second_penalty_percent__gte=0,
                    second_penalty_percent__lte=100,
                    second_penalty_after_days__gte=1,
                    interest_percent_per_month__gte=0,
                    interest_percent_per_month__lte=10,
                ),
                name="tot_policy_sane",
            ),
        ]

    def __str__(self):
        return f"TOT policy from {self.effective_from}"

    def config_used(self, until):
        return periods_used(self.effective_from, until)


def periods_used(start, until) -> str:
    """A TOT policy or rate governs the periods that begin while it is in force."""
    return used_sentence([(TotReturn.objects.filter(during("period_start", start, until)).count(), "return")])


class TotRate(EffectiveDated):
    """The tax rate for periods beginning on or after a date."""

    effective_from = models.DateField()
    percent = models.DecimalField(max_digits=5, decimal_places=3)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-effective_from"]
        verbose_name = "TOT rate"
        constraints = [
            one_in_force(name="one_tot_rate_per_date"),
            models.CheckConstraint(condition=Q(percent__gt=0, percent__lt=50), name="tot_rate_sane"),
        ]

    def __str__(self):
        return f"{self.percent}% from {self.effective_from}"

    def config_used(self, until):
        return periods_used(self.effective_from, until)


class Operator(models.Model):
    class Kind(models.TextChoices):
        HOTEL = "hotel", "Hotel"
        MOTEL = "motel", "Motel"
        STR = "str", "Short-term rental"
        BNB = "bnb", "Bed and breakfast"

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        SUSPENDED = "suspended", "Suspended"
        CLOSED = "closed", "Closed"

    party = models.ForeignKey(Party, on_delete=models.PROTECT, related_name="tot_operators")
    certificate_number = models.CharField(max_length=20, unique=True)
    name = models.CharField(max_length=150, help_text="Name of the lodging (dba).")
    kind = models.CharField(max_length=6, choices=Kind.choices)
    location = models.CharField(max_length=200)
    rooms = models.PositiveIntegerField(default=1)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    opened_on = models.DateField(help_text="Returns are due for every month from this one.")
    closed_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(closed_on__isnull=True) | Q(closed_on__gte=F("opened_on")),
                name="operator_dates_sane",
            )
        ]
        permissions = [
            ("file_return", "Log TOT returns"),
            ("adjust_return", "Make TOT audit adjustments"),
            ("view_tot_reports", "See TOT reports and the non-filer list"),
        ]

    def __str__(self):
        return f"{self.name} ({self.certificate_number})"

    def get_absolute_url(self):
        return reverse("tot:operator_detail", args=[self.certificate_number])


class TotReturn(models.Model):
    """One filing for one operator and period. An amended return or an audit adjustment is a new
    row that supersedes the one before; the period's current return is the one not superseded."""

    class Kind(models.TextChoices):
        ORIGINAL = "original", "Original"
        AMENDED = "amended", "Amended"
        AUDIT = "audit", "Audit adjustment"

    class Status(models.TextChoices):
        CURRENT = "current", "Current"
        SUPERSEDED = "superseded", "Superseded"
        PENDING = "pending", "Waiting for approval"
        DENIED = "denied", "Denied"

    number = models.CharField(max_length=20, unique=True)
    operator = models.ForeignKey(Operator, on_delete=models.PROTECT, related_name="returns")
    period_start = models.DateField()
    period_end = models.DateField()
    kind = models.CharField(max_length=8, choices=Kind.choices, default=Kind.ORIGINAL)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.CURRENT)
    supersedes = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="superseded_by"
    )
    gross_rents = money_field()
    exempt_long_stay = money_field(default=ZERO)
    exempt_government = money_field(default=ZERO)
    exempt_other = money_field(default=ZERO)
    exempt_other_reason = models.CharField(max_length=200, blank=True)
    taxable_rents = money_field()
    rate_percent = models.DecimalField(max_digits=5, decimal_places=3)
    tax = money_field()
    due_on = models.DateField()
    received_on = models.DateField(help_text="The day the return reached the city (not the postmark).")
    note = models.TextField(blank=True)
    penalties_taken_back = money_field(
        default=ZERO,
        help_text="Penalties assessed before this return that it took back (waived, or credited on "
        "account if paid) because it lowered the tax.",
    )
    interest_taken_back = money_field(
        default=ZERO,
        help_text="Interest assessed before this return that it took back because it lowered the tax.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["operator", "-period_start", "-pk"]
        indexes = [models.Index(fields=["period_start", "status"])]
        constraints = [
            models.UniqueConstraint(
                fields=["operator", "period_start"],
                condition=Q(status="current"),
                name="one_current_return_per_period",
            ),
            models.CheckConstraint(
                condition=Q(
                    gross_rents__gte=0, exempt_long_stay__gte=0, exempt_government__gte=0, exempt_other__gte=0
                )
                & Q(taxable_rents__gte=0, tax__gte=0)
                & Q(penalties_taken_back__gte=0, interest_taken_back__gte=0),
                name="tot_amounts_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(
                    taxable_rents=F("gross_rents")
                    - F("exempt_long_stay")
                    - F("exempt_government")
                    - F("exempt_other")
                ),
                name="tot_taxable_is_gross_less_exemptions",
            ),
            models.CheckConstraint(condition=Q(period_end__gte=F("period_start")), name="tot_period_sane"),
        ]

    def __str__(self):
        return f"TOT return {self.number}"

    def get_absolute_url(self):
        return reverse("tot:return_detail", args=[self.number])

    def charges(self):
        return Charge.objects.filter(source_number=self.number).order_by("pk")


class NonFilerNotice(models.Model):
    operator = models.ForeignKey(Operator, on_delete=models.PROTECT, related_name="nonfiler_notices")
    period_start = models.DateField()
    sent_on = models.DateField()
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-sent_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["operator", "period_start"], name="one_nonfiler_notice_per_period"
            )
        ]

    def __str__(self):
        return f"Non-filer notice {self.operator} {self.period_start:%Y-%m}"
