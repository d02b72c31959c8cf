"""tot pages, mounted at /tot/. Numbers are slugs: odd characters are a 404, never a database error."""

from django.urls import path

from . import views

app_name = "tot"

urlpatterns = [
    path("", views.operator_list, name="operator_list"),
    path("operators/new/", views.operator_new, name="operator_new"),
    path("operators/<slug:certificate>/", views.operator_detail, name="operator_detail"),
    path("operators/<slug:certificate>/edit/", views.operator_edit, name="operator_edit"),
    path("operators/<slug:certificate>/returns/new/", views.return_new, name="return_new"),
    path("returns/", views.return_log, name="return_log"),
    path("returns/<slug:number>/", views.return_detail, name="return_detail"),
    path("returns/<slug:number>/amend/", views.return_amend, name="return_amend"),
    path("returns/<slug:number>/adjust/", views.return_adjust, name="return_adjust"),
    path("nonfilers/", views.nonfilers, name="nonfilers"),
    path("nonfilers/send/", views.nonfiler_notices_send, name="nonfiler_notices_send"),
    path("nonfilers/notices.pdf", views.nonfiler_notices_pdf, name="nonfiler_notices_pdf"),
    path("report/", views.report, name="report"),
    path("report.xlsx", views.report, {"fmt": "xlsx"}, name="report_xlsx"),
]
