"""Demo data for a small California city: funds, chart of accounts, fee schedule, parties, one
user per role, and a little activity. Loads once; a second run says so and changes nothing."""

from decimal import Decimal

from django.core.management.base import BaseCommand
from django.db import transaction

from cashiering.demo import load_counter  # the demo city includes its counter and its licensing
from licensing.demo import load_demo_licenses, load_licensing
from parking.demo import load_demo_parking, load_parking
from payables.demo import load_demo_payables, load_payables
from payables.demo_invoices import load_demo_invoices
from receivables.demo import load_demo_receivables, load_receivables
from revenue import demo, services
from revenue.models import Fund
from tot.demo import load_demo_tot, load_tot
from utility_billing.demo import load_utility
from utility_billing.demo_collect import load_collection


class Command(BaseCommand):
    help = "Load the demo city (accounts, fees, parties, one user per role). Does nothing if already loaded."

    def handle(self, *args, **options):
        if Fund.objects.exists():
            self.stdout.write("Demo data already loaded.")
        else:
            with transaction.atomic():
                self._load()
            self.stdout.write(self.style.SUCCESS("Demo data loaded."))
        self.stdout.write(f"\nDemo users (password: {demo.DEMO_PASSWORD}):")
        for username, first, last, role, _staff in demo.DEMO_USERS:
            self.stdout.write(f"  {username:<12} {first + ' ' + last:<16} {role}")
        self.stdout.write(f"  {'admin':<12} {'System Administrator':<16} configuration (users, groups)")

    def _load(self):
        users = demo.load_users()
        accounts = demo.load_chart_of_accounts()
        fees = demo.load_fee_schedule(accounts=accounts, acting_user=users["admin"])
        parties = demo.load_parties(acting_user=users["admin"])
        demo.load_exception_limits(acting_user=users["admin"])
        demo.load_office(acting_user=users["admin"])
        load_counter(acting_user=users["admin"])
        load_licensing(acting_user=users["admin"])
        # a little activity, so the party page and the trial balance have something to show
        clerk = users["clerk2"]
        undeposited = accounts["100-1050"]
        for i, party in enumerate(parties[:8]):
            copies = services.charge_assess_fee(
                party=party, fee_type=fees["COPY"], quantity=10 + i, acting_user=clerk
            )
            notary = services.charge_assess_fee(party=party, fee_type=fees["NOTARY"], acting_user=clerk)
            if i % 2 == 0:
                services.payment_post(
                    party=party,
                    amount=copies.amount,
                    applications=[(copies, copies.amount)],
                    debit_account=undeposited,
                    acting_user=clerk,
                    reference=f"DEMO-{i:03d}",
                )
            if i == 3:
                services.payment_post(
                    party=party,
                    amount=Decimal("20.00"),
                    applications=[(notary, notary.amount)],
                    debit_account=undeposited,
                    acting_user=clerk,
                    reference="DEMO-OVER",
                )
        water = services.charge_assess(
            party=parties[-2],
            amount=Decimal("1850.00"),
            description="Water service connection, 1-inch meter",
            receivable_account=accounts["501-1210"],
            revenue_account=accounts["501-4320"],
            acting_user=clerk,
        )
        services.payment_post(
            party=parties[-2],
            amount=water.amount,
            applications=[(water, water.amount)],
            debit_account=undeposited,
            acting_user=clerk,
            reference="DEMO-WATER",
        )
        load_demo_licenses(parties_by_name={p.name: p for p in parties}, users=users, undeposited=undeposited)
        load_parking(acting_user=users["admin"])
        load_demo_parking(users=users)
        load_receivables(acting_user=users["admin"])
        load_demo_receivables(users=users, parties=parties)
        load_tot(acting_user=users["admin"])
        load_demo_tot(users=users, parties=parties)
        load_payables(acting_user=users["admin"])
        load_demo_payables(users=users)
        load_demo_invoices(users=users)
        services.charge_assess(
            party=parties[-1],
            amount=Decimal("250.00"),
            description="Special event permit review",
            receivable_account=accounts["100-1210"],
            revenue_account=accounts["100-4150"],
            acting_user=clerk,
        )
        utility = load_utility(acting_user=users["admin"])
        load_collection(users["admin"], utility)
