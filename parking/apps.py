from django.apps import AppConfig


class ParkingConfig(AppConfig):
    name = "parking"
    verbose_name = "Parking"

    def ready(self):
        from . import panels, permits, services  # noqa: F401 - charge signals (citations, permits), counter lookups; the party page's panel
