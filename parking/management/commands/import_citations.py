import time
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from parking.services import imports
from revenue import services as core
from revenue.exceptions import RevenueError
from revenue.models import ImportProfile


class Command(BaseCommand):
    help = (
        "Import a handheld citation export (CSV) as the given user, printing progress after each chunk. "
        "The same file is never imported twice; a file whose import failed part-way is finished by "
        "running this again."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="The CSV export file.")
        parser.add_argument("--user", required=True, help="Who imports it (needs parking.import_citations).")
        parser.add_argument("--chunk", type=int, default=imports.CHUNK, help="Rows per transaction.")
        parser.add_argument(
            "--profile",
            default="",
            help="The import profile (its name) the file is read through; by default the header picks it.",
        )

    def handle(self, *args, file, user, chunk, profile="", **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"No file {file}.")
        if chunk < 1:
            raise CommandError("--chunk must be at least 1.")
        try:
            acting = get_user_model().objects.get(username=user)
        except get_user_model().DoesNotExist as exc:
            raise CommandError(f"No user {user}.") from exc
        chosen = None
        if profile:
            chosen = ImportProfile.objects.filter(target=imports.TARGET, name=profile).first()
            if chosen is None:
                raise CommandError(f"No citation import profile named {profile!r}.")
        started = time.perf_counter()

        def progress(read, total, imported, rejected):
            elapsed = time.perf_counter() - started
            self.stdout.write(
                f"  {read / total:6.1%}  {read:,} of {core.plural(total, 'row')} read, {imported:,} imported, "
                f"{rejected:,} rejected  ({read / elapsed:,.0f} rows/s)"
            )
            self.stdout.flush()

        try:
            batch = imports.citations_import(
                path, path.name, acting_user=acting, progress=progress, chunk=chunk, profile=chosen
            )
        except RevenueError as exc:
            raise CommandError(str(exc)) from exc
        elapsed = time.perf_counter() - started
        self.stdout.write(
            self.style.SUCCESS(
                f"Import {batch.pk}: {core.plural(batch.rows_imported, 'citation')} imported (${batch.amount:,}), "
                f"{core.plural(batch.rows_rejected, 'row')} rejected, in {elapsed:.1f} s "
                f"({batch.rows_read / elapsed:,.0f} rows/s)."
            )
        )
        if batch.rows_rejected:
            self.stdout.write(
                f"The rejected rows are listed on the import's page ({batch.get_absolute_url()})."
            )
