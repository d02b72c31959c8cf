"""Premises (service addresses) and the service accounts of the customers at them."""

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex, OpClass
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Upper
from django.urls import reverse


class Premise(models.Model):
    """A service address: where the meters are and the services are delivered."""

    number = models.CharField(max_length=12, unique=True, editable=False, help_text="e.g. P000123")
    address_line1 = models.CharField("service address", max_length=200)
    address_line2 = models.CharField("unit", max_length=60, blank=True)
    city = models.CharField(max_length=100, blank=True)
    state = models.CharField(max_length=2, blank=True, default="CA")
    postal_code = models.CharField(max_length=10, blank=True)
    parcel_number = models.CharField("parcel number (APN)", max_length=20, blank=True, db_index=True)
    route = models.CharField(max_length=10, help_text="The meter-reading route.")
    route_sequence = models.PositiveIntegerField(default=0, help_text="Order along the route.")
    cycle = models.ForeignKey(
        "utility_billing.BillingCycle", on_delete=models.PROTECT, related_name="premises"
    )
    rate_class = models.ForeignKey(
        "utility_billing.RateClass", on_delete=models.PROTECT, related_name="premises"
    )
    dwelling_units = models.PositiveSmallIntegerField(default=1)
    notes = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["route", "route_sequence", "pk"]
        indexes = [
            GinIndex(OpClass(Upper("address_line1"), name="gin_trgm_ops"), name="premise_address_trgm"),
            models.Index(fields=["cycle", "route", "route_sequence"], name="premise_route_order"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(dwelling_units__gte=1), name="premise_units_positive"),
        ]

    def __str__(self):
        unit = f" {self.address_line2}" if self.address_line2 else ""
        return f"{self.address_line1}{unit}"

    def get_absolute_url(self):
        return reverse("utility_billing:premise", args=[self.number])


class ServiceAccount(models.Model):
    """A customer (a core party, owner or tenant) at a premise from move-in to move-out."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending start"
        ACTIVE = "active", "Active"
        FINAL = "final", "Stopped, final bill due"
        CLOSED = "closed", "Closed"

    number = models.CharField(max_length=12, unique=True, editable=False, help_text="e.g. U000123")
    party = models.ForeignKey("revenue.Party", on_delete=models.PROTECT, related_name="utility_accounts")
    premise = models.ForeignKey(Premise, on_delete=models.PROTECT, related_name="accounts")
    is_owner = models.BooleanField(default=False, help_text="The customer owns the premise (not a tenant).")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    move_in = models.DateField()
    move_out = models.DateField(null=True, blank=True)
    # the mailing address, when the bill goes elsewhere than the service address
    mail_name = models.CharField(max_length=200, blank=True)
    mail_line1 = models.CharField("mailing address", max_length=200, blank=True)
    mail_line2 = models.CharField("mailing address line 2", max_length=200, blank=True)
    mail_city = models.CharField(max_length=100, blank=True)
    mail_state = models.CharField(max_length=2, blank=True)
    mail_postal_code = models.CharField(max_length=10, blank=True)
    bill_by_email = models.BooleanField(default=False)
    landlord = models.ForeignKey(
        "revenue.Party",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="tenant_utility_accounts",
    )
    notify_landlord = models.BooleanField(
        default=False, help_text="Send the landlord a copy of delinquency notices."
    )
    medical_certificate_until = models.DateField(
        null=True,
        blank=True,
        help_text="A medical certification on file protects from shut-off until this date.",
    )
    income_qualified = models.BooleanField(default=False)
    transferred_from = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        help_text="The customer's account at the premise before (a transfer): its balance is carried here.",
    )  # fmt: skip
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["number"]
        constraints = [
            models.CheckConstraint(
                condition=Q(move_out__isnull=True) | Q(move_out__gte=F("move_in")),
                name="account_moves_in_order",
            ),
            # one customer at a time at a premise: an account not yet moved out is the premise's
            models.UniqueConstraint(
                fields=["premise"],
                condition=Q(move_out__isnull=True) & ~Q(status="closed"),
                name="one_open_account_per_premise",
            ),
        ]

    def __str__(self):
        return f"{self.number} {self.premise}"

    def get_absolute_url(self):
        return reverse("utility_billing:account", args=[self.number])


class AccountService(models.Model):
    """A service an account takes, from a date (refuse with its container and pickups)."""

    account = models.ForeignKey(ServiceAccount, on_delete=models.CASCADE, related_name="services")
    service = models.ForeignKey("utility_billing.Service", on_delete=models.PROTECT, related_name="+")
    starts_on = models.DateField()
    ends_on = models.DateField(null=True, blank=True)
    container_gallons = models.PositiveSmallIntegerField(null=True, blank=True, help_text="Refuse cart size.")
    pickups_per_week = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["account", "service__sort_order"]
        constraints = [
            models.UniqueConstraint(
                fields=["account", "service"],
                condition=Q(ends_on__isnull=True),
                name="one_open_service_per_account",
            ),
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=F("starts_on")),
                name="account_service_dates",
            ),
        ]

    def __str__(self):
        return f"{self.service} for {self.account.number}"
