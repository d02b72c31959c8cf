"""Accounts receivable: invoices for miscellaneous billings (each line a core Charge with the
invoice number as its source number), credit memos, aging, dunning, follow-up and write-offs."""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.urls import reverse

from revenue.dates import city_today
from revenue.models import (
    Charge,
    EffectiveDated,
    FeeType,
    Party,
    during,
    money_field,
    one_in_force,
    used_sentence,
)

ZERO = Decimal("0.00")


class ReceivablesPolicy(EffectiveDated):
    """The receivables rules the city sets, in force from a date until the next policy."""

    effective_from = models.DateField()
    receivable_account = models.ForeignKey(
        "revenue.Account",
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Accounts receivable — general.",
    )
    default_terms_days = models.PositiveIntegerField(default=30, help_text="Net N days.")
    aging_edges = models.JSONField(
        default=list,
        help_text="Upper edges of the past-due buckets in days, e.g. [30, 60, 90] gives current, "
        "1-30, 31-60, 61-90 and over 90.",
    )
    collections_threshold = money_field(
        default=Decimal("100.00"), help_text="Referred to collections only when at least this much is owed."
    )
    collection_agency = models.CharField(
        max_length=200,
        blank=True,
        help_text="The agency accounts are referred to, as the referral letter names it.",
    )
    collection_agency_phone = models.CharField(max_length=40, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-effective_from"]
        verbose_name_plural = "receivables policies"
        constraints = [
            one_in_force(name="one_receivables_policy_per_date"),
            models.CheckConstraint(
                condition=Q(default_terms_days__gte=1, collections_threshold__gte=0),
                name="receivables_policy_sane",
            ),
        ]

    def __str__(self):
        return f"Receivables policy from {self.effective_from}"

    def clean(self):
        edges = self.aging_edges
        if not (
            isinstance(edges, list)
            and edges
            and all(isinstance(e, int) and not isinstance(e, bool) and e > 0 for e in edges)
            and edges == sorted(set(edges))
        ):
            raise ValidationError(
                {
                    "aging_edges": "Give the buckets' upper edges as rising whole days above zero, e.g. [30, 60, 90]."
                }
            )

    def config_used(self, until):
        start = self.effective_from
        return used_sentence(
            [
                (Invoice.objects.filter(during("invoice_date", start, until)).count(), "invoice"),
                (DunningRun.objects.filter(during("run_on", start, until)).count(), "past-due run"),
            ]
        )


class DunningLevel(EffectiveDated):
    """A step of past-due follow-up: a letter when an invoice is this many days past due, with an
    optional fee (from the core fee schedule, so its amount is effective-dated), and for the last
    step a referral to collections."""

    effective_from = models.DateField()
    level = models.PositiveSmallIntegerField(help_text="1 for the first reminder, 2 for the second …")
    name = models.CharField(max_length=60, help_text="e.g. Reminder, Second notice, Final notice")
    days_past_due = models.PositiveIntegerField()
    letter_text = models.TextField(help_text="The letter's paragraph; the invoice table is added below it.")
    fee_type = models.ForeignKey(
        FeeType,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Late fee, if any.",
    )
    refer_to_collections = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["effective_from", "level"]
        constraints = [
            one_in_force("level", name="one_dunning_level_per_day"),
            models.CheckConstraint(
                condition=Q(level__gte=1, days_past_due__gte=1), name="dunning_level_sane"
            ),
        ]

    def __str__(self):
        return f"Level {self.level} {self.name} ({self.days_past_due} days) from {self.effective_from}"

    def config_used(self, until):
        return used_sentence([(self.notices.count(), "past-due notice")])


class Invoice(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", "Open"
        PAID = "paid", "Paid"
        CREDITED = "credited", "Credited in full"
        WRITTEN_OFF = "written_off", "Written off"

    # the badge's colours ({% status_badge invoice field="standing" %}): open is blue until the due
    # date passes, then red
    STATUS_BADGES = {"open": "primary", "past_due": "danger"}

    number = models.CharField(max_length=20, unique=True)
    party = models.ForeignKey(Party, on_delete=models.PROTECT, related_name="invoices")
    invoice_date = models.DateField()
    terms_days = models.PositiveIntegerField()
    due_on = models.DateField()
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.OPEN)
    status_on = models.DateField(null=True, blank=True)
    reference = models.CharField(max_length=60, blank=True, help_text="Customer's PO, event or case number.")
    memo = models.TextField(blank=True)
    total = money_field()
    sent_at = models.DateTimeField(null=True, blank=True)
    sent_by_email_to = models.EmailField(blank=True)
    collections_referred_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-invoice_date", "-number"]
        indexes = [models.Index(fields=["status", "due_on"]), models.Index(fields=["party", "status"])]
        constraints = [
            models.CheckConstraint(condition=Q(total__gt=0), name="invoice_total_positive"),
            models.CheckConstraint(condition=Q(due_on__gte=F("invoice_date")), name="invoice_due_after_date"),
        ]
        permissions = [
            ("issue_invoice", "Create and send invoices"),
            ("run_dunning", "Run past-due notices"),
            ("view_receivables_reports", "See aging, collections and statistics"),
            ("log_followup", "Record follow-up on past-due accounts"),
        ]

    def __str__(self):
        return f"Invoice {self.number}"

    def get_absolute_url(self):
        return reverse("receivables:invoice_detail", args=[self.number])

    def charges(self):
        return Charge.objects.filter(source_number=self.number).order_by("pk")

    @property
    def past_due(self) -> bool:
        """Open after its due date (today, the city's date)."""
        return self.status == self.Status.OPEN and self.due_on < city_today()

    @property
    def standing(self) -> str:
        """The status as its badge shows it: "past_due" for an open invoice after its due date."""
        return "past_due" if self.past_due else self.status

    def get_standing_display(self) -> str:
        display = self.get_status_display()
        return f"{display} · past due" if self.past_due else display


class InvoiceLine(models.Model):
    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="lines")
    fee_type = models.ForeignKey(FeeType, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    description = models.CharField(max_length=200)
    revenue_account = models.ForeignKey("revenue.Account", on_delete=models.PROTECT, related_name="+")
    quantity = models.DecimalField(max_digits=10, decimal_places=2)
    unit_price = money_field()
    amount = money_field()
    charge = models.OneToOneField(Charge, on_delete=models.PROTECT, related_name="invoice_line")

    class Meta:
        ordering = ["invoice", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(quantity__gt=0, unit_price__gt=0, amount__gt=0), name="line_positive"
            ),
        ]

    def __str__(self):
        return f"{self.description} {self.amount}"


class CreditMemo(models.Model):
    """A reduction of an invoice, done only once a supervisor approves (core approval, WAIVER kind)."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for approval"
        APPLIED = "applied", "Applied"
        DENIED = "denied", "Denied"

    number = models.CharField(max_length=20, unique=True)
    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="credit_memos")
    amount = money_field()
    reason = models.TextField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    applied_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-created_at"]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="credit_memo_positive")]

    def __str__(self):
        return f"Credit memo {self.number} ${self.amount:,.2f} on {self.invoice.number}"

    def get_absolute_url(self):
        return self.invoice.get_absolute_url()


class DunningRun(models.Model):
    run_on = models.DateField()
    candidates = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    letters = models.PositiveIntegerField(default=0)
    fees = money_field(default=ZERO)
    finished_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(auto_now_add=True)
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-started_at"]

    def __str__(self):
        return f"Dunning run {self.pk} of {self.run_on}"


class DunningNotice(models.Model):
    """One level's letter for one invoice: never sent twice (unique invoice and level)."""

    run = models.ForeignKey(DunningRun, on_delete=models.PROTECT, related_name="notices")
    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="notices")
    level = models.ForeignKey(DunningLevel, on_delete=models.PROTECT, related_name="notices")
    level_number = models.PositiveSmallIntegerField()
    balance = money_field()
    fee_charge = models.OneToOneField(
        Charge, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    sent_on = models.DateField()

    class Meta:
        ordering = ["invoice", "level_number"]
        constraints = [
            models.UniqueConstraint(fields=["invoice", "level_number"], name="one_notice_per_level"),
        ]

    def __str__(self):
        return f"{self.invoice.number} level {self.level_number}"


class FollowUp(models.Model):
    class Kind(models.TextChoices):
        CALL = "call", "Phone call"
        EMAIL = "email", "Email"
        LETTER = "letter", "Letter"
        VISIT = "visit", "Visit"
        NOTE = "note", "Note"

    party = models.ForeignKey(Party, on_delete=models.PROTECT, related_name="followups")
    invoice = models.ForeignKey(
        Invoice, null=True, blank=True, on_delete=models.PROTECT, related_name="followups"
    )
    kind = models.CharField(max_length=8, choices=Kind.choices)
    note = models.TextField()
    promise_on = models.DateField(null=True, blank=True, help_text="Promised to pay by.")
    promise_amount = money_field(null=True, blank=True)
    next_action_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["next_action_on"])]

    def __str__(self):
        return f"{self.get_kind_display()} with {self.party}"
