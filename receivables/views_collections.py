"""Receivables pages."""

urlpatterns = []
