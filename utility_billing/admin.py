"""Utility billing's configuration in the admin: the policy (accounts, due days) effective-dated,
added and withdrawn, never edited; the lookup tables (services, rate classes, cycles, meter
sizes). Rates have screens of their own (a supervisor's page with the calculation preview)."""

from django.contrib import admin

from revenue.admin import EffectiveDatedAdmin

from .models import BillingCycle, MeterSize, RateClass, RateSchedule, Service, UtilityPolicy


@admin.register(UtilityPolicy)
class UtilityPolicyAdmin(EffectiveDatedAdmin):
    list_display = ["effective_from", "receivable_account", "deposit_account", "due_days"]
    exclude = ["created_by"]


@admin.register(RateSchedule)
class RateScheduleAdmin(EffectiveDatedAdmin):
    list_display = ["service", "rate_class", "effective_from", "method"]
    exclude = ["created_by"]


@admin.register(Service)
class ServiceAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kind", "revenue_account", "active"]


@admin.register(RateClass)
class RateClassAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "active"]


@admin.register(BillingCycle)
class BillingCycleAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "months_per_period", "active"]


@admin.register(MeterSize)
class MeterSizeAdmin(admin.ModelAdmin):
    list_display = ["code", "sort_order"]


from .models import UtilityFee  # noqa: E402 - service-order fees (ub-orders)


@admin.register(UtilityFee)
class UtilityFeeAdmin(EffectiveDatedAdmin):
    list_display = ["kind", "meter_size", "effective_from", "amount", "revenue_account"]
    list_filter = ["kind"]


# --------------------------------------------------------------------------- collection (ub-collect)
from .models import DelinquencyPolicy  # noqa: E402


@admin.register(DelinquencyPolicy)
class DelinquencyPolicyAdmin(EffectiveDatedAdmin):
    list_display = [
        "effective_from",
        "grace_days",
        "late_fee_current_percent",
        "shutoff_days",
        "notice_business_days",
    ]


# the reads review's thresholds (ub-reads)
from .models import ReadPolicy  # noqa: E402


@admin.register(ReadPolicy)
class ReadPolicyAdmin(EffectiveDatedAdmin):
    list_display = ["effective_from", "high_percent", "low_percent", "compare_with", "recent_periods",
                    "read_window_days", "hold_estimates"]  # fmt: skip
    exclude = ["created_by"]


# deposits (ub-deposits): the policy, with the amount by rate class, added from a date
from .models import DepositAmount, DepositPolicy  # noqa: E402


class DepositAmountInline(admin.TabularInline):
    model = DepositAmount
    extra = 2


@admin.register(DepositPolicy)
class DepositPolicyAdmin(EffectiveDatedAdmin):
    list_display = [
        "effective_from", "waive_with_good_credit", "reconnect_multiple", "interest_percent", "refund_to",
    ]  # fmt: skip
    exclude = ["created_by"]
    inlines = [DepositAmountInline]
