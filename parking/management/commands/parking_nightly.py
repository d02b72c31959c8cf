from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from parking import services
from revenue.exceptions import RevenueError


class Command(BaseCommand):
    help = (
        "Nightly parking runs, as a supervisor: add the late penalty to citations past due and default "
        "payment plans with an installment past the grace days. Delinquent notices and the DMV file stay "
        "a supervisor's decision on the Penalties, notices, DMV holds page."
    )

    def add_arguments(self, parser):
        parser.add_argument("--user", required=True, help="The supervisor the runs are recorded under.")

    def handle(self, *args, user, **options):
        acting = get_user_model().objects.filter(username=user, is_active=True).first()
        if acting is None:
            raise CommandError(f"No active user {user!r}.")
        try:
            penalties = services.penalty_run(acting_user=acting)
            defaulted = services.plans_default(acting_user=acting)
        except RevenueError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"{penalties:,} late penalties added; {len(defaulted)} payment plans defaulted.")
