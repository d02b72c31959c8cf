from django.urls import path

from .views import closeout, counter, deposits, mail, receipts, returned_checks, suspense

app_name = "cashiering"

urlpatterns = [
    path("counter/", counter.counter, name="counter"),
    path("counter/open/", counter.session_open, name="session_open"),
    path("counter/basket/", counter.basket_action, name="basket"),
    path("counter/pay/", counter.pay, name="pay"),
    path("counter/close/", closeout.close_out, name="close_out"),
    path("receipts/<slug:number>/", receipts.receipt_detail, name="receipt_detail"),
    path("receipts/<slug:number>/<slug:layout>.pdf", receipts.receipt_pdf, name="receipt_pdf"),
    path("receipts/<slug:number>/print/", receipts.receipt_print, name="receipt_print"),
    path("receipts/<slug:number>/email/", receipts.receipt_email, name="receipt_email"),
    path("receipts/<slug:number>/void/", receipts.receipt_void, name="receipt_void"),
    path("sessions/<int:pk>/", closeout.session_detail, name="session_detail"),
    path("sessions/<int:pk>/sign-off/", closeout.session_sign_off, name="session_sign_off"),
    path("deposits/", deposits.deposit_list, name="deposit_list"),
    path("deposits/<slug:number>/", deposits.deposit_detail, name="deposit_detail"),
    path("deposits/<slug:number>/slip.pdf", deposits.deposit_detail, {"fmt": "pdf"}, name="deposit_slip"),
    path("deposits/<slug:number>/deposited/", deposits.deposit_confirm, name="deposit_confirm"),
    path("checks/<int:tender_id>/returned/", returned_checks.check_return, name="check_return"),
    path(
        "returned-checks/<slug:number>/",
        returned_checks.returned_check_detail,
        name="returned_check_detail",
    ),
    path(
        "returned-checks/<slug:number>/notice.pdf",
        returned_checks.returned_check_detail,
        {"fmt": "pdf"},
        name="returned_check_notice",
    ),
    path("mail/", mail.batch_list, name="batch_list"),
    path("mail/<slug:number>/", mail.batch_detail, name="batch_detail"),
    path("mail/<slug:number>/returned/<int:pk>/letter.pdf", mail.remittance_letter, name="remittance_letter"),
    path("suspense/", suspense.suspense_list, name="suspense_list"),
    path("suspense/<slug:number>/", suspense.suspense_detail, name="suspense_detail"),
    path("suspense/<slug:number>/letter.pdf", suspense.suspense_letter, name="suspense_letter"),
    path("reconciliation/", closeout.day, name="day"),
    path("reconciliation.pdf", closeout.day, {"fmt": "pdf"}, name="day_pdf"),
    path("reconciliation.xlsx", closeout.day, {"fmt": "xlsx"}, name="day_xlsx"),
]
