"""Receivables' pages: each part keeps its own urlpatterns beside its views."""

from . import views_collections, views_invoices

app_name = "receivables"

urlpatterns = [*views_invoices.urlpatterns, *views_collections.urlpatterns]
