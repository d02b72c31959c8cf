from django.apps import AppConfig


class CashieringConfig(AppConfig):
    name = "cashiering"
    verbose_name = "Cashiering"

    def ready(self):
        from . import services  # noqa: F401 - registers the void approval handler (services/receipts.py)
