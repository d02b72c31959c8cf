"""Receivables' pages: each part keeps its own urlpatterns beside its views."""

from .views import collections, invoices

app_name = "receivables"

urlpatterns = [*invoices.urlpatterns, *collections.urlpatterns]
