from django.apps import AppConfig


class LicensingConfig(AppConfig):
    name = "licensing"
    verbose_name = "Business licensing"

    def ready(self):
        from . import panels, services  # noqa: F401 - issue-on-payment signals; the party page's licenses
