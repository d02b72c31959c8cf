from django.urls import path  # noqa: F401 - the screens add their paths here

app_name = "utility_billing"

urlpatterns: list = []

# rates and the calculation preview (ub-rates)
from .views import rates as _rates  # noqa: E402

urlpatterns += [
    path("rates/", _rates.rates_list, name="rates_list"),
    path("rates/new/", _rates.rates_new, name="rates_new"),
    path("rates/preview/", _rates.rates_preview, name="rates_preview"),
    path("rates/<int:pk>/", _rates.rates_detail, name="rates_detail"),
    path("rates/<int:pk>/withdraw/", _rates.rates_withdraw, name="rates_withdraw"),
]
