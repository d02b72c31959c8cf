"""Citations from the handhelds' import to payment, contest, delinquency, DMV hold and plan;
their fine schedule and import batches."""

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Collate
from django.urls import reverse

from revenue.models import Charge, EffectiveDated, Party, during, money_field, one_in_force, used_sentence

from .policy import ZERO

# --------------------------------------------------------------------------- citations


# Violation codes sort by their number ("3" before "28", "22500(a)" before "22500(b)"): an ICU
# collation with numeric ordering, created by migration 0006.
NATURAL = "natural_sort"


def by_code(field: str = "code"):
    """The ORDER BY of violation codes by their number."""
    return Collate(F(field), NATURAL).asc()


class Violation(models.Model):
    code = models.CharField(max_length=20, unique=True, help_text="As on the citation, e.g. 22500(a).")
    description = models.CharField(max_length=150)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = [by_code()]

    def __str__(self):
        return f"{self.code} {self.description}"

    def get_absolute_url(self):
        return reverse("parking:violation_detail", args=[self.pk])


class ViolationFine(EffectiveDated):
    """A violation's fine and late penalty for citations issued on or after a date."""

    config_scope = ("violation",)

    violation = models.ForeignKey(Violation, on_delete=models.PROTECT, related_name="fines")
    effective_from = models.DateField()
    fine = money_field()
    late_penalty = money_field()
    fine_min = money_field(null=True, blank=True, help_text="The officer may write a fine from this …")
    fine_max = money_field(null=True, blank=True, help_text="… to this (both blank: the fine as scheduled).")
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["violation", "-effective_from"]
        constraints = [
            one_in_force("violation", name="one_fine_per_violation_and_day"),
            models.CheckConstraint(condition=Q(fine__gt=0, late_penalty__gte=0), name="violation_fine_sane"),
            models.CheckConstraint(
                condition=Q(fine_min__isnull=True, fine_max__isnull=True)
                | Q(fine_min__gt=0, fine_min__lte=F("fine"), fine_max__gte=F("fine")),
                name="violation_fine_range_sane",
            ),
        ]

    def __str__(self):
        return f"{self.violation.code} from {self.effective_from}: {self.fine}"

    def config_used(self, until):
        citations = Citation.objects.filter(
            during("issued_on", self.effective_from, until), violation=self.violation_id
        )
        return used_sentence([(citations.count(), "citation")])

    @property
    def overridable(self) -> bool:
        return self.fine_min is not None


class PenaltyTier(models.Model):
    """A further late penalty of a fine row: `amount` more once a citation is unpaid more than
    `after_days` days after issue (the first penalty is the fine row's own `late_penalty`, after
    the policy's `penalty_after_days`). Amounts add up: +16 after 21 days and +32 after 60 days
    owe 48 from day 61."""

    fine = models.ForeignKey(ViolationFine, on_delete=models.PROTECT, related_name="tiers")
    after_days = models.PositiveIntegerField(
        help_text="Added when unpaid more than this many days after issue."
    )
    amount = money_field(help_text="Added to what is owed (not a new total).")

    class Meta:
        ordering = ["fine", "after_days"]
        constraints = [
            models.UniqueConstraint(fields=["fine", "after_days"], name="one_tier_per_fine_and_day"),
            models.CheckConstraint(condition=Q(amount__gt=0, after_days__gte=1), name="penalty_tier_sane"),
        ]

    def __str__(self):
        return f"+{self.amount} after {self.after_days} days"


class ImportBatch(models.Model):
    """One handheld export file. Its SHA-256 is unique: the same file is never imported twice."""

    class Status(models.TextChoices):
        RUNNING = "running", "Running"
        FINISHED = "finished", "Finished"
        FAILED = "failed", "Failed"

    file_name = models.CharField(max_length=200)
    sha256 = models.CharField(max_length=64, unique=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.RUNNING)
    rows_total = models.PositiveIntegerField(default=0)
    rows_read = models.PositiveIntegerField(default=0)
    rows_imported = models.PositiveIntegerField(default=0)
    rows_rejected = models.PositiveIntegerField(default=0)
    amount = money_field(default=ZERO)
    message = models.CharField(max_length=300, blank=True)
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    profile = models.ForeignKey(
        "revenue.ImportProfile",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The source's import profile; none for the built-in nine-column layout.",
    )
    header = models.TextField(blank=True, help_text="The file's header row as it was, for the rejects file.")

    class Meta:
        ordering = ["-started_at"]
        verbose_name_plural = "import batches"

    def __str__(self):
        return f"Import {self.pk} {self.file_name}"

    def get_absolute_url(self):
        return reverse("parking:import_detail", args=[self.pk])

    @property
    def status_words(self) -> str:
        """The status as the import pages word it: 'running… 1200 of 5000', 'failed', 'finished'."""
        if self.status == self.Status.RUNNING:
            return f"running… {self.rows_read} of {self.rows_total}"
        return self.status


class ImportReject(models.Model):
    batch = models.ForeignKey(ImportBatch, on_delete=models.CASCADE, related_name="rejects")
    line = models.PositiveIntegerField()
    citation_number = models.CharField(max_length=40, blank=True)
    message = models.CharField(max_length=300)
    reasons = ArrayField(
        models.CharField(max_length=60),
        default=list,
        blank=True,
        help_text="What was wrong, for the summary.",
    )
    row = models.TextField(blank=True, help_text="The row as it was in the file (CSV), for the rejects file.")

    class Meta:
        ordering = ["batch", "line"]

    def __str__(self):
        return f"Line {self.line}: {self.message}"


class Citation(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", "Open"
        PAID = "paid", "Paid"
        DISMISSED = "dismissed", "Dismissed"
        IN_PLAN = "in_plan", "On a payment plan"

    number = models.CharField(max_length=20, unique=True)
    issued_at = models.DateTimeField()
    issued_on = models.DateField(help_text="The city's date of issue (from issued_at).")
    plate = models.CharField(max_length=8)
    state = models.CharField(max_length=2)
    make = models.CharField(max_length=20, blank=True)
    violation = models.ForeignKey(Violation, on_delete=models.PROTECT, related_name="citations")
    location = models.CharField(max_length=120)
    badge = models.CharField(max_length=10)
    fine = money_field()
    fine_written = models.BooleanField(
        default=False, db_default=False, help_text="The officer wrote the fine (within the code's range)."
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    status_on = models.DateField(
        null=True, blank=True, help_text="When it was paid, dismissed or put on a plan."
    )
    batch = models.ForeignKey(
        ImportBatch, null=True, blank=True, on_delete=models.PROTECT, related_name="citations"
    )
    owner_name = models.CharField(max_length=200, blank=True, help_text="Registered owner (from DMV).")
    owner_address = models.CharField(max_length=300, blank=True)
    penalty_on = models.DateField(null=True, blank=True, help_text="Late penalty added.")
    penalty_tiers = models.PositiveSmallIntegerField(
        default=0, db_default=0, help_text="Late penalties added so far (the first, then each tier)."
    )
    notice_on = models.DateField(null=True, blank=True, help_text="Delinquent notice mailed.")
    notice_run = models.ForeignKey(
        "NoticeRun", null=True, blank=True, on_delete=models.PROTECT, related_name="citations"
    )
    hold_on = models.DateField(null=True, blank=True, help_text="DMV hold placed.")
    hold_released_on = models.DateField(null=True, blank=True)
    plan = models.ForeignKey(
        "PaymentPlan", null=True, blank=True, on_delete=models.PROTECT, related_name="citations"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", db_index=False
    )

    class Meta:
        ordering = ["-issued_at"]
        indexes = [
            models.Index(fields=["plate", "state"]),
            models.Index(fields=["issued_on"]),
            models.Index(fields=["status", "issued_on"]),
        ]
        constraints = [models.CheckConstraint(condition=Q(fine__gt=0), name="citation_fine_positive")]
        permissions = [
            ("import_citations", "Import handheld citation files"),
            ("enter_citation", "Enter a hand-written citation"),
            ("request_contest", "Record a review or hearing request"),
            ("decide_contest", "Decide reviews and hearings"),
            ("run_parking_notices", "Run delinquent notices and DMV hold files"),
            ("view_parking_reports", "See parking reports"),
        ]

    def __str__(self):
        return f"Citation {self.number}"

    def get_absolute_url(self):
        return reverse("parking:citation_detail", args=[self.number])

    def charges(self):
        return Charge.objects.filter(source_number=self.number).order_by("pk")


class Contest(models.Model):
    """An initial review or an administrative hearing of a citation."""

    class Level(models.TextChoices):
        REVIEW = "review", "Initial review"
        HEARING = "hearing", "Administrative hearing"

    class Decision(models.TextChoices):
        PENDING = "pending", "Pending"
        UPHELD = "upheld", "Upheld"
        DISMISSED = "dismissed", "Dismissed"
        REDUCED = "reduced", "Reduced"

    # the decision's badge (`{% status_badge contest field="decision" %}`)
    STATUS_BADGES = {"pending": "info", "upheld": "secondary", "dismissed": "success", "reduced": "primary"}

    citation = models.ForeignKey(Citation, on_delete=models.PROTECT, related_name="contests")
    level = models.CharField(max_length=8, choices=Level.choices)
    requested_on = models.DateField()
    statement = models.TextField(help_text="What the person says.")
    inability_to_pay = models.BooleanField(
        default=False, help_text="Hearing without deposit: inability to pay was granted."
    )
    inability_note = models.CharField(max_length=250, blank=True)
    decision = models.CharField(max_length=10, choices=Decision.choices, default=Decision.PENDING)
    decided_on = models.DateField(null=True, blank=True)
    decision_reason = models.TextField(blank=True)
    reduced_to = money_field(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["citation", "requested_on", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["citation", "level"], name="one_contest_per_level"),
            models.CheckConstraint(
                condition=Q(decision="pending") | Q(decided_on__isnull=False), name="decided_contest_dated"
            ),
        ]

    def __str__(self):
        return f"{self.get_level_display()} of {self.citation.number}"


class NoticeRun(models.Model):
    run_on = models.DateField()
    count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"Delinquent notices of {self.run_on}"


class HoldExport(models.Model):
    """A file sent to DMV: holds to place and holds to release."""

    run_on = models.DateField()
    placed = models.PositiveIntegerField(default=0)
    released = models.PositiveIntegerField(default=0)
    content = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"DMV hold file of {self.run_on}"


class PaymentPlan(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        COMPLETED = "completed", "Completed"
        DEFAULTED = "defaulted", "Defaulted"

    STATUS_BADGES = {"active": "primary", "completed": "success", "defaulted": "danger"}

    number = models.CharField(max_length=20, unique=True)
    party = models.ForeignKey(Party, on_delete=models.PROTECT, related_name="parking_plans")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    qualification = models.CharField(max_length=250, help_text="Why the person qualifies as indigent.")
    principal = money_field(help_text="Fines owed, late penalties waived.")
    fee = money_field()
    installment = money_field()
    months = models.PositiveIntegerField()
    first_due_on = models.DateField()
    status_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-created_at"]
        permissions = [("arrange_plan", "Set up a payment plan")]

    def __str__(self):
        return f"Payment plan {self.number}"

    def get_absolute_url(self):
        return reverse("parking:plan_detail", args=[self.number])

    def installments(self):
        return Charge.objects.filter(source_number__startswith=f"{self.number}-").order_by(
            "source_number", "pk"
        )


class CitationRefund(models.Model):
    """Money paid on a citation that a dismissal or reduction made no longer owed, moved to the
    payer's credit on account: one row per payment it came out of, so a payment reversed later
    (a returned check) takes back exactly its part."""

    citation = models.ForeignKey(Citation, on_delete=models.PROTECT, related_name="refunds")
    payment = models.ForeignKey("revenue.Payment", on_delete=models.PROTECT, related_name="+")
    party = models.ForeignKey(Party, on_delete=models.PROTECT, related_name="+")
    amount = money_field()
    entry = models.ForeignKey("revenue.JournalEntry", on_delete=models.PROTECT, related_name="+")
    taken_back = models.ForeignKey(
        "revenue.JournalEntry",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The entry that took it back when the payment was reversed.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["citation", "pk"]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="citation_refund_positive")]

    def __str__(self):
        return f"Refund due {self.amount} on {self.citation.number}"
