"""Requisitions (a department asks to buy) and purchase orders (the city commits to buy).

Quantities carry up to three decimals (2.5 hours, 1.125 tons) and are greater than zero; unit
prices carry whole cents (two decimals), so a price with a third decimal is refused as bad input
rather than rounded; a line's amount is quantity × unit price rounded half up to the cent."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse

from revenue.models import money_field


def quantity_field(**kwargs):
    return models.DecimalField(max_digits=12, decimal_places=3, **kwargs)


def unit_price_field(**kwargs):
    return models.DecimalField(max_digits=12, decimal_places=2, **kwargs)


class Requisition(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SUBMITTED = "submitted", "Waiting for approval"
        APPROVED = "approved", "Approved"
        DENIED = "denied", "Denied"
        ORDERED = "ordered", "Ordered (purchase order issued)"
        CANCELLED = "cancelled", "Cancelled"

    number = models.CharField(max_length=16, unique=True, editable=False, help_text="e.g. RQ2027-000012")
    department = models.ForeignKey(
        "payables.Department", on_delete=models.PROTECT, related_name="requisitions"
    )
    vendor = models.ForeignKey(
        "payables.Vendor", null=True, blank=True, on_delete=models.PROTECT, related_name="requisitions",
        help_text="The vendor suggested (the buyer may choose another on the order).",
    )  # fmt: skip
    needed_by = models.DateField(null=True, blank=True)
    justification = models.CharField(max_length=500, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    total = money_field(default=0)
    budget_warning = models.CharField(
        max_length=500, blank=True, help_text="What it would exceed, shown to the approver."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decision_note = models.CharField(max_length=250, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        permissions = [("approve_requisition", "Can approve requisitions (within the role's limit)")]
        constraints = [
            models.CheckConstraint(condition=Q(total__gte=0), name="pay_requisition_total_not_negative"),
            models.CheckConstraint(
                condition=Q(decided_by__isnull=True) | ~Q(decided_by=models.F("created_by")),
                name="pay_requisition_not_self_approved",
            ),
        ]

    def __str__(self):
        return self.number

    def get_absolute_url(self):
        return reverse("payables:requisition", args=[self.number])


class RequisitionLine(models.Model):
    requisition = models.ForeignKey(Requisition, on_delete=models.CASCADE, related_name="lines")
    line_no = models.PositiveSmallIntegerField()
    description = models.CharField(max_length=250)
    quantity = quantity_field()
    unit = models.CharField(max_length=12, default="each", help_text="each, hour, ton, month …")
    unit_price = unit_price_field()
    amount = money_field()
    account = models.ForeignKey("revenue.Account", on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["requisition", "line_no"]
        constraints = [
            models.UniqueConstraint(fields=["requisition", "line_no"], name="pay_one_req_line_no"),
            models.CheckConstraint(
                condition=Q(quantity__gt=0, unit_price__gte=0, amount__gte=0), name="pay_req_line_positive"
            ),
        ]

    def __str__(self):
        return f"{self.line_no}. {self.description}"


class PurchaseOrder(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", "Open"
        CLOSED = "closed", "Closed"
        CANCELLED = "cancelled", "Cancelled"

    class Match(models.TextChoices):
        TWO_WAY = "two_way", "Two-way"
        THREE_WAY = "three_way", "Three-way"

    number = models.CharField(max_length=16, unique=True, editable=False, help_text="e.g. PO2027-000012")
    vendor = models.ForeignKey("payables.Vendor", on_delete=models.PROTECT, related_name="purchase_orders")
    requisition = models.OneToOneField(
        Requisition, null=True, blank=True, on_delete=models.PROTECT, related_name="purchase_order"
    )
    department = models.ForeignKey(
        "payables.Department", on_delete=models.PROTECT, related_name="purchase_orders"
    )
    order_date = models.DateField()
    terms = models.ForeignKey("payables.PaymentTerms", on_delete=models.PROTECT, related_name="+")
    match = models.CharField(max_length=10, choices=Match.choices, default=Match.THREE_WAY)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    ship_to = models.CharField(max_length=250, blank=True)
    notes = models.TextField(blank=True)
    total = money_field(default=0)
    revision = models.PositiveSmallIntegerField(default=0, help_text="Changes since issue (each audited).")
    budget_warning = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    close_reason = models.CharField(max_length=250, blank=True)

    class Meta:
        ordering = ["-order_date", "-pk"]
        indexes = [models.Index(fields=["status", "order_date"], name="pay_po_status_date")]
        constraints = [
            models.CheckConstraint(condition=Q(total__gte=0), name="pay_po_total_not_negative"),
            models.CheckConstraint(
                condition=Q(status="open", closed_at__isnull=True)
                | (~Q(status="open") & Q(closed_at__isnull=False, closed_by__isnull=False)),
                name="pay_po_closed_recorded",
            ),
        ]

    def __str__(self):
        return self.number

    def get_absolute_url(self):
        return reverse("payables:po", args=[self.number])


class PurchaseOrderLine(models.Model):
    """A line of an order. A line received by amount (a service, a contract) is matched on the
    amount accepted rather than a quantity."""

    class ReceiveBy(models.TextChoices):
        QUANTITY = "quantity", "Quantity"
        AMOUNT = "amount", "Amount (services)"

    order = models.ForeignKey(PurchaseOrder, on_delete=models.CASCADE, related_name="lines")
    line_no = models.PositiveSmallIntegerField()
    description = models.CharField(max_length=250)
    quantity = quantity_field()
    unit = models.CharField(max_length=12, default="each")
    unit_price = unit_price_field()
    amount = money_field()
    account = models.ForeignKey("revenue.Account", on_delete=models.PROTECT, related_name="+")
    receive_by = models.CharField(max_length=8, choices=ReceiveBy.choices, default=ReceiveBy.QUANTITY)
    requisition_line = models.OneToOneField(
        RequisitionLine, null=True, blank=True, on_delete=models.PROTECT, related_name="po_line"
    )

    class Meta:
        ordering = ["order", "line_no"]
        constraints = [
            models.UniqueConstraint(fields=["order", "line_no"], name="pay_one_po_line_no"),
            models.CheckConstraint(
                condition=Q(quantity__gt=0, unit_price__gte=0, amount__gte=0), name="pay_po_line_positive"
            ),
        ]

    def __str__(self):
        return f"{self.order.number}/{self.line_no} {self.description}"
