"""Permits handed out from a counted stock of serial-numbered tags."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse

from revenue.dates import city_today
from revenue.models import EffectiveDated, Party, during, money_field, one_in_force, used_sentence

# --------------------------------------------------------------------------- permits


class PermitZone(models.Model):
    code = models.CharField(max_length=10, unique=True)
    name = models.CharField(max_length=100)

    class Meta:
        ordering = ["code"]

    def __str__(self):
        return f"Zone {self.code} {self.name}"


class ZoneStreet(models.Model):
    """A block range of a street inside a zone: '100-499 ELM ST'."""

    zone = models.ForeignKey(PermitZone, on_delete=models.CASCADE, related_name="streets")
    street = models.CharField(max_length=100, help_text="Street name as written on addresses, e.g. ELM ST.")
    low = models.PositiveIntegerField()
    high = models.PositiveIntegerField()

    class Meta:
        ordering = ["street", "low"]
        constraints = [models.CheckConstraint(condition=Q(high__gte=F("low")), name="zone_street_range")]

    def __str__(self):
        return f"{self.low}-{self.high} {self.street}"


class PermitType(models.Model):
    code = models.CharField(max_length=12, unique=True)
    name = models.CharField(max_length=100)
    serial_prefix = models.CharField(max_length=4, unique=True, help_text="Printed before the tag's number.")
    requires_zone = models.BooleanField(default=True, help_text="The address must be inside a permit zone.")
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class PermitTerms(EffectiveDated):
    """A permit type's fee, replacement fee, validity and limit per address, from a date."""

    config_scope = ("permit_type",)

    permit_type = models.ForeignKey(PermitType, on_delete=models.PROTECT, related_name="terms")
    effective_from = models.DateField()
    fee = money_field()
    replacement_fee = money_field()
    validity_months = models.PositiveIntegerField(help_text="1 for monthly, 6 for six months, 12 for a year.")
    max_per_address = models.PositiveIntegerField(help_text="Permits of this type in force at one address.")
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["permit_type", "-effective_from"]
        verbose_name_plural = "permit terms"
        constraints = [
            one_in_force("permit_type", name="one_terms_per_type_and_day"),
            models.CheckConstraint(
                condition=Q(
                    fee__gte=0, replacement_fee__gte=0, validity_months__gte=1, max_per_address__gte=1
                ),
                name="permit_terms_sane",
            ),
        ]

    def __str__(self):
        return f"{self.permit_type} from {self.effective_from}"

    def config_used(self, until):
        permits = Permit.objects.filter(
            during("created_at__date", self.effective_from, until), permit_type=self.permit_type_id
        )
        return used_sentence([(permits.count(), "permit")])


class StockReceipt(models.Model):
    """Tags received into stock: a range of serial numbers of one permit type."""

    permit_type = models.ForeignKey(PermitType, on_delete=models.PROTECT, related_name="receipts")
    first = models.PositiveIntegerField()
    last = models.PositiveIntegerField()
    received_on = models.DateField()
    note = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-received_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(last__gte=F("first")) & Q(first__gte=1), name="stock_range_sane"
            )
        ]

    def __str__(self):
        return f"{self.permit_type} {self.first}-{self.last}"

    @property
    def count(self) -> int:
        return self.last - self.first + 1


class PermitSerial(models.Model):
    """One physical tag or decal. Its status is where it is now; every change is audited."""

    class Status(models.TextChoices):
        IN_STOCK = "in_stock", "In stock"
        ISSUED = "issued", "Issued"
        RETURNED = "returned", "Returned"
        VOID = "void", "Void"
        LOST = "lost", "Lost"
        STOLEN = "stolen", "Stolen"

    permit_type = models.ForeignKey(PermitType, on_delete=models.PROTECT, related_name="serials")
    number = models.PositiveIntegerField()
    receipt = models.ForeignKey(StockReceipt, on_delete=models.PROTECT, related_name="serials")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.IN_STOCK)
    status_on = models.DateField()
    status_reason = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["permit_type", "number"]
        constraints = [
            models.UniqueConstraint(fields=["permit_type", "number"], name="one_tag_per_serial"),
        ]
        indexes = [models.Index(fields=["permit_type", "status", "number"])]
        permissions = [("manage_stock", "Receive tags into stock; void or write off tags")]

    def __str__(self):
        return f"{self.permit_type.serial_prefix}{self.number:06d}"

    @property
    def label(self) -> str:
        return str(self)


class Permit(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "Awaiting payment"
        ISSUED = "issued", "Issued"
        REPLACED = "replaced", "Replaced"
        CANCELLED = "cancelled", "Cancelled"

    class Kind(models.TextChoices):
        NEW = "new", "New"
        RENEWAL = "renewal", "Renewal"
        REPLACEMENT = "replacement", "Replacement"

    number = models.CharField(max_length=20, unique=True)
    permit_type = models.ForeignKey(PermitType, on_delete=models.PROTECT, related_name="permits")
    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.NEW)
    party = models.ForeignKey(Party, on_delete=models.PROTECT, related_name="parking_permits")
    address = models.CharField(max_length=200, help_text="Normalized: '123 ELM ST'.")
    unit = models.CharField(max_length=20, blank=True)
    zone = models.ForeignKey(
        PermitZone, null=True, blank=True, on_delete=models.PROTECT, related_name="permits"
    )
    plate = models.CharField(max_length=8)
    plate_state = models.CharField(max_length=2)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    valid_from = models.DateField()
    valid_to = models.DateField()
    fee = money_field()
    serial = models.OneToOneField(
        PermitSerial, null=True, blank=True, on_delete=models.PROTECT, related_name="permit"
    )
    renewal_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="renewals"
    )
    replaces = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="replaced_by"
    )
    issued_at = models.DateTimeField(null=True, blank=True)
    status_reason = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(valid_to__gte=F("valid_from")), name="permit_period_sane"),
            models.CheckConstraint(
                condition=~Q(status="issued") | Q(serial__isnull=False, issued_at__isnull=False),
                name="issued_permit_has_tag",
            ),
        ]
        indexes = [
            models.Index(fields=["address", "permit_type", "status"]),
            models.Index(fields=["plate", "plate_state"]),
        ]
        permissions = [("issue_permit", "Issue, renew and replace permits")]

    def __str__(self):
        return f"{self.number} {self.permit_type}"

    def get_absolute_url(self):
        return reverse("parking:permit_detail", args=[self.number])

    @property
    def badge_status(self) -> str:
        """The status its badge is coloured by: an issued permit expired or not yet begun is not
        in force, so it is not shown as issued."""
        if self.status == self.Status.ISSUED and not (self.valid_from <= city_today() <= self.valid_to):
            return "not_in_force"
        return self.status
