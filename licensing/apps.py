from django.apps import AppConfig


class LicensingConfig(AppConfig):
    name = "licensing"
    verbose_name = "Business licensing"

    def ready(self):
        from . import services  # noqa: F401 - connects issue-on-payment to the core's signals
