"""Service orders: each a workflow requested → scheduled → assigned → completed or cancelled."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse


class ServiceOrder(models.Model):
    class Kind(models.TextChoices):
        START = "start", "Start service (move-in)"
        STOP = "stop", "Stop service (move-out)"
        TRANSFER = "transfer", "Transfer service"
        NEW_SERVICE = "new_service", "New water service"
        METER_INSTALL = "meter_install", "Meter installation"
        METER_CHANGE = "meter_change", "Meter change"
        SEWER_CONNECTION = "sewer_connection", "Sewer connection"
        METER_TEST = "meter_test", "Meter test"
        REREAD = "reread", "Re-read"
        HIGH_BILL = "high_bill", "High-bill complaint"
        DISCONNECT = "disconnect", "Disconnect for non-payment"
        RECONNECT = "reconnect", "Reconnect"
        BILLING_CHANGE = "billing_change", "Change in billing"

    class Status(models.TextChoices):
        REQUESTED = "requested", "Requested"
        SCHEDULED = "scheduled", "Scheduled"
        ASSIGNED = "assigned", "Assigned"
        COMPLETED = "completed", "Completed"
        CANCELLED = "cancelled", "Cancelled"

    OPEN = (Status.REQUESTED, Status.SCHEDULED, Status.ASSIGNED)

    number = models.CharField(max_length=16, unique=True, editable=False, help_text="e.g. SO2027-000123")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.REQUESTED)
    premise = models.ForeignKey("utility_billing.Premise", on_delete=models.PROTECT, related_name="orders")
    account = models.ForeignKey(
        "utility_billing.ServiceAccount",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="orders",
    )
    effective_on = models.DateField(help_text="The date the change takes effect (move-in, move-out, …).")
    scheduled_for = models.DateField(null=True, blank=True)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    after_hours = models.BooleanField(default=False)
    details = models.JSONField(
        default=dict, blank=True, help_text="What the kind of order needs (new name, …)."
    )
    reason = models.CharField(max_length=250, blank=True)
    # what the crew reports
    read_value = models.BigIntegerField(null=True, blank=True)
    meter = models.ForeignKey(
        "utility_billing.Meter", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        help_text="The meter the order is about (the new one, for an installation or change).",
    )  # fmt: skip
    old_meter_read = models.BigIntegerField(
        null=True, blank=True, help_text="Final read of the meter removed."
    )
    field_notes = models.TextField(blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    cancelled_reason = models.CharField(max_length=250, blank=True)
    fee_charges = models.ManyToManyField("revenue.Charge", blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    party = models.ForeignKey(
        "revenue.Party", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        help_text="Who asked for it and pays its fees (the account's customer when blank).",
    )  # fmt: skip

    class Meta:
        ordering = ["-created_at"]
        permissions = [("complete_serviceorder", "Can complete a service order (field crew)")]
        indexes = [models.Index(fields=["status", "scheduled_for"], name="order_status_date")]
        constraints = [
            models.CheckConstraint(
                condition=Q(read_value__isnull=True) | Q(read_value__gte=0), name="order_read_not_negative"
            ),
        ]

    def __str__(self):
        return f"{self.number} {self.get_kind_display()}"

    def get_absolute_url(self):
        return reverse("utility_billing:order", args=[self.number])

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN
