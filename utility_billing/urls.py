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

# reads (ub-reads)
from .views import reads as read_views  # noqa: E402

urlpatterns += [
    path("reads/", read_views.read_import, name="read_import"),
    path("reads/import/", read_views.read_import_new, name="read_import_new"),
    path("reads/import/<int:pk>/", read_views.read_batch, name="read_batch"),
    path("reads/new/", read_views.read_new, name="read_new"),
    path("reads/exceptions/", read_views.read_exceptions, name="read_exceptions"),
    path("reads/estimate/", read_views.read_estimate, name="read_estimate"),
    path("reads/<int:pk>/accept/", read_views.read_accept, name="read_accept"),
    path("reads/<int:pk>/reread/", read_views.read_reread, name="read_reread"),
    path("reads/<int:pk>/correct/", read_views.read_correct, name="read_correct"),
]
