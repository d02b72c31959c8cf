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

# Accounts, meters and service orders (ub-orders)
from .views import accounts as account_views  # noqa: E402
from .views import field as field_views  # noqa: E402
from .views import orders as order_views  # noqa: E402

urlpatterns += [
    path("premises/new/", account_views.premise_new, name="premise_new"),
    path("premises/<str:number>/", account_views.premise_detail, name="premise"),
    path("premises/<str:number>/edit/", account_views.premise_edit, name="premise_edit"),
    path("accounts/<str:number>/", account_views.account_detail, name="account"),
    path("meters/", account_views.meter_list, name="meter_list"),
    path("meters/new/", account_views.meter_new, name="meter_new"),
    path("meters/<str:serial>/", account_views.meter_detail, name="meter"),
    path("meters/<str:serial>/install/", account_views.meter_install, name="meter_install"),
    path("meters/<str:serial>/remove/", account_views.meter_remove, name="meter_remove"),
    path("orders/", order_views.order_list, name="order_list"),
    path("orders/new/", order_views.order_new, name="order_new"),
    path("orders/<str:number>/", order_views.order_detail, name="order"),
    path("orders/<str:number>/schedule/", order_views.order_schedule, name="order_schedule"),
    path("orders/<str:number>/assign/", order_views.order_assign, name="order_assign"),
    path("orders/<str:number>/cancel/", order_views.order_cancel, name="order_cancel"),
    path("orders/<str:number>/complete/", order_views.order_complete, name="order_complete"),
    path("orders/<str:number>/work-order.pdf", order_views.order_pdf, name="order_pdf"),
    path("field/", field_views.field_queue, name="field_queue"),
    path("field/work-orders.pdf", field_views.field_queue_pdf, name="field_queue_pdf"),
    path("field/<str:number>/", field_views.field_order, name="field_order"),
]

# collection (ub-collect): delinquency, late fees, notices, shut-off, plans, the state count
from . import collect_views  # noqa: E402

urlpatterns += [
    path("delinquency/", collect_views.delinquency, name="delinquency"),
    path("late-fees/", collect_views.late_fees, name="late_fees"),
    path("notices/", collect_views.notices, name="notices"),
    path("notices/letters.pdf", collect_views.notices_pdf, name="notices_pdf"),
    path("shut-off/", collect_views.shutoff, name="shutoff"),
    path("shut-off/door-hangers.pdf", collect_views.door_hangers, name="door_hangers"),
    path("disconnections/", collect_views.disconnections, name="disconnections"),
    path("accounts/<slug:number>/collection/", collect_views.collect_account, name="collect_account"),
    path("accounts/<slug:number>/plan/", collect_views.plan_new, name="plan_new"),
    path("plans/<slug:number>/", collect_views.plan, name="plan"),
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
# the six reports (ub-deposits)
from .views.reports import urlpatterns as report_urls  # noqa: E402

urlpatterns += report_urls
