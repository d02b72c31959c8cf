"""Business licensing: businesses, classifications and their tax by tax year, licenses from
application to issue. Charges are the core's; payment happens at the counter."""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse

from revenue.models import (
    Charge,
    EffectiveDated,
    FeeType,
    Party,
    during,
    money_field,
    one_in_force,
    used_sentence,
)


def licenses_assessed(start, until, *, submitted_too: bool = False, **where) -> int:
    """Licenses (of `where`) assessed, or issued with nothing to pay, while a row of licensing
    configuration was in force (and, with `submitted_too`, applied for then): its uses."""
    from django.contrib.contenttypes.models import ContentType

    charged = Charge.objects.filter(
        during("assessed_on", start, until), source_type=ContentType.objects.get_for_model(License)
    ).values("source_id")
    used = Q(pk__in=charged) | during("issued_at__date", start, until)
    if submitted_too:
        used |= during("created_at__date", start, until)
    return License.objects.filter(used, **where).count()


class LicensingPolicy(EffectiveDated):
    """The licensing rules the city sets, in force from a date until the next policy."""

    class Proration(models.TextChoices):
        NONE = "none", "No proration"
        QUARTERLY = "quarterly", "By quarter of the tax year"

    effective_from = models.DateField()
    tax_year_start_month = models.PositiveSmallIntegerField(
        help_text="1-12: the tax year starts on day 1 of it."
    )
    proration = models.CharField(max_length=10, choices=Proration.choices, default=Proration.QUARTERLY)
    tax_receivable_account = models.ForeignKey(
        "revenue.Account",
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Receivable for license tax and penalties.",
    )
    tax_revenue_account = models.ForeignKey("revenue.Account", on_delete=models.PROTECT, related_name="+")
    penalty_revenue_account = models.ForeignKey("revenue.Account", on_delete=models.PROTECT, related_name="+")
    cpi_rounding = models.CharField(
        max_length=6,
        choices=[("cent", "To the cent"), ("dollar", "To the whole dollar")],
        default="dollar",
        help_text="How amounts are rounded when next year's schedule is made by a percentage.",
    )
    delinquent_after_days = models.PositiveIntegerField(
        default=60,
        validators=[MinValueValidator(1), MaxValueValidator(366)],
        help_text="A renewal assessed this many days or more after the tax year starts is delinquent.",
    )
    penalty_percent_per_month = models.DecimalField(
        max_digits=5,
        decimal_places=2,
        default=Decimal("10.00"),
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text="Percent of the tax for each month or part of a month from the delinquency date.",
    )
    penalty_cap_percent = models.DecimalField(
        max_digits=5,
        decimal_places=2,
        default=Decimal("50.00"),
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text="The penalty never exceeds this percent of the tax.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-effective_from"]
        verbose_name_plural = "licensing policies"
        constraints = [
            one_in_force(name="one_licensing_policy_per_date"),
            models.CheckConstraint(
                condition=Q(tax_year_start_month__gte=1, tax_year_start_month__lte=12),
                name="tax_year_month_valid",
            ),
            models.CheckConstraint(
                condition=Q(
                    delinquent_after_days__gte=1,
                    penalty_percent_per_month__gte=0,
                    penalty_cap_percent__gte=0,
                    penalty_cap_percent__lte=100,
                ),
                name="licensing_penalty_sane",
            ),
        ]

    def __str__(self):
        return f"Licensing policy from {self.effective_from}"

    def config_used(self, until):
        n = licenses_assessed(self.effective_from, until, submitted_too=True)
        return used_sentence([(n, "license")])


class Classification(models.Model):
    code = models.CharField(max_length=12, unique=True)
    name = models.CharField(max_length=120)
    checklist = models.JSONField(
        default=list, blank=True, help_text='Sign-offs an application needs, e.g. ["Zoning", "Fire"].'
    )
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return f"{self.code} {self.name}"


class TaxRule(EffectiveDated):
    """A classification's tax for one tax year (named by the calendar year it starts in), from
    a date: a change is a new rule from a later date; the old one stays for what used it."""

    config_scope = ("classification", "tax_year")

    class Kind(models.TextChoices):
        FLAT = "flat", "Flat amount"
        PER_EMPLOYEE = "per_employee", "Base plus an amount per employee"
        GROSS_RECEIPTS = "gross_receipts", "Gross-receipts brackets"

    classification = models.ForeignKey(Classification, on_delete=models.PROTECT, related_name="rules")
    tax_year = models.PositiveIntegerField()
    effective_from = models.DateField(
        help_text="Licenses of the tax year assessed from this day on use this rule (until a later one)."
    )
    kind = models.CharField(max_length=16, choices=Kind.choices)
    flat_amount = money_field(null=True, blank=True)
    base_amount = money_field(null=True, blank=True)
    per_employee = money_field(null=True, blank=True)
    minimum_tax = money_field(default=Decimal("0.00"))
    maximum_tax = money_field(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["classification", "-tax_year", "-effective_from"]
        constraints = [
            one_in_force("classification", "tax_year", name="one_rule_per_class_year_and_date"),
            models.CheckConstraint(
                condition=Q(minimum_tax__gte=0)
                & (Q(maximum_tax__isnull=True) | Q(maximum_tax__gte=F("minimum_tax"))),
                name="tax_min_max_sane",
            ),
            models.CheckConstraint(
                condition=~Q(kind="flat") | Q(flat_amount__isnull=False, flat_amount__gte=0),
                name="flat_has_amount",
            ),
            models.CheckConstraint(
                condition=~Q(kind="per_employee")
                | Q(
                    base_amount__isnull=False,
                    base_amount__gte=0,
                    per_employee__isnull=False,
                    per_employee__gte=0,
                ),
                name="per_employee_has_amounts",
            ),
        ]

    def __str__(self):
        return f"{self.classification.code} {self.tax_year} from {self.effective_from}: {self.get_kind_display()}"

    def config_used(self, until):
        n = licenses_assessed(
            self.effective_from,
            until,
            tax_year=self.tax_year,
            business__classification=self.classification_id,
        )
        return used_sentence([(n, "license")])


class Bracket(models.Model):
    """Receipts from `floor` up to (not including) `ceiling` pay `fixed` plus `percent` of the
    receipts over `floor`. The last bracket has no ceiling."""

    rule = models.ForeignKey(TaxRule, on_delete=models.CASCADE, related_name="brackets")
    floor = money_field()
    ceiling = money_field(null=True, blank=True)
    fixed = money_field(default=Decimal("0.00"))
    percent = models.DecimalField(
        max_digits=7,
        decimal_places=4,
        default=Decimal("0"),
        help_text="Percent of the receipts over the floor, e.g. 0.1000 for 0.1%.",
    )

    class Meta:
        ordering = ["rule", "floor"]
        constraints = [
            models.UniqueConstraint(fields=["rule", "floor"], name="one_bracket_per_floor"),
            models.CheckConstraint(
                condition=Q(floor__gte=0) & Q(fixed__gte=0) & Q(percent__gte=0), name="bracket_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(ceiling__isnull=True) | Q(ceiling__gt=F("floor")),
                name="bracket_ceiling_above_floor",
            ),
        ]

    def __str__(self):
        return f"{self.floor}–{self.ceiling or '∞'}: {self.fixed} + {self.percent}%"


class AddOn(EffectiveDated):
    """A fee added to every license of a tax year (its amount is in the core's fee schedule),
    from a date: a row with `included` off drops the fee from the tax year from its date on."""

    config_scope = ("tax_year", "fee_type")

    tax_year = models.PositiveIntegerField()
    fee_type = models.ForeignKey(FeeType, on_delete=models.PROTECT, related_name="+")
    effective_from = models.DateField(help_text="Licenses of the tax year assessed from this day on.")
    included = models.BooleanField(
        default=True, help_text="Untick to drop the fee from the tax year's licenses from the date on."
    )
    created_at = models.DateTimeField(auto_now_add=True, null=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-tax_year", "fee_type__name", "-effective_from"]
        verbose_name = "license add-on"
        constraints = [one_in_force("tax_year", "fee_type", name="one_addon_per_year_fee_and_date")]

    def __str__(self):
        return f"{self.tax_year}: {self.fee_type} {'added' if self.included else 'dropped'} from {self.effective_from}"

    def clean(self):
        """An add-on needs a set amount on its date (a keyed amount or none would stop licensing)."""
        from revenue.exceptions import RevenueError
        from revenue.services import fee_rate_on

        if not (self.included and self.fee_type_id and self.effective_from):
            return
        try:
            rate = fee_rate_on(fee_type=self.fee_type, on=self.effective_from)
        except RevenueError as exc:
            raise ValidationError({"fee_type": str(exc)}) from exc
        if rate.amount is None:
            raise ValidationError(
                {"fee_type": f"{self.fee_type.name} is keyed at the counter; an add-on needs a set amount."}
            )

    def config_used(self, until):
        return used_sentence(
            [(licenses_assessed(self.effective_from, until, tax_year=self.tax_year), "license")]
        )


class Business(models.Model):
    class Ownership(models.TextChoices):
        SOLE = "sole", "Sole proprietor"
        PARTNERSHIP = "partnership", "Partnership"
        CORPORATION = "corporation", "Corporation"
        LLC = "llc", "Limited liability company"
        NONPROFIT = "nonprofit", "Nonprofit"

    party = models.ForeignKey(Party, on_delete=models.PROTECT, related_name="businesses")
    dba = models.CharField("DBA name", max_length=200, blank=True)
    location_address = models.CharField(max_length=200)
    location_city = models.CharField(max_length=100)
    home_based = models.BooleanField(default=False)
    ownership = models.CharField(max_length=12, choices=Ownership.choices)
    owner_name = models.CharField(max_length=200)
    owner_phone = models.CharField(max_length=30, blank=True)
    owner_email = models.EmailField(blank=True)
    started_on = models.DateField(help_text="Start date in the city.")
    employees = models.PositiveIntegerField()
    classification = models.ForeignKey(Classification, on_delete=models.PROTECT, related_name="businesses")
    gross_receipts = money_field(help_text="Prior calendar year, or an estimate for a new business.")
    receipts_estimated = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["party__name", "pk"]
        verbose_name_plural = "businesses"
        constraints = [
            models.CheckConstraint(condition=Q(gross_receipts__gte=0), name="receipts_not_negative")
        ]

    def __str__(self):
        return self.dba or self.party.name

    @property
    def location(self) -> str:
        return f"{self.location_address}, {self.location_city}"


class License(models.Model):
    class Status(models.TextChoices):
        RENEWAL = "renewal", "Renewal due"
        SUBMITTED = "submitted", "Submitted"
        IN_REVIEW = "in_review", "In review"
        APPROVED = "approved", "Approved"
        ASSESSED = "assessed", "Assessed, awaiting payment"
        ACTIVE = "active", "Active"
        DENIED = "denied", "Denied"
        EXPIRED = "expired", "Expired"
        SUSPENDED = "suspended", "Suspended"
        REVOKED = "revoked", "Revoked"
        CLOSED = "closed", "Closed"

    # the badge colours of the license page: green when active, red when denied, grey otherwise
    STATUS_BADGES = {
        "renewal": "secondary",
        "submitted": "secondary",
        "in_review": "secondary",
        "approved": "secondary",
        "revoked": "secondary",
    }

    LIVE = [
        Status.RENEWAL,
        Status.SUBMITTED,
        Status.IN_REVIEW,
        Status.APPROVED,
        Status.ASSESSED,
        Status.ACTIVE,
        Status.SUSPENDED,
    ]

    number = models.CharField(max_length=20, unique=True)
    business = models.ForeignKey(Business, on_delete=models.PROTECT, related_name="licenses")
    tax_year = models.PositiveIntegerField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.SUBMITTED)
    valid_from = models.DateField()
    valid_to = models.DateField()
    computation = models.JSONField(default=list, blank=True, help_text="The tax worked out, line by line.")
    denial_reason = models.TextField(blank=True)
    issued_at = models.DateTimeField(null=True, blank=True)
    replaces = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="replaced_by",
        help_text="A license closed when this one is issued (a change of location or ownership).",
    )
    status_reason = models.TextField(blank=True, help_text="Why it was suspended, revoked or closed.")
    renewal_of = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="renewed_by"
    )
    prints = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-tax_year", "number"]
        permissions = [
            ("review_license", "Can sign off a license review item"),
            ("decide_license", "Can approve or deny a license application"),
            ("set_license_tax", "Can set classifications, tax rules and add-ons"),
            ("print_certificate", "Can print and reprint license certificates (counted and audited)"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["business", "tax_year"],
                condition=Q(
                    status__in=[
                        "renewal",
                        "submitted",
                        "in_review",
                        "approved",
                        "assessed",
                        "active",
                        "suspended",
                    ]
                ),
                name="one_live_license_per_business_year",
            ),
            models.CheckConstraint(condition=Q(valid_to__gte=F("valid_from")), name="license_period_valid"),
        ]

    def __str__(self):
        return f"License {self.number}"

    def get_absolute_url(self):
        return reverse("licensing:license_detail", args=[self.number])

    def charges(self):
        from django.contrib.contenttypes.models import ContentType

        return Charge.objects.filter(source_type=ContentType.objects.get_for_model(self), source_id=self.pk)


class SignOff(models.Model):
    license = models.ForeignKey(License, on_delete=models.CASCADE, related_name="signoffs")
    item = models.CharField(max_length=60)
    signed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    signed_at = models.DateTimeField(auto_now_add=True)
    note = models.CharField(max_length=250, blank=True)

    class Meta:
        ordering = ["signed_at"]
        constraints = [models.UniqueConstraint(fields=["license", "item"], name="one_signoff_per_item")]

    def __str__(self):
        return f"{self.item} by {self.signed_by}"


class RenewalRun(models.Model):
    """One run of the renewals for a tax year. Running again creates only what is missing."""

    tax_year = models.PositiveIntegerField()
    started_at = models.DateTimeField(auto_now_add=True)
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    finished_at = models.DateTimeField(null=True, blank=True)
    candidates = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-started_at"]

    def __str__(self):
        return f"Renewal run {self.tax_year} ({self.created} created)"
