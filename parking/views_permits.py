"""Parking pages."""

urlpatterns = []
