from django.apps import AppConfig


class TotConfig(AppConfig):
    name = "tot"
    verbose_name = "Transient occupancy tax"

    def ready(self):
        from . import panels, services  # noqa: F401 - charge signals, penalties at the counter, approval handlers, receipt lines
