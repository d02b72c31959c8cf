"""Parking's pages: each part keeps its own urlpatterns beside its views."""

from . import views, views_imports, views_permits

app_name = "parking"

urlpatterns = [*views.urlpatterns, *views_imports.urlpatterns, *views_permits.urlpatterns]
