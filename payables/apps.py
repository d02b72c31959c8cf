from django.apps import AppConfig


class PayablesConfig(AppConfig):
    name = "payables"
    verbose_name = "Payables"

    def ready(self):
        from . import services  # noqa: F401 - job handlers, approval handlers
