"""Receivables configuration: the policy (terms, aging buckets, collections threshold) and the
dunning levels, effective-dated (added, never edited). Late-fee amounts are core fee rates."""

from django.contrib import admin

from revenue.admin import EffectiveDatedAdmin

from .models import DunningLevel, ReceivablesPolicy


@admin.register(ReceivablesPolicy)
class ReceivablesPolicyAdmin(EffectiveDatedAdmin):
    list_display = [
        "effective_from",
        "default_terms_days",
        "aging_edges",
        "collections_threshold",
        "collection_agency",
    ]
    exclude = ["created_by"]


@admin.register(DunningLevel)
class DunningLevelAdmin(EffectiveDatedAdmin):
    list_display = ["effective_from", "level", "name", "days_past_due", "fee_type", "refer_to_collections"]
    exclude = ["created_by"]
