"""Bill run benchmark, run by hand: `make bench-bills` (ARGS="--accounts 15000 --pdf-bills 500").

Builds a scratch database `<name>_bench_bills` with a utility (water and sewer, one cycle, the
policy, uniform rates) and N accounts at N premises, each with an installed meter and two
accepted reads (all made with set-based SQL), then times a bill run's calculation (every
account through the rate engine, bills stored set-based in chunks), its posting (one journal
entry per chunk), a second run (which must bill nothing), and one part of the bills as a merged
PDF in pages per second. Checks the ledger: receivable = the run's charges, bill numbers gapless.
"""

import argparse
import datetime
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench_receipts import base_url, recreate  # noqa: E402 - same scratch-database helpers

PERIOD = (datetime.date(2026, 10, 1), datetime.date(2026, 10, 31))
BILL_DATE = datetime.date(2026, 11, 3)

# N parties, premises, accounts, meters, installations and two reads each, set-based
GENERATE = """
INSERT INTO revenue_party (number, kind, name, email, phone, address_line1, address_line2, city, state,
                           postal_code, notes, notes_alert, created_at, created_by_id)
SELECT 'W' || lpad(g::text, 7, '0'), 'person', 'Bench Customer ' || g, '', '', g || ' Water St', '',
       'Alder Bay', 'CA', '95000', '', false, now(), %(admin)s
  FROM generate_series(1, %(n)s) g;
INSERT INTO utility_billing_premise (number, address_line1, address_line2, city, state, postal_code, parcel_number,
       route, route_sequence, cycle_id, rate_class_id, dwelling_units, notes, created_at, created_by_id)
SELECT 'P' || lpad(g::text, 6, '0'), g || ' Water St', '', 'Alder Bay', 'CA', '95000', '', 'R' || (g %% 20),
       g, %(cycle)s, %(class)s, 1, '', now(), %(admin)s
  FROM generate_series(1, %(n)s) g;
INSERT INTO utility_billing_serviceaccount (number, party_id, premise_id, is_owner, status, move_in, mail_name,
       mail_line1, mail_line2, mail_city, mail_state, mail_postal_code, bill_by_email, notify_landlord,
       income_qualified, created_at, created_by_id)
SELECT 'U' || substr(p.number, 2), pa.id, p.id, true, 'active', '2025-01-01', '', '', '', '', '', '', false, false,
       false, now(), %(admin)s
  FROM utility_billing_premise p JOIN revenue_party pa ON pa.number = 'W' || lpad(substr(p.number, 2)::int::text, 7, '0');
INSERT INTO utility_billing_accountservice (account_id, service_id, starts_on)
SELECT a.id, s.id, '2025-01-01' FROM utility_billing_serviceaccount a CROSS JOIN utility_billing_service s;
INSERT INTO utility_billing_meter (serial, size_id, make, unit, multiplier, dials, status, premise_id, created_at,
       created_by_id)
SELECT 'M' || p.number, %(size)s, 'Bench', 'hcf', 1, 6, 'installed', p.id, now(), %(admin)s FROM utility_billing_premise p;
INSERT INTO utility_billing_meterinstallation (meter_id, premise_id, installed_on, install_read, created_at, created_by_id)
SELECT m.id, m.premise_id, '2025-01-01', 0, now(), %(admin)s FROM utility_billing_meter m;
INSERT INTO utility_billing_reading (meter_id, installation_id, premise_id, read_on, value, kind, source, status,
       exception, exception_note, created_at, created_by_id)
SELECT i.meter_id, i.id, i.premise_id, d.read_on, d.base + (i.id %% 17), 'actual', 'file', 'accepted', '', '',
       now(), %(admin)s
  FROM utility_billing_meterinstallation i
 CROSS JOIN (VALUES ('2026-09-30'::date, 100), ('2026-10-31'::date, 108)) d(read_on, base);
"""


def setup(admin, accounts, n):
    from django.db import connection

    from utility_billing.models import (
        BillingCycle,
        FixedCharge,
        MeterSize,
        RateClass,
        RateSchedule,
        Service,
        UtilityPolicy,
    )

    water = Service.objects.create(
        code="water", name="Water", kind="water", revenue_account=accounts["501-4310"], sort_order=1
    )
    sewer = Service.objects.create(
        code="sewer", name="Sewer", kind="sewer", revenue_account=accounts["502-4410"], sort_order=2
    )
    cycle = BillingCycle.objects.create(code="bench", name="Bench cycle")
    rate_class = RateClass.objects.create(code="res", name="Residential")
    size = MeterSize.objects.create(code='5/8"')
    UtilityPolicy.objects.create(
        effective_from=datetime.date(2020, 1, 1), receivable_account=accounts["501-1210"],
        deposit_account=accounts["501-2300"], fee_revenue_account=accounts["501-4320"], created_by=admin,
    )  # fmt: skip
    start = datetime.date(2020, 1, 1)
    w = RateSchedule.objects.create(
        service=water,
        rate_class=rate_class,
        effective_from=start,
        method="uniform",
        unit_price="3.50",
        created_by=admin,
    )
    FixedCharge.objects.create(schedule=w, meter_size=size, amount="12.00")
    RateSchedule.objects.create(
        service=sewer, rate_class=rate_class, effective_from=start, method="sewer_share", unit_price="2.00",
        sewer_share_percent=100, created_by=admin,
    )  # fmt: skip
    with connection.cursor() as cur:
        cur.execute(
            GENERATE, {"admin": admin.pk, "n": n, "cycle": cycle.pk, "class": rate_class.pk, "size": size.pk}
        )
    return cycle


def engine_or_stand_in():
    """The rate engine (ub-rates' services/calc.py) when it is there; else a stand-in of the same
    shape (fixed 12.00 + 3.50 a unit of water, 2.00 a unit of sewer, from the two reads) so the
    run's own work is still timed. The output says which."""
    from utility_billing.services import bills

    try:
        from utility_billing.services import calc  # noqa: F401
    except ImportError:
        pass
    else:
        return "rate engine"
    from decimal import Decimal

    from tests.utility_billing.bills_setup import Calc, Line
    from utility_billing.models import Reading, Service

    water, sewer = Service.objects.get(code="water"), Service.objects.get(code="sewer")

    def stand_in(*, account, period_start, period_end):
        reads = list(
            Reading.objects.filter(
                premise_id=account.premise_id,
                read_on__in=[period_start - datetime.timedelta(days=1), period_end],
            )
            .order_by("read_on")
            .values_list("value", flat=True)
        )
        usage = Decimal(reads[-1] - reads[0]) if len(reads) == 2 else Decimal(0)
        return Calc(
            lines=[
                Line(water, "Water readiness to serve", Decimal(1), Decimal("12.00"), Decimal("12.00"), 1),
                Line(water, "Water usage", usage, Decimal("3.50"), usage * Decimal("3.50"), 2),
                Line(sewer, "Sewer usage", usage, Decimal("2.00"), usage * Decimal("2.00"), 3),
            ],
            usage=usage,
            exceptions=[] if len(reads) == 2 else ["no_read"],
        )

    bills.calculate = stand_in
    return "STAND-IN calculation (the rate engine is not merged yet)"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=15_000)
    parser.add_argument("--pdf-bills", type=int, default=500)
    args = parser.parse_args()
    import dj_database_url

    base = base_url()
    os.environ["DATABASE_URL"] = recreate(base, f"{dj_database_url.parse(base)['NAME']}_bench_bills")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "revenue.settings")
    os.environ["LOG_LEVEL"] = "WARNING"
    import django

    django.setup()
    from django.contrib.auth.models import Group, User
    from django.core.management import call_command
    from django.db.models import Sum

    from revenue import demo, roles
    from revenue.models import JournalLine
    from utility_billing import bill_rules, services
    from utility_billing.bill_documents import run_bills_pdf
    from utility_billing.models import Bill
    from utility_billing.services import bills

    call_command("migrate", verbosity=0)
    admin = User.objects.create_superuser("bench-admin")
    starter, approver = User.objects.create_user("bench-clerk"), User.objects.create_user("bench-supervisor")
    starter.groups.add(Group.objects.get(name=roles.ASR_II))
    approver.groups.add(Group.objects.get(name=roles.SUPERVISOR))
    accounts = demo.load_chart_of_accounts()
    n = args.accounts
    t0 = time.perf_counter()
    cycle = setup(admin, accounts, n)
    print(f"{n:,} accounts with meters and reads made in {time.perf_counter() - t0:.1f} s", flush=True)
    how = engine_or_stand_in()

    def progress(done, total, *_):
        print(f"  {done:,} of {total:,}", flush=True)

    run = services.bill_run_start(
        cycle=cycle, period_start=PERIOD[0], period_end=PERIOD[1], bill_date=BILL_DATE, acting_user=starter
    )
    t0 = time.perf_counter()
    run = services.bill_run_calculate(run=run, acting_user=starter, progress=progress)
    calc_s = time.perf_counter() - t0
    services.bill_run_approve(run=run, acting_user=approver)
    t0 = time.perf_counter()
    run = services.bill_run_post(run=run, acting_user=approver, progress=progress)
    post_s = time.perf_counter() - t0
    again = bills.candidates(run)
    receivable = JournalLine.objects.filter(account=accounts["501-1210"]).aggregate(dr=Sum("debit"))["dr"]
    numbers = sorted(int(x[-6:]) for x in Bill.objects.values_list("number", flat=True))
    per_part = min(args.pdf_bills, bill_rules.BILLS_PER_PART)
    import utility_billing.bill_documents as documents

    documents.BILLS_PER_PART = per_part
    t0 = time.perf_counter()
    pdf = run_bills_pdf(run, 1)
    pdf_s = time.perf_counter() - t0
    import io

    from pypdf import PdfReader

    pages = len(PdfReader(io.BytesIO(pdf)).pages)
    print(f"calculation: {how}")
    print(f"calculate: {run.bill_count:,} bills in {calc_s:.2f} s ({run.bill_count / calc_s:,.0f} bills/s)")
    print(
        f"post: {run.bill_count:,} bills, ${run.total:,.2f}, in {post_s:.2f} s ({run.bill_count / post_s:,.0f} bills/s)"
    )
    print(f"second run would bill {len(again)} accounts; receivable {receivable:,.2f} = run total {run.total:,.2f}; "
          f"bill numbers {'gapless' if numbers == list(range(1, len(numbers) + 1)) else 'NOT GAPLESS'}")  # fmt: skip
    print(
        f"PDF: {per_part} bills, {pages} pages, {len(pdf) / 1e6:.1f} MB in {pdf_s:.2f} s ({pages / pdf_s:.1f} pages/s)"
    )
    assert run.bill_count == n and not again and receivable == run.total


if __name__ == "__main__":
    main()
