from django.apps import AppConfig


class ReceivablesConfig(AppConfig):
    name = "receivables"
    verbose_name = "Accounts receivable"

    def ready(self):
        from . import services  # noqa: F401 - charge signals, approval handlers
