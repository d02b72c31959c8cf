"""TOT configuration: the policy (due date, exemption length, penalties, interest) and the tax
rate, effective-dated (added, never edited)."""

from django.contrib import admin

from revenue.admin import EffectiveDatedAdmin

from .models import TotPolicy, TotRate


@admin.register(TotPolicy)
class TotPolicyAdmin(EffectiveDatedAdmin):
    list_display = [
        "effective_from",
        "due_months_after",
        "first_penalty_percent",
        "second_penalty_percent",
        "interest_percent_per_month",
        "filing_limit_months",
    ]
    exclude = ["created_by"]


@admin.register(TotRate)
class TotRateAdmin(EffectiveDatedAdmin):
    list_display = ["effective_from", "percent"]
    exclude = ["created_by"]
