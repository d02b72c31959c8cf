from django.urls import path

from . import views

app_name = "licensing"

urlpatterns = [
    path("licenses/", views.license_list, name="license_list"),
    path("licenses/new/", views.application_new, name="application_new"),
    path("licenses/<slug:number>/", views.license_detail, name="license_detail"),
    path("licenses/<slug:number>/sign-off/", views.signoff, name="signoff"),
    path("licenses/<slug:number>/approve/", views.approve, name="approve"),
    path("licenses/<slug:number>/deny/", views.deny, name="deny"),
    path("licenses/<slug:number>/print/", views.certificate_print, name="certificate_print"),
    path("licenses/<slug:number>/certificate.pdf", views.certificate, name="certificate"),
    path("verify/", views.verify, name="verify_form"),
    path("verify/<slug:number>/", views.verify, name="verify"),
]
