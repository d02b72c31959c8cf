"""Parking configuration in the admin: the policy, fines and permit terms are effective-dated
(added, never edited); zones, streets, types and violation codes are audited."""

from django.contrib import admin

from revenue.admin import AuditedAdmin, EffectiveDatedAdmin

from .models import ParkingPolicy, PermitTerms, PermitType, PermitZone, Violation, ViolationFine, ZoneStreet


@admin.register(ParkingPolicy)
class ParkingPolicyAdmin(EffectiveDatedAdmin):
    list_display = ["effective_from", "penalty_after_days", "review_days_from_issue", "notice_after_days"]
    exclude = ["created_by"]


class ZoneStreetInline(admin.TabularInline):
    model = ZoneStreet
    extra = 1


@admin.register(PermitZone)
class PermitZoneAdmin(AuditedAdmin):
    list_display = ["code", "name"]
    inlines = [ZoneStreetInline]


@admin.register(PermitType)
class PermitTypeAdmin(AuditedAdmin):
    list_display = ["code", "name", "serial_prefix", "requires_zone", "active"]


@admin.register(PermitTerms)
class PermitTermsAdmin(EffectiveDatedAdmin):
    list_display = [
        "permit_type",
        "effective_from",
        "fee",
        "replacement_fee",
        "validity_months",
        "max_per_address",
    ]
    list_filter = ["permit_type"]
    exclude = ["created_by"]


@admin.register(Violation)
class ViolationAdmin(AuditedAdmin):
    list_display = ["code", "description", "active"]
    search_fields = ["code", "description"]


@admin.register(ViolationFine)
class ViolationFineAdmin(EffectiveDatedAdmin):
    list_display = ["violation", "effective_from", "fine", "late_penalty"]
    list_filter = ["violation"]
    exclude = ["created_by"]
