"""Vendor statements, entered or imported, and their lines matched to our invoices and payments.
A line left unmatched or matched with another amount is a difference to follow up."""

from django.conf import settings
from django.db import models

from revenue.models import money_field


class VendorStatement(models.Model):
    class Source(models.TextChoices):
        ENTERED = "entered", "Entered by hand"
        IMPORTED = "imported", "Imported from a file"

    vendor = models.ForeignKey("payables.Vendor", on_delete=models.PROTECT, related_name="statements")
    statement_date = models.DateField()
    balance = money_field(help_text="The balance the vendor says we owe.")
    source = models.CharField(max_length=8, choices=Source.choices, default=Source.ENTERED)
    file_name = models.CharField(max_length=255, blank=True)
    reconciled_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-statement_date", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["vendor", "statement_date"], name="pay_one_statement_per_vendor_date"
            )
        ]

    def __str__(self):
        return f"{self.vendor} statement of {self.statement_date}"


class VendorStatementLine(models.Model):
    class Kind(models.TextChoices):
        INVOICE = "invoice", "Invoice"
        CREDIT = "credit", "Credit memo"
        PAYMENT = "payment", "Payment"

    class Result(models.TextChoices):
        UNMATCHED = "", "Not matched yet"
        MATCHED = "matched", "Matched"
        MISSING = "missing", "An invoice we don't have"
        UNAPPLIED = "unapplied", "A payment the vendor hasn't applied"
        DIFFERS = "differs", "The amounts differ"

    statement = models.ForeignKey(VendorStatement, on_delete=models.CASCADE, related_name="lines")
    kind = models.CharField(max_length=8, choices=Kind.choices, default=Kind.INVOICE)
    reference = models.CharField(max_length=40, help_text="The vendor's invoice or payment reference.")
    normalized_reference = models.CharField(max_length=40, editable=False, db_index=True)
    line_date = models.DateField()
    amount = money_field()
    invoice = models.ForeignKey(
        "payables.Invoice", null=True, blank=True, on_delete=models.PROTECT, related_name="statement_lines"
    )
    disbursement = models.ForeignKey(
        "payables.Disbursement",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="statement_lines",
    )
    result = models.CharField(max_length=10, choices=Result.choices, blank=True, default=Result.UNMATCHED)
    difference = money_field(default=0, help_text="Theirs less ours, when both are found.")

    class Meta:
        ordering = ["statement", "line_date", "pk"]

    def __str__(self):
        return f"{self.get_kind_display()} {self.reference}: {self.amount}"
