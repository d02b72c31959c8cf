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


# the reads review's thresholds (ub-reads)
from .models import ReadPolicy  # noqa: E402


@admin.register(ReadPolicy)
class ReadPolicyAdmin(EffectiveDatedAdmin):
    list_display = ["effective_from", "high_percent", "low_percent", "compare_with", "recent_periods",
                    "read_window_days", "hold_estimates"]  # fmt: skip
    exclude = ["created_by"]
