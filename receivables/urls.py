"""receivables pages."""

app_name = "receivables"

urlpatterns = []
