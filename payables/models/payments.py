"""Payment runs: approved invoices selected by due date (discounts first), approved by a
supervisor who neither entered nor approved any of them, paid by check or ACH.

The database holds the two promises the users of other systems found broken: an invoice has at
most one live payment line (a run paid twice pays nothing twice), and a line can only be added
for an invoice approved for payment, never a held one (a trigger, migration 0003)."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse

from revenue.models import money_field


class PaymentRun(models.Model):
    class Status(models.TextChoices):
        SELECTED = "selected", "Selected (waiting for approval)"
        APPROVED = "approved", "Approved"
        PAID = "paid", "Paid (checks and files produced, posted)"
        CANCELLED = "cancelled", "Cancelled"

    number = models.CharField(max_length=16, unique=True, editable=False, help_text="e.g. PR2027-000012")
    pay_date = models.DateField()
    due_by = models.DateField(help_text="Invoices due (or whose discount ends) by this date were selected.")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.SELECTED)
    invoice_count = models.PositiveIntegerField(default=0)
    gross_total = money_field(default=0)
    discount_total = money_field(default=0)
    net_total = money_field(default=0)
    job = models.ForeignKey("revenue.Job", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    journal_entry = models.ForeignKey(
        "revenue.JournalEntry", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    approved_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    paid_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-pay_date", "-pk"]
        permissions = [("approve_paymentrun", "Can approve a payment run (not one paying own invoices)")]
        constraints = [
            models.CheckConstraint(
                condition=Q(approved_by__isnull=True) | ~Q(approved_by=F("created_by")),
                name="pay_run_not_approved_by_selector",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["approved", "paid"])
                | Q(approved_by__isnull=False, approved_at__isnull=False),
                name="pay_run_approval_recorded",
            ),
            models.CheckConstraint(
                condition=Q(net_total=F("gross_total") - F("discount_total")), name="pay_run_totals_agree"
            ),
        ]

    def __str__(self):
        return self.number

    def get_absolute_url(self):
        return reverse("payables:run", args=[self.number])


class Disbursement(models.Model):
    """One check or ACH payment to a vendor in a run, paying one or more of its invoices."""

    class Method(models.TextChoices):
        CHECK = "check", "Check"
        ACH = "ach", "ACH"

    class Status(models.TextChoices):
        ISSUED = "issued", "Issued"
        CLEARED = "cleared", "Cleared by the bank"
        VOID = "void", "Void"

    run = models.ForeignKey(PaymentRun, on_delete=models.PROTECT, related_name="disbursements")
    vendor = models.ForeignKey("payables.Vendor", on_delete=models.PROTECT, related_name="disbursements")
    method = models.CharField(max_length=5, choices=Method.choices)
    number = models.CharField(
        max_length=16, unique=True, editable=False, help_text="Check number (gapless) or ACH trace reference."
    )
    issued_on = models.DateField()
    amount = money_field()
    pay_to = models.CharField(max_length=200, help_text="As printed or sent.")
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.ISSUED)
    journal_entry = models.ForeignKey(
        "revenue.JournalEntry", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    voided_at = models.DateTimeField(null=True, blank=True)
    voided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    void_reason = models.CharField(max_length=250, blank=True)
    void_entry = models.ForeignKey(
        "revenue.JournalEntry", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    cleared_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["run", "number"]
        indexes = [models.Index(fields=["status", "issued_on"], name="pay_disbursement_status_date")]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="pay_disbursement_positive"),
            models.CheckConstraint(
                condition=~Q(status="void")
                | (Q(voided_at__isnull=False, voided_by__isnull=False) & ~Q(void_reason="")),
                name="pay_disbursement_void_recorded",
            ),
        ]

    def __str__(self):
        return f"{self.get_method_display()} {self.number}"


class PaymentLine(models.Model):
    """An invoice selected in a run, with the discount taken; its disbursement once the run pays.
    A void check frees its lines (voided) and the invoice is open for another run."""

    run = models.ForeignKey(PaymentRun, on_delete=models.PROTECT, related_name="lines")
    invoice = models.ForeignKey("payables.Invoice", on_delete=models.PROTECT, related_name="payment_lines")
    disbursement = models.ForeignKey(
        Disbursement, null=True, blank=True, on_delete=models.PROTECT, related_name="lines"
    )
    gross = money_field()
    discount = money_field(default=0)
    net = money_field()
    voided = models.BooleanField(default=False)

    class Meta:
        ordering = ["run", "invoice__vendor", "invoice__due_on", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["invoice"], condition=Q(voided=False), name="pay_one_live_payment_per_invoice"
            ),
            models.CheckConstraint(
                condition=Q(discount__gte=0, discount__lte=F("gross")), name="pay_line_discount_sane"
            ),
            models.CheckConstraint(condition=Q(net=F("gross") - F("discount")), name="pay_line_net_agrees"),
        ]

    def __str__(self):
        return f"{self.run.number}: {self.invoice}"
