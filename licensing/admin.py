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
class TaxRuleAdmin(EffectiveDatedAdmin):
    """Tax rules are effective-dated like every rule: a change is a new rule (with its brackets)
    from a date, the old one stays for the licenses assessed with it; "created by" is the
    supervisor saving, never a field."""

    list_display = [
        "classification",
        "tax_year",
        "effective_from",
        "kind",
        "minimum_tax",
        "maximum_tax",
        "created_by",
    ]
    list_filter = ["tax_year", "kind", "classification"]
    fields = [
        "classification",
        "tax_year",
        "effective_from",
        "kind",
        "flat_amount",
        "base_amount",
        "per_employee",
        "minimum_tax",
        "maximum_tax",
    ]
    inlines = [BracketInline]


@admin.register(AddOn)
class AddOnAdmin(EffectiveDatedAdmin):
    """The fees added to a tax year's licenses, from a date: a row adds a fee to the tax year
    from its date on, or (not included) drops it from then on."""

    list_display = ["tax_year", "fee_type", "effective_from", "included", "created_by"]
    list_filter = ["tax_year", "included"]
    fields = ["tax_year", "fee_type", "effective_from", "included"]


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
