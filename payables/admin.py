"""Payables' configuration in the admin: the policy and the approval limits effective-dated,
added and withdrawn, never edited; the lookup tables (departments, payment terms). Vendors,
budgets, orders and invoices have screens of their own."""

from django.contrib import admin

from revenue.admin import EffectiveDatedAdmin

from .models import ApprovalLimit, Department, PayablesPolicy, PaymentTerms


@admin.register(PayablesPolicy)
class PayablesPolicyAdmin(EffectiveDatedAdmin):
    list_display = ["effective_from", "payable_account", "cash_account", "price_tolerance_percent", "w9_rule"]
    exclude = ["created_by"]


@admin.register(ApprovalLimit)
class ApprovalLimitAdmin(EffectiveDatedAdmin):
    list_display = ["role", "document", "effective_from", "max_amount"]
    exclude = ["created_by"]


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "active"]


@admin.register(PaymentTerms)
class PaymentTermsAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "discount_percent", "discount_days", "net_days", "active"]
