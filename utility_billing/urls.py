from django.urls import path  # noqa: F401 - the screens add their paths here

app_name = "utility_billing"

urlpatterns: list = []

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
