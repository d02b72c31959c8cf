from django.core.management.base import BaseCommand

from licensing import services


class Command(BaseCommand):
    help = "Mark active licenses whose period has ended as expired (run nightly, or with the renewal run)."

    def handle(self, *args, **options):
        self.stdout.write(f"{services.expire_lapsed():,} licenses expired.")
