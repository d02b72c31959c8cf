from django.apps import AppConfig


class RevenueConfig(AppConfig):
    name = "revenue"
    verbose_name = "Revenue core"

    def ready(self):
        from . import auth  # noqa: F401  (its signal receivers: the lock-out audit)
