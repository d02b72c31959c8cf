from django.apps import AppConfig


class UtilityBillingConfig(AppConfig):
    name = "utility_billing"
    verbose_name = "Utility billing"

    def ready(self):
        # job handlers, approval handlers, counter hooks, the party page's utility accounts
        from . import services  # noqa: F401
