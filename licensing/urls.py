from django.urls import path

from . import views

app_name = "licensing"

urlpatterns = [
    path("licenses/", views.license_list, name="license_list"),
    path("licenses/new/", views.application_new, name="application_new"),
    path("licenses/renewals/", views.renewals, name="renewals"),
    path("licenses/schedule/roll-forward/", views.roll_forward, name="roll_forward"),
    path("licenses/renewals/<int:year>/notices.pdf", views.renewal_notices, name="renewal_notices"),
    path("licenses/renewals/<int:year>.xlsx", views.renewal_list_xlsx, name="renewal_list_xlsx"),
    path("licenses/renewals/<int:year>/past-due.pdf", views.past_due_letters, name="past_due_letters"),
    path("licenses/reconciliation/", views.reconciliation, name="reconciliation"),
    path("licenses/reconciliation.xlsx", views.reconciliation, {"fmt": "xlsx"}, name="reconciliation_xlsx"),
    path("licenses/<slug:number>/", views.license_detail, name="license_detail"),
    path("licenses/<slug:number>/sign-off/", views.signoff, name="signoff"),
    path("licenses/<slug:number>/approve/", views.approve, name="approve"),
    path("licenses/<slug:number>/deny/", views.deny, name="deny"),
    path("licenses/<slug:number>/renew/", views.renewal_assess, name="renewal_assess"),
    path("licenses/<slug:number>/status/<slug:action>/", views.status_change, name="status_change"),
    path("licenses/<slug:number>/change/", views.change, name="change"),
    path("licenses/<slug:number>/renewal-notice.pdf", views.renewal_notice, name="renewal_notice"),
    path("licenses/<slug:number>/print/", views.certificate_print, name="certificate_print"),
    path("licenses/<slug:number>/certificate.pdf", views.certificate, name="certificate"),
    path("verify/", views.verify, name="verify_form"),
    path("verify/<slug:number>/", views.verify, name="verify"),
]
