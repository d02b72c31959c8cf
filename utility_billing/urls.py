from django.urls import path  # noqa: F401 - the screens add their paths here

app_name = "utility_billing"

urlpatterns: list = []

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
