from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError

from revenue.admin import AuditedAdmin, EffectiveDatedAdmin

from .models import AddOn, Bracket, Classification, LicensingPolicy, TaxRule
from .tax import BracketTableInvalid, validate_brackets


@admin.register(Classification)
class ClassificationAdmin(AuditedAdmin):
    list_display = ["code", "name", "checklist", "active"]


class BracketFormSet(forms.BaseInlineFormSet):
    def clean(self):
        super().clean()
        if self.instance.kind != TaxRule.Kind.GROSS_RECEIPTS:
            return
        rows = [
            (f.cleaned_data["floor"], f.cleaned_data.get("ceiling"))
            for f in self.forms
            if f.cleaned_data and not f.cleaned_data.get("DELETE")
        ]
        try:
            validate_brackets(rows)
        except BracketTableInvalid as exc:
            raise ValidationError(str(exc)) from exc


class BracketInline(admin.TabularInline):
    model = Bracket
    formset = BracketFormSet
    extra = 1


@admin.register(TaxRule)
class TaxRuleAdmin(AuditedAdmin):
    list_display = ["classification", "tax_year", "kind", "minimum_tax", "maximum_tax"]
    list_filter = ["tax_year", "kind"]
    inlines = [BracketInline]

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(AddOn)
class AddOnAdmin(AuditedAdmin):
    list_display = ["tax_year", "fee_type"]


@admin.register(LicensingPolicy)
class LicensingPolicyAdmin(EffectiveDatedAdmin):
    list_display = ["effective_from", "tax_year_start_month", "proration"]
    fields = [
        "effective_from",
        "tax_year_start_month",
        "proration",
        "delinquent_after_days",
        "penalty_percent_per_month",
        "penalty_cap_percent",
        "cpi_rounding",
        "tax_receivable_account",
        "tax_revenue_account",
        "penalty_revenue_account",
    ]
