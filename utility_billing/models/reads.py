"""What the reads review needs beyond the reads themselves: the thresholds in force (an
effective-dated `ReadPolicy`) and the rows of a read file that could not go in (`ReadReject`)."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from revenue.models import EffectiveDated, during, one_in_force, used_sentence


class ReadPolicy(EffectiveDated):
    """When a read is held for review, and how a missing read is estimated, from a date."""

    class Compare(models.TextChoices):
        BOTH = "both", "Outside both bases (recent periods and last year): fewer seasonal exceptions"
        EITHER = "either", "Outside either basis"

    effective_from = models.DateField()
    high_percent = models.DecimalField(
        max_digits=6,
        decimal_places=2,
        default=200,
        help_text="Usage per day above this percent of the basis is high (200 = twice the basis).",
    )
    low_percent = models.DecimalField(
        max_digits=6,
        decimal_places=2,
        default=25,
        help_text="Usage per day below this percent of the basis is low.",
    )
    compare_with = models.CharField(max_length=10, choices=Compare.choices, default=Compare.BOTH)
    recent_periods = models.PositiveSmallIntegerField(
        default=3, help_text="How many recent read periods make the average (and the estimate's basis)."
    )
    min_units = models.DecimalField(
        max_digits=10,
        decimal_places=3,
        default=2,
        help_text="A period's usage and basis both under this many units are not checked high or low.",
    )
    read_window_days = models.PositiveSmallIntegerField(
        default=10,
        help_text="A read counts for the period when it is at most this many days before the cycle's read "
        "date; a meter of an active account with none is missing, and is estimated.",
    )
    hold_estimates = models.BooleanField(
        default=True,
        help_text="Estimates wait on the exceptions list (accept, correct or re-read) before a bill "
        "uses them; unticked, they bill at once and stay marked as estimates.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-effective_from"]
        verbose_name = "read review policy"
        verbose_name_plural = "read review policies"
        constraints = [
            one_in_force(name="one_read_policy_per_date"),
            models.CheckConstraint(
                condition=Q(high_percent__gt=100, high_percent__lte=10000), name="read_high_percent_sane"
            ),
            models.CheckConstraint(
                condition=Q(low_percent__gte=0, low_percent__lt=100), name="read_low_percent_sane"
            ),
            models.CheckConstraint(
                condition=Q(recent_periods__gte=1, recent_periods__lte=24), name="read_periods_sane"
            ),
            models.CheckConstraint(
                condition=Q(read_window_days__gte=1, read_window_days__lte=60), name="read_window_sane"
            ),
            models.CheckConstraint(condition=Q(min_units__gte=0), name="read_min_units_not_negative"),
        ]

    def __str__(self):
        return f"Read review policy from {self.effective_from}"

    def config_used(self, until):
        from .meters import Reading

        return used_sentence(
            [(Reading.objects.filter(during("read_on", self.effective_from, until)).count(), "read")]
        )


class ReadReject(models.Model):
    """A row of a read file left out, with its reasons and the row as it was in the file."""

    batch = models.ForeignKey("utility_billing.ReadBatch", on_delete=models.CASCADE, related_name="rejects")
    line = models.PositiveIntegerField()
    serial = models.CharField(max_length=40, blank=True)
    reason = models.CharField(max_length=60, help_text="Groups the rejects (a short label).")
    message = models.CharField(max_length=300)
    row = models.TextField(blank=True)

    class Meta:
        ordering = ["batch", "line"]

    def __str__(self):
        return f"line {self.line}: {self.message}"
