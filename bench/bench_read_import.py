"""Meter read import benchmark, run by hand: `make bench-reads` (ARGS="--rows 20000" for a quick run).

Builds a scratch database `<name>_bench_reads` with N premises, each with an installed meter, an
active account and twelve monthly reads of history (set-based SQL), writes a file of N reads (one
per meter, today; about 1 in 50 high, 1 in 100 zero, 1 in 200 below the last read, 1 in 500 with
letters), times `reads_import` on it (every read's checks, progress after every chunk), then
times a bare PostgreSQL COPY of the same file into a table of text columns, and prints both rates.
"""

import argparse
import datetime
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench_receipts import base_url, recreate  # noqa: E402 - same scratch-database helpers

# N premises, meters, installations 400 days ago, active accounts, and 12 monthly reads each
_SETUP = """
INSERT INTO utility_billing_premise (number, address_line1, address_line2, city, state, postal_code, parcel_number,
       route, route_sequence, cycle_id, rate_class_id, dwelling_units, notes, created_at, created_by_id)
SELECT 'P' || lpad(g::text, 7, '0'), (100 + g %% 900) || ' ELM ST', '', 'Alder Bay', 'CA', '95000', '',
       'R' || lpad((g %% 40)::text, 2, '0'), g, %(cycle)s, %(class)s, 1, '', now(), %(user)s
  FROM generate_series(1, %(n)s) g;
INSERT INTO utility_billing_meter (serial, size_id, make, unit, multiplier, dials, status, premise_id, created_at,
       created_by_id)
SELECT 'W' || substr(p.number, 2), %(size)s, 'Badger', 'hcf', 1, 6, 'installed', p.id, now(), %(user)s
  FROM utility_billing_premise p;
INSERT INTO utility_billing_meterinstallation (meter_id, premise_id, installed_on, install_read, created_at,
       created_by_id)
SELECT m.id, m.premise_id, %(installed)s, (m.id %% 1000) * 100, now(), %(user)s FROM utility_billing_meter m;
INSERT INTO utility_billing_serviceaccount (number, party_id, premise_id, is_owner, status, move_in, mail_name,
       mail_line1, mail_line2, mail_city, mail_state, mail_postal_code, bill_by_email, notify_landlord,
       income_qualified, created_at, created_by_id)
SELECT 'U' || substr(p.number, 2), %(party)s, p.id, true, 'active', %(installed)s, '', '', '', '', '', '', false,
       false, false, now(), %(user)s
  FROM utility_billing_premise p;
INSERT INTO utility_billing_reading (meter_id, installation_id, premise_id, read_on, value, kind, source, status,
       exception, exception_note, created_at, created_by_id)
SELECT i.meter_id, i.id, i.premise_id, %(today)s::date - 30 * k, i.install_read + (13 - k) * (5 + i.meter_id %% 20),
       'actual', 'file', 'accepted', '', '', now(), %(user)s
  FROM utility_billing_meterinstallation i CROSS JOIN generate_series(1, 12) k;
ANALYZE
"""


def write_file(cur, path: Path, today: datetime.date) -> None:
    """One read per meter, today: the last read plus a month's usage, some of them odd."""
    cur.execute(
        """SELECT m.serial, r.value, 5 + m.id %% 20 FROM utility_billing_meter m
             JOIN utility_billing_reading r ON r.meter_id = m.id AND r.read_on = %s ORDER BY m.id""",
        [today - datetime.timedelta(days=30)],
    )
    with path.open("w", encoding="utf-8", newline="") as f:
        f.write("meter_serial,read_date,read_value,read_code,route\r\n")
        for i, (serial, last, usual) in enumerate(cur.fetchall()):
            value = str(
                last + (usual * 5 if i % 50 == 0 else 0 if i % 100 == 1 else -3 if i % 200 == 2 else usual)
            )
            value = "12A4" if i % 500 == 3 else value
            f.write(f"{serial},{today:%m/%d/%Y},{value},,\r\n")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--chunk", type=int, default=20_000)
    args = parser.parse_args()
    import dj_database_url

    base = base_url()
    os.environ["DATABASE_URL"] = recreate(base, f"{dj_database_url.parse(base)['NAME']}_bench_reads")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "revenue.settings")
    os.environ["LOG_LEVEL"] = "WARNING"
    import django

    django.setup()
    from django.contrib.auth.models import Group, User
    from django.core.management import call_command
    from django.db import connection

    from revenue import roles
    from revenue import services as core
    from utility_billing.models import BillingCycle, MeterSize, RateClass, Reading, ReadPolicy
    from utility_billing.services import reads_import

    call_command("migrate", verbosity=0)
    admin = User.objects.create_superuser("bench-admin")
    clerk = User.objects.create_user("bench-clerk")
    clerk.groups.add(Group.objects.get(name=roles.ASR_I))
    today = core.city_today()
    party = core.party_create(
        acting_user=admin, kind="person", name="Bench, Customer", address_line1="1 Elm St"
    )
    ReadPolicy.objects.create(effective_from=datetime.date(2020, 1, 1), created_by=admin)
    n = args.rows
    t0 = time.perf_counter()
    params = {
        "n": n, "user": admin.pk, "party": party.pk, "today": today, "installed": today - datetime.timedelta(days=400),
        "cycle": BillingCycle.objects.create(code="b1", name="Bench").pk,
        "class": RateClass.objects.create(code="res", name="Residential").pk,
        "size": MeterSize.objects.create(code='5/8"').pk,
    }  # fmt: skip
    with connection.cursor() as cur:
        for statement in _SETUP.split(";\n"):
            cur.execute(statement, params)
    print(
        f"{n:,} premises, meters and accounts with {12 * n:,} reads of history in {time.perf_counter() - t0:.1f} s"
    )

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "reads.csv"
        with connection.cursor() as cur:
            write_file(cur, path, today)
        print(f"{n:,} rows written ({path.stat().st_size / 1e6:.1f} MB)", flush=True)
        started = time.perf_counter()

        def progress(read, total, batch):
            elapsed = time.perf_counter() - started
            print(f"  {read / total:6.1%}  {read:,} read, {batch.rejected:,} left out  {elapsed:6.1f} s  "
                  f"({read / elapsed:,.0f} rows/s)", flush=True)  # fmt: skip

        batch = reads_import(path, path.name, acting_user=clerk, progress=progress, chunk=args.chunk)
        import_s = time.perf_counter() - started
        assert batch.accepted + batch.exceptions + batch.rejected == n, batch.message
        held = dict(
            (code, Reading.objects.filter(batch=batch, exception=code).count())
            for code in ("high", "zero", "below_last", "low")
        )

        with connection.cursor() as cur:
            cur.execute(
                "CREATE TABLE bench_copy (meter_serial text, read_date text, read_value text, read_code text, route text)"
            )
        t0 = time.perf_counter()
        with (
            connection.cursor() as cur,
            path.open("rb") as f,
            cur.copy("COPY bench_copy FROM STDIN WITH (FORMAT csv, HEADER true)") as copy,
        ):
            while block := f.read(1 << 20):
                copy.write(block)
        copy_s = time.perf_counter() - t0
        with connection.cursor() as cur:
            cur.execute("SELECT count(*) FROM bench_copy")
            assert cur.fetchone()[0] == n

    print(
        f"reads_import: {n:,} rows in {import_s:.1f} s ({n / import_s:,.0f} rows/s): {batch.accepted:,} accepted, "
        f"{batch.exceptions:,} held {held}, {batch.rejected:,} left out"
    )
    print(f"bare COPY of the same file: {n:,} rows in {copy_s:.2f} s ({n / copy_s:,.0f} rows/s)")
    print(f"import is {import_s / copy_s:.1f}x the time of a bare COPY")


if __name__ == "__main__":
    main()
