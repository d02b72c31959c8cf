from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from . import account, import_views, views

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("login/code/", account.otp_verify, name="otp_verify"),
    path("account/two-step/", account.otp_enrol, name="otp_enrol"),
    path("account/password/", account.PasswordChangeView.as_view(), name="password_change"),
    path("search/", views.search, name="search"),
    path("parties/new/", views.party_create, name="party_create"),
    path("parties/<slug:number>/", views.party_detail, name="party_detail"),
    path("parties/<slug:number>/edit/", views.party_edit, name="party_edit"),
    path("parties/<slug:number>/charges/new/", views.charge_create, name="charge_create"),
    path("parties/<slug:number>/refund/", views.refund_request, name="refund_request"),
    path("reports/refunds/", views.refunds_payable, name="refunds_payable"),
    path("reports/refunds.xlsx", views.refunds_payable, {"fmt": "xlsx"}, name="refunds_payable_xlsx"),
    path(
        "charges/<int:charge_id>/request/<slug:kind>/", views.approval_request_create, name="approval_request"
    ),
    path("approvals/", views.approval_list, name="approval_list"),
    path("approvals/<int:pk>/", views.approval_detail, name="approval_detail"),
    path("approvals/<int:pk>/decide/", views.approval_decide, name="approval_decide"),
    path("reports/trial-balance/", views.trial_balance, name="trial_balance"),
    path("reports/trial-balance.pdf", views.trial_balance, {"fmt": "pdf"}, name="trial_balance_pdf"),
    path("reports/trial-balance.xlsx", views.trial_balance, {"fmt": "xlsx"}, name="trial_balance_xlsx"),
    path("reports/accounts/<slug:number>/", views.account_activity, name="account_activity"),
    path(
        "reports/accounts/<slug:number>.xlsx",
        views.account_activity,
        {"fmt": "xlsx"},
        name="account_activity_xlsx",
    ),
    path("ledger/entries/<slug:number>/", views.journal_entry, name="journal_entry"),
    path("jobs/", views.job_list, name="job_list"),
    path("jobs/<int:pk>/", views.job_detail, name="job_detail"),
    path("jobs/<int:pk>/retry/", views.job_retry, name="job_retry"),
    path("jobs/<int:pk>/status/", views.job_status, name="job_status"),
    path("imports/profiles/", import_views.import_profile_list, name="import_profile_list"),
    path("imports/profiles/new/", import_views.import_profile_new, name="import_profile_new"),
    path("imports/profiles/<int:pk>/", import_views.import_profile_edit, name="import_profile_edit"),
    path(
        "imports/profiles/<int:pk>/preview/",
        import_views.import_profile_preview,
        name="import_profile_preview",
    ),
    path("", include("cashiering.urls")),
    path("", include("licensing.urls")),
    path("parking/", include("parking.urls")),
    path("receivables/", include("receivables.urls")),
    path("tot/", include("tot.urls")),
    path("utility/", include("utility_billing.urls")),
    path("payables/", include("payables.urls")),
    path("admin/login/", account.admin_login, name="admin_login"),  # the one login page
    path("admin/", admin.site.urls),
]

handler403 = "revenue.errors.permission_denied"
handler404 = "revenue.errors.page_not_found"
handler500 = "revenue.errors.server_error"
