"""Bill runs, bills and their lines. A bill's lines become charges when the run is posted."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse

from revenue.models import money_field


class BillRun(models.Model):
    class Status(models.TextChoices):
        CALCULATING = "calculating", "Calculating"
        CALCULATED = "calculated", "Calculated (proof)"
        APPROVED = "approved", "Approved"
        POSTED = "posted", "Posted"
        RELEASED = "released", "Bills released"
        TAKEN_BACK = "taken_back", "Taken back"

    number = models.CharField(max_length=16, unique=True, editable=False, help_text="e.g. BR2027-000012")
    cycle = models.ForeignKey("utility_billing.BillingCycle", on_delete=models.PROTECT, related_name="runs")
    period_start = models.DateField()
    period_end = models.DateField()
    bill_date = models.DateField()
    due_on = models.DateField()
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.CALCULATING)
    bill_count = models.PositiveIntegerField(default=0)
    total = money_field(default=0)
    exception_count = models.PositiveIntegerField(default=0)
    job = models.ForeignKey("revenue.Job", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    approved_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    posted_at = models.DateTimeField(null=True, blank=True)
    released_at = models.DateTimeField(null=True, blank=True)
    # added by the bill runs (ub-bills): how far a phase got, who posted, why it was taken back
    candidates = models.PositiveIntegerField(default=0, help_text="Accounts to bill in the run.")
    done = models.PositiveIntegerField(default=0, help_text="How far the current phase has got.")
    posted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    taken_back_at = models.DateTimeField(null=True, blank=True)
    taken_back_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    take_back_reason = models.CharField(max_length=250, blank=True)

    class Meta:
        ordering = ["-period_end", "-pk"]
        permissions = [
            ("approve_billrun", "Approve, post, release or take back a bill run"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(period_end__gte=F("period_start")), name="run_period_in_order"
            ),
            models.UniqueConstraint(
                fields=["cycle", "period_start"],
                condition=~Q(status="taken_back"),
                name="one_live_run_per_period",
            ),
            # segregation of duties: nobody approves a run they started (the service says so first)
            models.CheckConstraint(
                condition=Q(approved_by__isnull=True) | ~Q(approved_by=F("created_by")),
                name="run_approved_by_another",
            ),
        ]

    def __str__(self):
        return f"{self.number} {self.cycle} {self.period_start}–{self.period_end}"

    def get_absolute_url(self):
        return reverse("utility_billing:run", args=[self.number])


class Bill(models.Model):
    class Kind(models.TextChoices):
        REGULAR = "regular", "Regular"
        FINAL = "final", "Final"
        CORRECTED = "corrected", "Corrected"

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft (in a run not posted)"
        POSTED = "posted", "Posted"
        TAKEN_BACK = "taken_back", "Taken back"

    number = models.CharField(max_length=16, unique=True, editable=False, help_text="e.g. B2027-000123")
    run = models.ForeignKey(BillRun, null=True, blank=True, on_delete=models.PROTECT, related_name="bills")
    account = models.ForeignKey(
        "utility_billing.ServiceAccount", on_delete=models.PROTECT, related_name="bills"
    )
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.REGULAR)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    period_start = models.DateField()
    period_end = models.DateField()
    bill_date = models.DateField()
    due_on = models.DateField()
    usage = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    estimated = models.BooleanField(default=False)
    previous_balance = money_field(default=0)
    payments_since = money_field(default=0)
    current_charges = money_field(default=0)
    exceptions = models.JSONField(
        default=list, blank=True, help_text="Proof register flags: no read, estimate, …"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # added by the bill runs (ub-bills): where the bill was e-mailed, once
    emailed_at = models.DateTimeField(null=True, blank=True)
    emailed_to = models.CharField(max_length=254, blank=True)

    class Meta:
        ordering = ["-bill_date", "number"]
        constraints = [
            models.CheckConstraint(
                condition=Q(period_end__gte=F("period_start")), name="bill_period_in_order"
            ),
            # running a period again bills nothing twice
            models.UniqueConstraint(
                fields=["account", "period_start"],
                condition=Q(kind="regular") & ~Q(status="taken_back"),
                name="one_live_bill_per_period",
            ),
        ]

    def __str__(self):
        return self.number

    def get_absolute_url(self):
        return reverse("utility_billing:bill", args=[self.number])

    @property
    def amount_due(self):
        return self.previous_balance - self.payments_since + self.current_charges


class BillLine(models.Model):
    """One line of the calculation, as printed: a fixed charge, a block of usage, a surcharge."""

    bill = models.ForeignKey(Bill, on_delete=models.CASCADE, related_name="lines")
    service = models.ForeignKey("utility_billing.Service", on_delete=models.PROTECT, related_name="+")
    schedule = models.ForeignKey(
        "utility_billing.RateSchedule", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    description = models.CharField(max_length=200)
    quantity = models.DecimalField(max_digits=14, decimal_places=4, default=0)
    rate = models.DecimalField(max_digits=12, decimal_places=4, default=0)
    amount = money_field()
    sort_order = models.PositiveSmallIntegerField(default=0)
    charge = models.ForeignKey(
        "revenue.Charge", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["bill", "sort_order", "pk"]

    def __str__(self):
        return f"{self.description}: {self.amount}"
