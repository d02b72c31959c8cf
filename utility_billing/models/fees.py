"""The fees of service orders (establishing service, connection and capacity, meter test,
reconnection …): effective-dated by kind and meter size, charged at the counter."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from revenue.models import EffectiveDated, during, money_field, used_sentence


class UtilityFee(EffectiveDated):
    """What one kind of fee costs from a date, for one meter size (blank: any size without a row
    of its own). The fee of a kind and size in force on a date is the latest row not withdrawn."""

    class Kind(models.TextChoices):
        ESTABLISH = "establish", "Establishing service"
        CONNECTION = "connection", "Water service connection"
        CAPACITY = "capacity", "Water capacity"
        METER_INSTALL = "meter_install", "Meter installation"
        SEWER_CONNECTION = "sewer_connection", "Sewer connection"
        SEWER_CAPACITY = "sewer_capacity", "Sewer capacity"
        METER_TEST = "meter_test", "Meter test"
        RECONNECT = "reconnect", "Reconnection"
        AFTER_HOURS = "after_hours", "After-hours call-out"

    kind = models.CharField(max_length=20, choices=Kind.choices)
    meter_size = models.ForeignKey(
        "utility_billing.MeterSize", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        help_text="Blank: every size without a row of its own.",
    )  # fmt: skip
    effective_from = models.DateField()
    amount = money_field()
    revenue_account = models.ForeignKey(
        "revenue.Account", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        help_text="Blank: the utility policy's fee account.",
    )  # fmt: skip
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    config_scope = ("kind", "meter_size")

    class Meta:
        ordering = ["kind", "meter_size__sort_order", "-effective_from"]
        constraints = [
            # one_in_force, with a blank size counted as one scope of its own
            models.UniqueConstraint(
                fields=["kind", "meter_size", "effective_from"],
                condition=Q(withdrawn_at__isnull=True),
                nulls_distinct=False,
                name="one_utility_fee_per_date",
            ),
            models.CheckConstraint(condition=Q(amount__gte=0), name="utility_fee_not_negative"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.meter_size or 'any size'} from {self.effective_from}"

    def config_used(self, until):
        from .orders import ServiceOrder

        orders = ServiceOrder.objects.filter(fee_charges__description__startswith=self.get_kind_display())
        orders = orders.filter(during("created_at__date", self.effective_from, until))
        if self.meter_size_id:
            orders = orders.filter(meter__size=self.meter_size_id)
        return used_sentence([(orders.distinct().count(), "service order")])
