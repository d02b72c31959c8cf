"""Citation import benchmark, run by hand: `make bench-citations` (ARGS="--rows 100000").

Builds a scratch database `<name>_bench_citations` with the demo chart of accounts and parking
set-up, writes N valid citation rows (five violation codes, distinct numbers) to a temporary CSV,
times `citations_import` on it (progress after every chunk), then times a bare PostgreSQL COPY of
the same file into a table of text columns, and prints both rates and their ratio.
"""

import argparse
import csv
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

CODES = [("22500(a)", "65.00"), ("22502(a)", "45.00"), ("10.20.030", "40.00"), ("10.20.050", "55.00"),
         ("10.24.040", "45.00")]  # fmt: skip
STATES = ["CA", "CA", "CA", "CA", "NV", "OR", "AZ", "WA"]
MAKES = ["TOYT", "HOND", "FORD", "CHEV", "NISS", "BMW", "TESL", ""]


def write_file(path: Path, rows: int, today: datetime.date) -> None:
    with path.open("w", newline="", encoding="utf-8") as f:
        out = csv.writer(f)
        out.writerow(["citation_number", "issued_at", "plate", "state", "make", "violation_code", "location",
                      "badge", "fine"])  # fmt: skip
        for i in range(rows):
            day = today - datetime.timedelta(days=1 + i % 700)
            code, fine = CODES[i % len(CODES)]
            issued = (
                f"{day:%Y-%m-%d} {7 + i % 12:02d}:{i % 60:02d}"
                if i % 2
                else f"{day:%m/%d/%Y} {7 + i % 12:02d}:{i % 60:02d}"
            )
            out.writerow([f"B{i + 1:09d}", issued, f"{i % 9}ABC{i % 1000:03d}", STATES[i % len(STATES)],
                          MAKES[i % len(MAKES)], code, f"{100 + i % 900} ELM ST", f"B{i % 250:03d}", fine])  # fmt: skip


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--chunk", type=int, default=50_000)
    parser.add_argument(
        "--profile", action="store_true", help="time each kind of SQL statement and the commits"
    )
    args = parser.parse_args()
    import dj_database_url

    base = base_url()
    os.environ["DATABASE_URL"] = recreate(base, f"{dj_database_url.parse(base)['NAME']}_bench_citations")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "revenue.settings")
    os.environ["LOG_LEVEL"] = "WARNING"
    import django

    django.setup()
    from django.contrib.auth.models import Group, User
    from django.core.management import call_command
    from django.db import connection
    from django.db.models import Sum

    from parking import demo as parking_demo
    from parking.models import Citation
    from parking.services import imports
    from revenue import demo, roles
    from revenue import services as core
    from revenue.models import Charge

    call_command("migrate", verbosity=0)
    admin = User.objects.create_superuser("bench-admin")
    clerk = User.objects.create_user("bench-clerk2")
    clerk.groups.add(Group.objects.get(name=roles.ASR_II))
    accounts = demo.load_chart_of_accounts()
    demo.load_fee_schedule(accounts=accounts, acting_user=admin)
    policy = parking_demo.load_parking(
        acting_user=admin, since=core.city_today() - datetime.timedelta(days=900)
    )

    n = args.rows
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "citations.csv"
        t0 = time.perf_counter()
        write_file(path, n, core.city_today())
        size = path.stat().st_size
        print(f"{n:,} rows written ({size / 1e6:.1f} MB) in {time.perf_counter() - t0:.1f} s", flush=True)

        started = time.perf_counter()

        def progress(read, total, imported, rejected):
            elapsed = time.perf_counter() - started
            print(
                f"  {read / total:6.1%}  {read:,} read, {imported:,} imported, {rejected:,} rejected  "
                f"{elapsed:6.1f} s  ({read / elapsed:,.0f} rows/s)",
                flush=True,
            )

        spent: dict[str, float] = {}

        def timed(execute, sql, params, many, context):
            t = time.perf_counter()
            try:
                return execute(sql, params, many, context)
            finally:
                key = " ".join(str(sql).split())[:60]
                spent[key] = spent.get(key, 0.0) + time.perf_counter() - t

        if args.profile:
            from django.db.backends.postgresql.base import DatabaseWrapper

            real_commit = DatabaseWrapper._commit

            def commit(self):
                t = time.perf_counter()
                try:
                    return real_commit(self)
                finally:
                    spent["COMMIT (deferred constraint checks)"] = (
                        spent.get("COMMIT (deferred constraint checks)", 0.0) + time.perf_counter() - t
                    )

            DatabaseWrapper._commit = commit
            with connection.execute_wrapper(timed):
                batch = imports.citations_import(
                    path, path.name, acting_user=clerk, progress=progress, chunk=args.chunk
                )
            DatabaseWrapper._commit = real_commit
            for key, seconds in sorted(spent.items(), key=lambda kv: -kv[1])[:10]:
                print(f"    {seconds:7.2f} s  {key}")
        else:
            batch = imports.citations_import(
                path, path.name, acting_user=clerk, progress=progress, chunk=args.chunk
            )
        import_s = time.perf_counter() - started
        assert (batch.rows_imported, batch.rows_rejected) == (n, 0), (
            batch.rows_imported,
            batch.rows_rejected,
        )
        assert Charge.objects.filter(source_number__startswith="B").count() == n
        fines = Citation.objects.aggregate(t=Sum("fine"))["t"]
        receivable = policy.citation_receivable_account.lines.aggregate(t=Sum("debit"))["t"]
        assert fines == batch.amount == receivable, (fines, batch.amount, receivable)

        with connection.cursor() as cur:
            cur.execute(
                "CREATE TABLE bench_copy (citation_number text, issued_at text, plate text, state text, make text, "
                "violation_code text, location text, badge text, fine text)"
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
        f"citations_import: {n:,} rows in {import_s:.1f} s ({n / import_s:,.0f} rows/s), "
        f"{batch.amount:,} assessed in {n // args.chunk + bool(n % args.chunk)} journal entries"
    )
    print(f"bare COPY of the same file: {n:,} rows in {copy_s:.2f} s ({n / copy_s:,.0f} rows/s)")
    print(f"import is {import_s / copy_s:.1f}x the time of a bare COPY")


if __name__ == "__main__":
    main()
