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

# bill runs and bills (ub-bills)
from .views import bills as _bills  # noqa: E402

urlpatterns += [
    path("runs/", _bills.run_list, name="runs"),
    path("runs/new/", _bills.run_new, name="run_new"),
    path("runs/<slug:number>/", _bills.run_detail, name="run"),
    path("runs/<slug:number>/register/", _bills.run_register, name="run_register"),
    path("runs/<slug:number>/approve/", _bills.run_approve, name="run_approve"),
    path("runs/<slug:number>/post/", _bills.run_post, name="run_post"),
    path("runs/<slug:number>/release/", _bills.run_release, name="run_release"),
    path("runs/<slug:number>/take-back/", _bills.run_take_back, name="run_take_back"),
    path("runs/<slug:number>/bills.pdf", _bills.run_bills, name="run_bills"),
    path("bills/<slug:number>/", _bills.bill_detail, name="bill"),
    path("bills/<slug:number>/pdf/", _bills.bill_file, name="bill_pdf"),
]
