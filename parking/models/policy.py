"""The parking policy: the rules the city sets, from a date."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q

from revenue.models import EffectiveDated, Party, during, money_field, one_in_force, used_sentence

ZERO = Decimal("0.00")


PLAN_EQUAL, PLAN_MAXIMUM = "equal", "maximum"
PLAN_SPLITS = [
    (PLAN_EQUAL, "Equal installments over the months chosen (the last takes the odd cents)"),
    (PLAN_MAXIMUM, "The maximum installment each month, the remainder last"),
]


class ParkingPolicy(EffectiveDated):
    """The parking rules the city sets, in force from a date until the next policy."""

    effective_from = models.DateField()
    citation_party = models.ForeignKey(
        Party,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The account citation charges are kept under until paid (registered owners are "
        "recorded on each citation).",
    )
    citation_receivable_account = models.ForeignKey(
        "revenue.Account", on_delete=models.PROTECT, related_name="+"
    )
    fine_revenue_account = models.ForeignKey("revenue.Account", on_delete=models.PROTECT, related_name="+")
    penalty_revenue_account = models.ForeignKey("revenue.Account", on_delete=models.PROTECT, related_name="+")
    permit_receivable_account = models.ForeignKey(
        "revenue.Account", on_delete=models.PROTECT, related_name="+"
    )
    permit_revenue_account = models.ForeignKey("revenue.Account", on_delete=models.PROTECT, related_name="+")
    plan_fee_revenue_account = models.ForeignKey(
        "revenue.Account", on_delete=models.PROTECT, related_name="+"
    )
    penalty_after_days = models.PositiveIntegerField(
        default=21,
        help_text="A citation is due this many days after issue; the late penalty is added the day after.",
    )
    review_days_from_issue = models.PositiveIntegerField(
        default=21, help_text="An initial review may be requested up to this many days after issue …"
    )
    review_days_from_notice = models.PositiveIntegerField(
        default=14, help_text="… or up to this many days after the delinquent notice was mailed."
    )
    hearing_days_from_review = models.PositiveIntegerField(
        default=21, help_text="A hearing may be requested up to this many days after the review was decided."
    )
    notice_after_days = models.PositiveIntegerField(
        default=30, help_text="A delinquent notice goes out when unpaid more than this many days after issue."
    )
    hold_after_notice_days = models.PositiveIntegerField(
        default=21, help_text="A DMV hold is placed when unpaid more than this many days after the notice."
    )
    plan_max_total = money_field(default=Decimal("500.00"))
    plan_max_installment = money_field(default=Decimal("25.00"))
    plan_max_months = models.PositiveIntegerField(default=24)
    plan_fee = money_field(default=Decimal("5.00"), help_text="Processing fee for a payment plan.")
    plan_split = models.CharField(
        max_length=10,
        choices=PLAN_SPLITS,
        default=PLAN_EQUAL,
        help_text="How a plan's total is split into monthly installments.",
    )
    plan_grace_days = models.PositiveIntegerField(
        default=15,
        help_text="A plan defaults when an installment is unpaid more than this many days past due.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-effective_from"]
        verbose_name_plural = "parking policies"
        constraints = [
            one_in_force(name="one_parking_policy_per_date"),
            models.CheckConstraint(
                condition=Q(
                    plan_max_total__gt=0, plan_max_installment__gt=0, plan_fee__gte=0, plan_max_months__gte=1
                ),
                name="parking_plan_limits_sane",
            ),
        ]

    def __str__(self):
        return f"Parking policy from {self.effective_from}"

    def config_used(self, until):
        from .citations import Citation, PaymentPlan
        from .permits import Permit

        start = self.effective_from
        return used_sentence(
            [
                (Citation.objects.filter(during("issued_on", start, until)).count(), "citation"),
                (Permit.objects.filter(during("created_at__date", start, until)).count(), "permit"),
                (
                    PaymentPlan.objects.filter(during("created_at__date", start, until)).count(),
                    "payment plan",
                ),
            ]
        )
