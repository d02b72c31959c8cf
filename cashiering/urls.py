from django.urls import path

from . import views

app_name = "cashiering"

urlpatterns = [
    path("counter/", views.counter, name="counter"),
    path("counter/open/", views.session_open, name="session_open"),
    path("counter/basket/", views.basket_action, name="basket"),
    path("counter/pay/", views.pay, name="pay"),
    path("counter/close/", views.close_out, name="close_out"),
    path("receipts/<slug:number>/", views.receipt_detail, name="receipt_detail"),
    path("receipts/<slug:number>/<slug:layout>.pdf", views.receipt_pdf, name="receipt_pdf"),
    path("receipts/<slug:number>/print/", views.receipt_print, name="receipt_print"),
    path("receipts/<slug:number>/email/", views.receipt_email, name="receipt_email"),
    path("receipts/<slug:number>/void/", views.receipt_void, name="receipt_void"),
    path("sessions/<int:pk>/", views.session_detail, name="session_detail"),
    path("sessions/<int:pk>/sign-off/", views.session_sign_off, name="session_sign_off"),
    path("deposits/", views.deposit_list, name="deposit_list"),
    path("deposits/<slug:number>/", views.deposit_detail, name="deposit_detail"),
    path("deposits/<slug:number>/slip.pdf", views.deposit_detail, {"fmt": "pdf"}, name="deposit_slip"),
    path("deposits/<slug:number>/deposited/", views.deposit_confirm, name="deposit_confirm"),
    path("checks/<int:tender_id>/returned/", views.check_return, name="check_return"),
    path("returned-checks/<slug:number>/", views.returned_check_detail, name="returned_check_detail"),
    path(
        "returned-checks/<slug:number>/notice.pdf",
        views.returned_check_detail,
        {"fmt": "pdf"},
        name="returned_check_notice",
    ),
    path("mail/", views.batch_list, name="batch_list"),
    path("mail/<slug:number>/", views.batch_detail, name="batch_detail"),
    path("reconciliation/", views.day, name="day"),
    path("reconciliation.pdf", views.day, {"fmt": "pdf"}, name="day_pdf"),
    path("reconciliation.xlsx", views.day, {"fmt": "xlsx"}, name="day_xlsx"),
]
