from django.urls import path  # noqa: F401 - the screens add their paths here

app_name = "utility_billing"

urlpatterns: list = []

# the six reports (ub-deposits)
from .views.reports import urlpatterns as report_urls  # noqa: E402

urlpatterns += report_urls
