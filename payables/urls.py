"""Payables' pages: each part keeps its own urlpatterns beside its views."""

from django.urls import path  # noqa: F401 - the screens add their paths here

from .views import budget, invoice_audit, purchasing, vendors

app_name = "payables"

urlpatterns: list = [
    *vendors.urlpatterns,
    *budget.urlpatterns,
    *purchasing.urlpatterns,
    *invoice_audit.urlpatterns,
]
