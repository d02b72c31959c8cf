"""Vendor invoices (and credit memos), their lines matched to order lines, the result of the
match line by line, and the discrepancy letters sent about them.

A vendor's invoice number is unique per vendor in every year and every status, compared on its
normalized form (upper case, letters and digits only): "inv-00123 " and "INV00123" are the same."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse

from revenue.models import money_field

from .purchasing import quantity_field, unit_price_field


class Invoice(models.Model):
    class Kind(models.TextChoices):
        INVOICE = "invoice", "Invoice"
        CREDIT_MEMO = "credit", "Credit memo"

    class Status(models.TextChoices):
        ENTERED = "entered", "Entered"
        MATCHED = "matched", "Matched"
        EXCEPTION = "exception", "Exception (failed the match)"
        HELD = "held", "Held pending evidence"
        DISPUTED = "disputed", "Disputed with the vendor"
        APPROVED = "approved", "Approved for payment"
        PAID = "paid", "Paid"
        VOID = "void", "Void"

    OPEN = (Status.ENTERED, Status.MATCHED, Status.EXCEPTION, Status.HELD, Status.DISPUTED)

    vendor = models.ForeignKey("payables.Vendor", on_delete=models.PROTECT, related_name="invoices")
    kind = models.CharField(max_length=8, choices=Kind.choices, default=Kind.INVOICE)
    number = models.CharField("vendor's invoice number", max_length=40)
    normalized_number = models.CharField(max_length=40, editable=False, db_index=True)
    order = models.ForeignKey(
        "payables.PurchaseOrder", null=True, blank=True, on_delete=models.PROTECT, related_name="invoices"
    )
    invoice_date = models.DateField()
    received_on = models.DateField()
    terms = models.ForeignKey("payables.PaymentTerms", on_delete=models.PROTECT, related_name="+")
    discount_on = models.DateField(null=True, blank=True, help_text="Last day the discount may be taken.")
    discount_available = money_field(default=0)
    due_on = models.DateField()
    subtotal = money_field(default=0, help_text="Sum of the lines.")
    freight = money_field(default=0)
    tax = money_field(default=0)
    total = money_field(help_text="As billed by the vendor.")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ENTERED)
    match = models.CharField(
        max_length=10, choices=[("two_way", "Two-way"), ("three_way", "Three-way"), ("none", "No order")],
        default="three_way",
    )  # fmt: skip
    duplicate_warning = models.CharField(
        max_length=250, blank=True, help_text="The same vendor, amount and date under another number."
    )
    budget_warning = models.CharField(max_length=500, blank=True)
    w9_warning = models.CharField(max_length=250, blank=True)
    hold_reason = models.CharField(max_length=250, blank=True)
    follow_up_on = models.DateField(null=True, blank=True)
    held_at = models.DateTimeField(null=True, blank=True)
    held_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    corrects = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="corrections",
        help_text="The invoice in exception this credit memo or corrected invoice resolves.",
    )  # fmt: skip
    variance_reason = models.CharField(
        max_length=250, blank=True, help_text="Why a supervisor approved it with a variance."
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    journal_entry = models.ForeignKey(
        "revenue.JournalEntry", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    void_entry = models.ForeignKey(
        "revenue.JournalEntry", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    void_reason = models.CharField(max_length=250, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-received_on", "-pk"]
        permissions = [
            ("approve_invoice", "Can approve a matched invoice for payment"),
            ("approve_variance", "Can approve an invoice with a variance"),
        ]
        indexes = [
            models.Index(fields=["status", "due_on"], name="pay_invoice_status_due"),
            models.Index(fields=["vendor", "invoice_date", "total"], name="pay_invoice_vendor_date_amt"),
        ]
        constraints = [
            # a duplicate in any year, whatever its status
            models.UniqueConstraint(
                fields=["vendor", "normalized_number"], name="pay_one_invoice_number_per_vendor"
            ),
            models.CheckConstraint(condition=~Q(normalized_number=""), name="pay_invoice_number_not_blank"),
            models.CheckConstraint(
                condition=Q(freight__gte=0, tax__gte=0, total__gte=0, discount_available__gte=0),
                name="pay_invoice_amounts_not_negative",
            ),
            models.CheckConstraint(
                condition=~Q(status="held") | (~Q(hold_reason="") & Q(follow_up_on__isnull=False)),
                name="pay_invoice_held_has_reason_and_date",
            ),
            models.CheckConstraint(
                condition=Q(received_on__gte=F("invoice_date")), name="pay_invoice_received_after_dated"
            ),
            models.CheckConstraint(
                condition=Q(due_on__gte=F("invoice_date")), name="pay_invoice_due_after_dated"
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["approved", "paid"])
                | Q(approved_by__isnull=False, approved_at__isnull=False),
                name="pay_invoice_approval_recorded",
            ),
            models.CheckConstraint(
                condition=Q(approved_by__isnull=True) | ~Q(approved_by=F("created_by")),
                name="pay_invoice_not_approved_by_enterer",
            ),
        ]

    def __str__(self):
        return f"{self.vendor} {self.number}"

    def get_absolute_url(self):
        return reverse("payables:invoice", args=[self.pk])

    @property
    def sign(self) -> int:
        return -1 if self.kind == self.Kind.CREDIT_MEMO else 1


class InvoiceLine(models.Model):
    """A line billed, matched to an order line (or charged straight to an account, no order)."""

    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="lines")
    line_no = models.PositiveSmallIntegerField()
    po_line = models.ForeignKey(
        "payables.PurchaseOrderLine",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="invoice_lines",
    )
    description = models.CharField(max_length=250)
    quantity = quantity_field()
    unit_price = unit_price_field()
    amount = money_field(help_text="As billed on the line.")
    account = models.ForeignKey("revenue.Account", on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["invoice", "line_no"]
        constraints = [
            models.UniqueConstraint(fields=["invoice", "line_no"], name="pay_one_invoice_line_no"),
            models.CheckConstraint(
                condition=Q(quantity__gt=0, unit_price__gte=0, amount__gte=0),
                name="pay_invoice_line_positive",
            ),
        ]

    def __str__(self):
        return f"{self.invoice.number}/{self.line_no} {self.description}"


class MatchResult(models.Model):
    """The latest match of one invoice line (line None: the invoice-level checks, i.e. totals,
    terms, the discount) with each check that failed, named, with what was expected."""

    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="match_results")
    line = models.OneToOneField(
        InvoiceLine, null=True, blank=True, on_delete=models.CASCADE, related_name="match_result"
    )
    passed = models.BooleanField()
    failures = models.JSONField(
        default=list, blank=True,
        help_text='[{"check": "price", "message": "…", "expected": "12.00", "billed": "12.50"}, …]',
    )  # fmt: skip
    matched_at = models.DateTimeField(auto_now=True)
    matched_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["invoice", "line__line_no"]
        constraints = [
            models.UniqueConstraint(
                fields=["invoice", "line"], nulls_distinct=False, name="pay_one_match_result_per_line"
            ),
            models.CheckConstraint(
                condition=Q(passed=True, failures=[]) | Q(passed=False),
                name="pay_match_passed_has_no_failures",
            ),
        ]

    def __str__(self):
        return f"{self.invoice} line {self.line.line_no if self.line else '(invoice)'}: {'pass' if self.passed else 'fail'}"


class DiscrepancyLetter(models.Model):
    """A letter to the vendor about a disputed invoice, naming each problem (kept as sent)."""

    class Sent(models.TextChoices):
        PRINT = "print", "Printed and mailed"
        EMAIL = "email", "E-mailed"

    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="letters")
    number = models.CharField(max_length=16, unique=True, editable=False, help_text="e.g. DL2027-000012")
    problems = models.JSONField(default=list, help_text="The failing checks as the letter names them.")
    sent_by = models.CharField(max_length=5, choices=Sent.choices, default=Sent.PRINT)
    emailed_to = models.EmailField(blank=True)
    respond_by = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return self.number
