from django.apps import AppConfig


class ParkingConfig(AppConfig):
    name = "parking"
    verbose_name = "Parking"

    def ready(self):
        from . import panels, services  # noqa: F401 - charge signals (citations, plans, permits), counter lookups; the party page's panel
