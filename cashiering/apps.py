from django.apps import AppConfig


class CashieringConfig(AppConfig):
    name = "cashiering"
    verbose_name = "Cashiering"

    def ready(self):
        from . import panels, services  # noqa: F401 - register the void approval handler and the receipt panel
