import datetime

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from revenue.exceptions import RevenueError
from utility_billing import services
from utility_billing.models import BillingCycle, BillRun


class Command(BaseCommand):
    help = (
        "Calculate a bill run (a new one for --cycle and the period, or --run to carry one on), "
        "printing its progress; approving and posting stay on the run's page (another supervisor)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--run", help="Carry on an existing run by its number (e.g. BR2027-000003).")
        parser.add_argument("--cycle", help="The billing cycle's code.")
        parser.add_argument("--period-start", type=datetime.date.fromisoformat)
        parser.add_argument("--period-end", type=datetime.date.fromisoformat)
        parser.add_argument("--bill-date", type=datetime.date.fromisoformat)
        parser.add_argument("--user", required=True, help="Who runs it (recorded on the run).")

    def handle(self, *args, **o):
        try:
            user = get_user_model().objects.get(username=o["user"])
        except get_user_model().DoesNotExist as exc:
            raise CommandError(f"No user {o['user']}.") from exc

        def progress(done, total, *_):
            self.stdout.write(f"  {done:,} of {total:,} accounts calculated")

        try:
            if o["run"]:
                run = BillRun.objects.get(number=o["run"])
            else:
                if not all(o[k] for k in ("cycle", "period_start", "period_end", "bill_date")):
                    raise CommandError(
                        "Give --run, or --cycle, --period-start, --period-end and --bill-date."
                    )
                run = services.bill_run_start(
                    cycle=BillingCycle.objects.get(code=o["cycle"]), period_start=o["period_start"],
                    period_end=o["period_end"], bill_date=o["bill_date"], acting_user=user,
                )  # fmt: skip
            run = services.bill_run_calculate(run=run, acting_user=user, progress=progress)
        except (RevenueError, BillRun.DoesNotExist, BillingCycle.DoesNotExist) as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"{run.number}: {run.bill_count:,} bills, {run.exception_count:,} with exceptions."
            )
        )
