"""Collection: the delinquency rules (effective-dated), late fees, notices and payment plans.

Every number the city sets for collection is a column of `DelinquencyPolicy`, in force from a
date; the pure arithmetic that reads it is in `utility_billing/rules.py`."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse

from revenue.models import EffectiveDated, during, money_field, one_in_force, used_sentence


class DelinquencyPolicy(EffectiveDated):
    """Late fees, notices, shut-off and payment plans, from a date (California's SB 998 by default)."""

    effective_from = models.DateField()
    grace_days = models.PositiveSmallIntegerField(
        default=10, help_text="Days after a bill's due date before the late fee applies."
    )
    late_fee_current_percent = models.DecimalField(
        max_digits=5, decimal_places=2, default=10,
        help_text="Per cent of the bill's current charges still unpaid after the grace days.",
    )  # fmt: skip
    late_fee_past_due_percent = models.DecimalField(
        max_digits=5, decimal_places=2, default=1,
        help_text="Per cent of the past-due balance (earlier bills still unpaid).",
    )  # fmt: skip
    late_fee_revenue_account = models.ForeignKey(
        "revenue.Account", on_delete=models.PROTECT, related_name="+",
        help_text="Penalty revenue credited by late fees.",
    )  # fmt: skip
    notice_after_days = models.PositiveSmallIntegerField(
        default=30, help_text="Days delinquent before a delinquency notice is sent."
    )
    shutoff_days = models.PositiveSmallIntegerField(
        default=60, help_text="No disconnection until the oldest unpaid bill is this many days delinquent."
    )
    notice_business_days = models.PositiveSmallIntegerField(
        default=7, help_text="A notice at least this many business days (weekends skipped) before shut-off."
    )
    door_hanger_business_days = models.PositiveSmallIntegerField(
        default=2, help_text="A door hanger gives this many business days before the crew shuts off."
    )
    shutoff_minimum = money_field(
        default=0, help_text="No shut-off for a past-due balance below this amount."
    )
    reconnect_cap_business_hours = money_field(
        default=50, help_text="Income-qualified customers: the reconnection fee is at most this."
    )
    reconnect_cap_after_hours = money_field(
        default=150, help_text="Income-qualified customers: the after-hours reconnection fee is at most this."
    )
    interest_waiver_months = models.PositiveSmallIntegerField(
        default=12, help_text="Income-qualified customers: a late fee is waived once in this many months."
    )
    plan_default_days = models.PositiveSmallIntegerField(
        default=60, help_text="A payment plan defaults when an installment is unpaid this many days past due."
    )
    plan_max_months = models.PositiveSmallIntegerField(default=12)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-effective_from"]
        verbose_name = "delinquency policy"
        verbose_name_plural = "delinquency policies"
        permissions = [
            ("view_collection", "See delinquent accounts, notices, the shut-off list and the count"),
            ("run_late_fees", "Run the utility late fees"),
            ("send_notices", "Send delinquency notices and print door hangers"),
            ("order_disconnects", "Order disconnections from the shut-off list"),
            ("manage_plans", "Set up and cancel utility payment plans"),
        ]
        constraints = [
            one_in_force(name="one_delinquency_policy_per_date"),
            models.CheckConstraint(
                condition=Q(
                    late_fee_current_percent__gte=0,
                    late_fee_current_percent__lte=100,
                    late_fee_past_due_percent__gte=0,
                    late_fee_past_due_percent__lte=100,
                    shutoff_days__gte=1,
                    notice_business_days__gte=1,
                    shutoff_minimum__gte=0,
                    reconnect_cap_business_hours__gte=0,
                    reconnect_cap_after_hours__gte=0,
                    plan_default_days__gte=1,
                    plan_max_months__gte=1,
                    plan_max_months__lte=60,
                ),
                name="delinquency_policy_sane",
            ),
        ]

    def __str__(self):
        return f"Delinquency policy from {self.effective_from}"

    def config_used(self, until):
        fees = LateFee.objects.filter(during("assessed_on", self.effective_from, until)).count()
        notices = DelinquencyNotice.objects.filter(during("sent_on", self.effective_from, until)).count()
        return used_sentence([(fees, "late fee"), (notices, "notice")])


class LateFee(models.Model):
    """A bill's late fee: one per bill, ever (unique), so a run done twice adds nothing. An
    income-qualified customer's fee waived under the once-in-12-months rule is a row with
    `waived` and no charge."""

    bill = models.OneToOneField("utility_billing.Bill", on_delete=models.PROTECT, related_name="late_fee")
    account = models.ForeignKey(
        "utility_billing.ServiceAccount", on_delete=models.PROTECT, related_name="late_fees"
    )
    assessed_on = models.DateField()
    current_unpaid = money_field()
    past_due = money_field()
    amount = money_field()
    waived = models.BooleanField(default=False)
    job = models.ForeignKey("revenue.Job", null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-assessed_on", "pk"]
        indexes = [models.Index(fields=["account", "assessed_on"], name="latefee_account_date")]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=0), name="late_fee_not_negative"),
        ]

    def __str__(self):
        return f"Late fee on {self.bill.number}"


class DelinquencyNotice(models.Model):
    """A written notice of shut-off (a letter, with a landlord's copy when the account says so) or
    a door hanger left by the crew. One letter per account and oldest unpaid bill."""

    class Kind(models.TextChoices):
        LETTER = "letter", "Delinquency notice (letter)"
        DOOR_HANGER = "door_hanger", "Door hanger"

    account = models.ForeignKey(
        "utility_billing.ServiceAccount", on_delete=models.PROTECT, related_name="notices"
    )
    bill = models.ForeignKey(
        "utility_billing.Bill", on_delete=models.PROTECT, related_name="+",
        help_text="The oldest unpaid bill the notice is about.",
    )  # fmt: skip
    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.LETTER)
    sent_on = models.DateField()
    shutoff_on = models.DateField(help_text="The earliest day service may be shut off.")
    past_due = money_field()
    landlord_copy = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-sent_on", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["account", "bill", "kind"], name="one_notice_per_bill_and_kind"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.account.number} {self.sent_on}"


class PaymentPlan(models.Model):
    """A utility balance spread over months. Asked for (the customer's request is on file: with a
    medical certification it stops a shut-off), then set up with its installments; kept while the
    money paid on the plan's charges keeps up with the installments due, defaulted when one is
    unpaid more than the policy's days past due."""

    class Status(models.TextChoices):
        REQUESTED = "requested", "Asked for"
        ACTIVE = "active", "Active"
        COMPLETED = "completed", "Completed"
        DEFAULTED = "defaulted", "Defaulted"
        CANCELLED = "cancelled", "Cancelled"

    number = models.CharField(max_length=16, unique=True, editable=False, help_text="e.g. UP2027-000012")
    account = models.ForeignKey(
        "utility_billing.ServiceAccount", on_delete=models.PROTECT, related_name="plans"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.REQUESTED)
    requested_on = models.DateField()
    starts_on = models.DateField(null=True, blank=True)
    months = models.PositiveSmallIntegerField(null=True, blank=True)
    total = money_field(default=0)
    charge_ids = models.JSONField(default=list, blank=True, help_text="The charges the plan spreads.")
    defaulted_on = models.DateField(null=True, blank=True)
    note = models.CharField(max_length=250, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-requested_on", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["account"],
                condition=Q(status__in=["requested", "active"]),
                name="one_live_plan_per_account",
            ),
            models.CheckConstraint(condition=Q(total__gte=0), name="plan_total_not_negative"),
        ]

    def __str__(self):
        return self.number

    def get_absolute_url(self):
        return reverse("utility_billing:plan", args=[self.number])


class PlanInstallment(models.Model):
    plan = models.ForeignKey(PaymentPlan, on_delete=models.CASCADE, related_name="installments")
    sequence = models.PositiveSmallIntegerField()
    due_on = models.DateField()
    amount = money_field()

    class Meta:
        ordering = ["plan", "sequence"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "sequence"], name="one_installment_per_sequence"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="installment_positive"),
        ]

    def __str__(self):
        return f"{self.plan.number} #{self.sequence}"
