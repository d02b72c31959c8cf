from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from licensing import services


class Command(BaseCommand):
    help = "Create the renewals of a tax year for every license active the year before (safe to run again)."

    def add_arguments(self, parser):
        parser.add_argument("--tax-year", type=int, required=True)
        parser.add_argument(
            "--user", required=True, help="The supervisor running it (recorded on every renewal)."
        )

    def handle(self, *args, tax_year, user, **options):
        try:
            acting = get_user_model().objects.get(username=user)
        except get_user_model().DoesNotExist as exc:
            raise CommandError(f"No user {user}.") from exc

        def progress(done, total, created):
            self.stdout.write(f"  {done:,} of {total:,} licenses checked, {created:,} renewals created")

        try:
            run = services.renewal_run(tax_year=tax_year, acting_user=acting, progress=progress)
        except services.RevenueError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            self.style.SUCCESS(f"{run.created:,} renewals created of {run.candidates:,} candidates.")
        )
