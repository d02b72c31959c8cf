"""Customer deposits: the policy that says how much (by rate class, waived for a good payment
history, required again after a disconnection), and each deposit an account is charged.

A deposit is a charge whose "revenue" account is the deposit liability: assessing it debits the
utility receivable and credits the liability; the customer's payment clears the receivable, so
the money ends in the liability, held for the customer. At the final bill it is applied to what
the account owes (Dr liability, Cr receivable) and the rest refunded."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from revenue.models import EffectiveDated, during, money_field, one_in_force, used_sentence


class DepositPolicy(EffectiveDated):
    class Refund(models.TextChoices):
        CREDIT = "credit", "To the customer's credit on account"
        PAYABLE = "payable", "As a refund to be paid (refunds payable)"

    class InterestPaid(models.TextChoices):
        AT_REFUND = "refund", "When the deposit is applied or refunded"
        YEARLY = "yearly", "Every year, to the customer's credit on account"

    effective_from = models.DateField()
    good_credit_months = models.PositiveSmallIntegerField(
        default=12,
        help_text="Waived for a customer who has paid a prior account on time this many months: "
        "no bill paid after its due date, no returned check, no disconnection.",
    )
    waive_with_good_credit = models.BooleanField(default=True)
    reconnect_multiple = models.DecimalField(
        max_digits=4,
        decimal_places=2,
        default=2,
        help_text="After a disconnection the deposit is at least this many times the largest bill "
        "of the months looked back on.",
    )
    lookback_months = models.PositiveSmallIntegerField(
        default=12, help_text="How far back a disconnection and the largest bill are looked for."
    )
    interest_percent = models.DecimalField(
        max_digits=5, decimal_places=3, default=0, help_text="Simple interest per year on a deposit held."
    )
    interest_paid = models.CharField(
        max_length=8, choices=InterestPaid.choices, default=InterestPaid.AT_REFUND
    )
    interest_account = models.ForeignKey(
        "revenue.Account",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The expense the interest is paid from (needed when the rate is not zero).",
    )
    refund_to = models.CharField(max_length=8, choices=Refund.choices, default=Refund.CREDIT)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-effective_from"]
        verbose_name = "deposit policy"
        verbose_name_plural = "deposit policies"
        constraints = [
            one_in_force(name="one_deposit_policy_per_date"),
            models.CheckConstraint(
                condition=Q(reconnect_multiple__gte=0, interest_percent__gte=0, interest_percent__lte=25),
                name="deposit_policy_sane",
            ),
            models.CheckConstraint(
                condition=Q(interest_percent=0) | Q(interest_account__isnull=False),
                name="deposit_interest_has_account",
            ),
        ]

    def __str__(self):
        return f"Deposit policy from {self.effective_from}"

    def config_used(self, until):
        return used_sentence(
            [(Deposit.objects.filter(during("charged_on", self.effective_from, until)).count(), "deposit")]
        )


class DepositAmount(models.Model):
    """The deposit a new account of a rate class is charged, under a policy."""

    policy = models.ForeignKey(DepositPolicy, on_delete=models.CASCADE, related_name="amounts")
    rate_class = models.ForeignKey("utility_billing.RateClass", on_delete=models.PROTECT, related_name="+")
    amount = money_field()

    class Meta:
        ordering = ["policy", "rate_class__code"]
        constraints = [
            models.UniqueConstraint(fields=["policy", "rate_class"], name="one_deposit_amount_per_class"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="deposit_amount_not_negative"),
        ]

    def __str__(self):
        return f"{self.rate_class}: {self.amount}"


class Deposit(models.Model):
    """One deposit charged to an account. What is held is what the customer has paid of its
    charge (plus interest credited to it); at the final bill it is applied and the rest refunded."""

    class Status(models.TextChoices):
        HELD = "held", "Held (or billed, awaiting payment)"
        APPLIED = "applied", "Applied at the final bill and refunded"

    number = models.CharField(max_length=16, unique=True, editable=False, help_text="e.g. UD2027-000012")
    account = models.ForeignKey(
        "utility_billing.ServiceAccount", on_delete=models.PROTECT, related_name="deposits"
    )
    amount = money_field()
    reason = models.CharField(max_length=200, blank=True)
    charge = models.OneToOneField(
        "revenue.Charge", null=True, on_delete=models.PROTECT, related_name="+", editable=False
    )
    charged_on = models.DateField()
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.HELD)
    interest_through = models.DateField(
        null=True, blank=True, help_text="Interest has been credited up to this date."
    )
    interest_paid = money_field(default=0)
    applied = money_field(default=0, help_text="Applied to what the account owed at its final bill.")
    refunded = money_field(default=0)
    final_bill = models.ForeignKey(
        "utility_billing.Bill", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    closed_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-charged_on", "-pk"]
        permissions = [("view_utility_reports", "See utility billing's reports")]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="deposit_amount_positive"),
            models.CheckConstraint(
                condition=Q(interest_paid__gte=0, applied__gte=0, refunded__gte=0), name="deposit_totals_sane"
            ),
        ]

    def __str__(self):
        return self.number
