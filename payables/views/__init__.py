"""Payables' pages, by subject; each module keeps its own urlpatterns beside its views."""
