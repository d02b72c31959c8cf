"""Renewal run benchmark, run by hand: `make bench-renewals` (ARGS="--licenses 50000").

Builds a scratch database `<name>_bench_renewals` with the demo licensing set-up and N active
licenses of last tax year (made with set-based SQL), then times the renewal run for this tax
year, and a second run (which must create nothing), and checks the numbers are gapless.
"""

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench_receipts import base_url, recreate  # noqa: E402 - same scratch-database helpers


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--licenses", type=int, default=50_000)
    args = parser.parse_args()
    import dj_database_url

    base = base_url()
    os.environ["DATABASE_URL"] = recreate(base, f"{dj_database_url.parse(base)['NAME']}_bench_renewals")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "revenue.settings")
    os.environ["LOG_LEVEL"] = "WARNING"
    import django

    django.setup()
    from django.contrib.auth.models import Group, User
    from django.core.management import call_command
    from django.db import connection

    from licensing import demo as licensing_demo
    from licensing import services as ls
    from licensing.models import License
    from revenue import demo, roles

    call_command("migrate", verbosity=0)
    admin = User.objects.create_superuser("bench-admin")
    supervisor = User.objects.create_user("bench-supervisor")
    supervisor.groups.add(Group.objects.get(name=roles.SUPERVISOR))
    accounts = demo.load_chart_of_accounts()
    demo.load_fee_schedule(accounts=accounts, acting_user=admin)
    classes = licensing_demo.load_licensing(acting_user=admin)
    year = ls.current_tax_year()
    n = args.licenses
    t0 = time.perf_counter()
    with connection.cursor() as cur:
        cur.execute(
            """
            INSERT INTO revenue_party (number, kind, name, email, phone, address_line1, address_line2, city, state,
                                       postal_code, notes, created_at, created_by_id)
            SELECT 'B' || lpad(g::text, 7, '0'), 'business', 'Bench Business ' || g, '', '', g || ' Main St', '',
                   'Alder Bay', 'CA', '95000', '', now(), %(admin)s
              FROM generate_series(1, %(n)s) g;
            INSERT INTO licensing_business (party_id, dba, location_address, location_city, home_based, ownership,
                   owner_name, owner_phone, owner_email, started_on, employees, classification_id, gross_receipts,
                   receipts_estimated, created_at, created_by_id)
            SELECT p.id, '', p.address_line1, 'Alder Bay', false, 'llc', 'Owner', '', '', '2010-01-01', 3,
                   %(cls)s, 150000, false, now(), %(admin)s
              FROM revenue_party p WHERE p.number LIKE 'B%%';
            INSERT INTO licensing_license (number, business_id, tax_year, status, valid_from, valid_to, computation,
                   denial_reason, status_reason, prints, created_at, created_by_id)
            SELECT 'BL' || %(prior)s || '-' || lpad(row_number() OVER (ORDER BY b.id)::text, 6, '0'), b.id,
                   %(prior)s, 'active', make_date(%(prior)s, 3, 1), make_date(%(year)s, 2, 28), '[]', '', '', 0, now(),
                   %(admin)s
              FROM licensing_business b;
            """,
            {"admin": admin.pk, "n": n, "cls": classes["RET"].pk, "prior": year - 1, "year": year},
        )
    print(f"{n:,} active licenses for {year - 1} made in {time.perf_counter() - t0:.1f} s", flush=True)

    def progress(done, total, created):
        print(f"  {done:,} of {total:,} checked, {created:,} created", flush=True)

    t0 = time.perf_counter()
    run = ls.renewal_run(tax_year=year, acting_user=supervisor, progress=progress)
    first = time.perf_counter() - t0
    t0 = time.perf_counter()
    again = ls.renewal_run(tax_year=year, acting_user=supervisor)
    second = time.perf_counter() - t0
    numbers = sorted(
        int(x[-6:]) for x in License.objects.filter(tax_year=year).values_list("number", flat=True)
    )
    print(
        f"renewal run: {run.created:,} renewals in {first:.2f} s ({run.created / first:,.0f}/s); "
        f"second run: {again.created} created in {second:.2f} s; numbers "
        f"{'gapless' if numbers == list(range(1, len(numbers) + 1)) else 'NOT GAPLESS'}"
    )
    assert run.created == n and again.created == 0


if __name__ == "__main__":
    main()
