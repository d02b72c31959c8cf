"""Parking's pages: each part keeps its own urlpatterns beside its views."""

from .views import citations, imports, permits, violations

app_name = "parking"

urlpatterns = [*citations.urlpatterns, *imports.urlpatterns, *permits.urlpatterns, *violations.urlpatterns]
