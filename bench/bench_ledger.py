"""Ledger posting benchmark, run by hand: `make bench` (or with DATABASE_URL set).

Builds a scratch database `<name>_bench` beside the configured one, loads the demo chart of
accounts, then has N threads (each its own PostgreSQL connection) post, for S seconds, the
counter's basic unit of work: assess a fee and pay it (two journal entries with their triggers,
two gapless numbers from the same sequence, row locks, audit rows). Prints postings per second
and p50/p95/p99 latency, and checks that the ledger still balances and numbers have no gaps.

    python bench/bench_ledger.py [--threads 20] [--seconds 30]
"""

import argparse
import os
import statistics
import sys
import threading
import time
from pathlib import Path

import dj_database_url
import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def scratch_database() -> str:
    base = os.environ.get("DATABASE_URL")
    if not base:
        port = (ROOT / "var" / "pg" / "port").read_text().strip()
        base = f"postgres://postgres@127.0.0.1:{port}/revenue"
    cfg = dj_database_url.parse(base)
    name = f"{cfg['NAME']}_bench"
    admin = psycopg.connect(
        host=cfg["HOST"],
        port=cfg["PORT"] or 5432,
        user=cfg["USER"],
        password=cfg["PASSWORD"],
        dbname="postgres",
        autocommit=True,
    )
    admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
    admin.execute(f'CREATE DATABASE "{name}"')
    admin.close()
    return base.rsplit("/", 1)[0] + "/" + name


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=30)
    args = parser.parse_args()

    os.environ["DATABASE_URL"] = scratch_database()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "revenue.settings")
    os.environ["LOG_LEVEL"] = "WARNING"
    import django

    django.setup()
    from decimal import Decimal

    from django.contrib.auth.models import User
    from django.core.management import call_command
    from django.db import connection

    from revenue import demo, selectors, services
    from revenue.models import Charge, DocumentSequence

    print(
        f"database {connection.settings_dict['NAME']}: migrating and loading the chart of accounts …",
        flush=True,
    )
    call_command("migrate", verbosity=0)
    user = User.objects.create_user("bench")
    accounts = demo.load_chart_of_accounts()
    fees = demo.load_fee_schedule(accounts=accounts, acting_user=user)
    parties = demo.load_parties(acting_user=user)
    undeposited = accounts["100-1050"]
    notary = fees["NOTARY"]

    latencies: list[float] = []
    errors: list[BaseException] = []
    lock = threading.Lock()
    stop_at = time.monotonic() + args.seconds
    barrier = threading.Barrier(args.threads)

    def worker(i: int) -> None:
        party = parties[i % len(parties)]
        mine = []
        try:
            barrier.wait()
            while time.monotonic() < stop_at:
                t0 = time.perf_counter()
                charge = services.charge_assess_fee(party=party, fee_type=notary, acting_user=user)
                services.payment_post(
                    party=party,
                    amount=charge.amount,
                    applications=[(charge, charge.amount)],
                    debit_account=undeposited,
                    acting_user=user,
                    reference=f"B{i}",
                )
                mine.append(time.perf_counter() - t0)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()
            with lock:
                latencies.extend(mine)

    print(f"{args.threads} threads posting for {args.seconds:.0f} s …", flush=True)
    threads = [threading.Thread(target=worker, args=(i,)) for i in range(args.threads)]
    started = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - started
    if errors:
        raise SystemExit(f"{len(errors)} worker(s) failed: {errors[0]!r}")

    n = len(latencies)
    q = statistics.quantiles(latencies, n=100)
    tb = selectors.trial_balance(as_of=services.city_today())
    seq = DocumentSequence.objects.get(kind="C")
    charges = Charge.objects.count()
    print(
        f"units of work (assess + pay): {n} in {elapsed:.1f} s = {n / elapsed:.1f}/s "
        f"({2 * n / elapsed:.1f} journal entries/s)"
    )
    print(
        f"latency per unit: p50 {q[49] * 1000:.1f} ms, p95 {q[94] * 1000:.1f} ms, p99 {q[98] * 1000:.1f} ms"
    )
    print(
        f"ledger in balance: {tb.in_balance} (debits {tb.total_debit}); "
        f"charge numbers 1..{seq.last_number} for {charges} charges: {'no gaps' if seq.last_number == charges else 'GAPS'}"
    )
    assert tb.in_balance and seq.last_number == charges
    assert all(c.balance == Decimal("0.00") for c in Charge.objects.all()[:100])


if __name__ == "__main__":
    main()
