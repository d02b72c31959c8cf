"""tot pages."""

app_name = "tot"

urlpatterns = []
