"""Receiving: what a department accepted (goods by quantity, services by amount), on what date
and by whom. A return is a receipt of the return kind whose lines are negative, so what was
received on a line is always the plain sum of its receipt lines."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse

from revenue.models import money_field

from .purchasing import quantity_field


class Receipt(models.Model):
    class Kind(models.TextChoices):
        RECEIPT = "receipt", "Received"
        RETURN = "return", "Returned to the vendor"

    number = models.CharField(max_length=16, unique=True, editable=False, help_text="e.g. RC2027-000012")
    order = models.ForeignKey("payables.PurchaseOrder", on_delete=models.PROTECT, related_name="receipts")
    kind = models.CharField(max_length=8, choices=Kind.choices, default=Kind.RECEIPT)
    received_on = models.DateField()
    received_by = models.CharField(max_length=120, help_text="Who accepted the goods or the work.")
    packing_slip = models.CharField(max_length=40, blank=True)
    note = models.CharField(max_length=250, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-received_on", "-pk"]

    def __str__(self):
        return self.number

    def get_absolute_url(self):
        return reverse("payables:po", args=[self.order.number])


class ReceiptLine(models.Model):
    """Quantity and amount accepted on an order line: positive on a receipt, negative on a return
    (the service keeps the sign with the receipt's kind)."""

    receipt = models.ForeignKey(Receipt, on_delete=models.CASCADE, related_name="lines")
    po_line = models.ForeignKey(
        "payables.PurchaseOrderLine", on_delete=models.PROTECT, related_name="receipt_lines"
    )
    quantity = quantity_field(default=0)
    amount = money_field(
        default=0, help_text="Value accepted: quantity × the order's price, or the amount for a service."
    )

    class Meta:
        ordering = ["receipt", "po_line__line_no"]
        constraints = [
            models.UniqueConstraint(fields=["receipt", "po_line"], name="pay_one_receipt_line_per_po_line"),
            models.CheckConstraint(
                condition=Q(quantity__gt=0, amount__gte=0)
                | Q(quantity__lt=0, amount__lte=0)
                | (Q(quantity=0) & ~Q(amount=0)),
                name="pay_receipt_line_signs_agree",
            ),
        ]

    def __str__(self):
        return f"{self.receipt.number}: {self.quantity} of {self.po_line}"
