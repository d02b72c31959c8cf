from django.apps import AppConfig


class UtilityBillingConfig(AppConfig):
    name = "utility_billing"
    verbose_name = "Utility billing"

    def ready(self):
        from . import party_panel  # noqa: F401 - the party page's utility accounts (ub-orders)
        from . import services  # noqa: F401 - job handlers, approval handlers, counter hooks
