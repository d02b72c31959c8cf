from django.apps import AppConfig


class CashieringConfig(AppConfig):
    name = "cashiering"
    verbose_name = "Cashiering"

    def ready(self):
        from . import (  # noqa: F401 - the void approval handler (services/receipts.py), the receipt
            panels,  # panel, the receipts' search finder (selectors.py)
            selectors,
            services,
        )
