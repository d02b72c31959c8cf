from django.urls import path  # noqa: F401 - the screens add their paths here

app_name = "payables"

urlpatterns: list = []

from .views import invoice_audit  # noqa: E402 - the invoice audit's pages

urlpatterns += invoice_audit.urlpatterns
