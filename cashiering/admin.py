from django.contrib import admin

from revenue.admin import AuditedAdmin, EffectiveDatedAdmin

from .models import CashieringPolicy, Drawer


@admin.register(Drawer)
class DrawerAdmin(AuditedAdmin):
    list_display = ["code", "name", "active"]


@admin.register(CashieringPolicy)
class CashieringPolicyAdmin(EffectiveDatedAdmin):
    """Effective-dated: a new policy from a later date replaces the old one; none is edited."""

    list_display = [
        "effective_from",
        "over_short_explain_over",
        "check_overpayment",
        "card_overpayment",
        "no_checks_days",
        "blind_close_out",
        "created_by",
    ]
    fields = [
        "effective_from",
        "over_short_explain_over",
        "check_overpayment",
        "card_overpayment",
        "no_checks_days",
        "returned_check_fee",
        "walk_in_party",
        "blind_close_out",
    ]
    raw_id_fields = ["walk_in_party"]
