"""Receipt benchmark over HTTP, run by hand: `make bench-receipts` (ARGS="--clients 20 --seconds 60").

A real server (gunicorn, DEBUG off, WhiteNoise) on a scratch database `<name>_bench_http` with the
demo chart, fees and counter; one clerk per client, each with an open drawer and charges to pay.
Each client logs in, then for the run's length takes payments the way the counter screen does:
scan a charge's number into the basket (POST), show the counter (GET, for the basket signature),
post the receipt with a cash tender (POST). A receipt counts when the server redirects to it.
Prints receipts per second and p50/p95 latency per receipt, then PostgreSQL's own pgbench (TPC-B,
same client count and length) against the same server, and the ratio. Checks afterwards that the
ledger balances and receipt numbers have no gaps.
"""

import argparse
import http.client
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
import uuid
from pathlib import Path

import dj_database_url
import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PASSWORD = "bench-pass-2026"


def base_url() -> str:
    base = os.environ.get("DATABASE_URL")
    if not base:
        port = (ROOT / "var" / "pg" / "port").read_text().strip()
        base = f"postgres://postgres@127.0.0.1:{port}/revenue"
    return base


def recreate(db_url: str, name: str) -> str:
    cfg = dj_database_url.parse(db_url)
    admin = psycopg.connect(
        host=cfg["HOST"],
        port=cfg["PORT"] or 5432,
        user=cfg["USER"],
        password=cfg["PASSWORD"],
        dbname="postgres",
        autocommit=True,
    )
    admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.execute(f'CREATE DATABASE "{name}"')
    admin.close()
    return db_url.rsplit("/", 1)[0] + "/" + name


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def prepare(clients: int, charges_each: int) -> list[tuple[str, list[str]]]:
    import django

    django.setup()
    from decimal import Decimal

    from django.contrib.auth.models import Group, User
    from django.core.management import call_command
    from django.db import connection, transaction

    from cashiering import demo as counter_demo
    from cashiering import services as cs
    from cashiering.models import Drawer
    from revenue import demo, roles, services

    print(f"database {connection.settings_dict['NAME']}: migrating, loading the counter …", flush=True)
    call_command("migrate", verbosity=0)
    call_command("collectstatic", verbosity=0, interactive=False)
    admin = User.objects.create_superuser("bench-admin", password=PASSWORD)
    accounts = demo.load_chart_of_accounts()
    demo.load_fee_schedule(accounts=accounts, acting_user=admin)
    counter_demo.load_counter(acting_user=admin)
    party = services.party_create(acting_user=admin, kind="business", name="Benchmark Hotel LLC")
    out = []
    for i in range(clients):
        with transaction.atomic():
            user = User.objects.create_user(f"bench{i}", password=PASSWORD)
            user.groups.add(Group.objects.get(name=roles.ASR_I))
            drawer = Drawer.objects.create(code=f"B{i}", name=f"Bench drawer {i}")
            cs.session_open(drawer=drawer, clerk=user, opening_counts={"b20": 5})
            numbers = [
                services.charge_assess(
                    party=party,
                    amount=Decimal("10.00"),
                    description="Bench fee",
                    receivable_account=accounts["100-1210"],
                    revenue_account=accounts["100-4150"],
                    acting_user=admin,
                ).source_number
                for _ in range(charges_each)
            ]
        out.append((user.username, numbers))
    connection.close()
    return out


class Client:
    def __init__(self, port: int):
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, data: dict | None = None) -> tuple[int, str, str]:
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        body = None
        if data is not None:
            data = {**data, "csrfmiddlewaretoken": self.cookies.get("csrftoken", "")}
            body = urllib.parse.urlencode(data, doseq=True)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        self.conn.request(method, path, body=body, headers=headers)
        response = self.conn.getresponse()
        text = response.read().decode()
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name] = rest.split(";", 1)[0]
        return response.status, response.getheader("Location", ""), text


def run_clients(port: int, clerks, seconds: float):
    latencies, errors = [], []
    lock = threading.Lock()
    barrier = threading.Barrier(len(clerks))
    deadline = [0.0]

    def work(username, numbers):
        c = Client(port)
        mine, bad = [], []
        try:
            c.request("GET", "/login/")
            status, _loc, _ = c.request("POST", "/login/", {"username": username, "password": PASSWORD})
            if status != 302:
                raise RuntimeError(f"{username} could not log in ({status})")
            barrier.wait()
            for number in numbers:
                if time.monotonic() > deadline[0]:
                    break
                t0 = time.perf_counter()
                c.request("POST", "/counter/basket/", {"action": "find", "q": number})
                _s, _l, page = c.request("GET", "/counter/")
                signature = re.search(r'name="basket" value="([^"]+)"', page).group(1)
                status, location, _ = c.request(
                    "POST",
                    "/counter/pay/",
                    {"token": str(uuid.uuid4()), "basket": signature, "pay-0": "10.00", "cash": "10.00"},
                )
                if status == 302 and "/receipts/" in location:
                    mine.append(time.perf_counter() - t0)
                else:
                    bad.append(status)
        except Exception as exc:  # noqa: BLE001 - reported below
            bad.append(repr(exc))
        with lock:
            latencies.extend(mine)
            errors.extend(bad)

    threads = [threading.Thread(target=work, args=clerk) for clerk in clerks]
    for t in threads:
        t.start()
    time.sleep(1)
    deadline[0] = time.monotonic() + seconds
    started = time.monotonic()
    for t in threads:
        t.join()
    return latencies, errors, time.monotonic() - started


def pgbench(db_url: str, clients: int, seconds: int) -> float:
    binary = shutil.which("pgbench") or next(
        iter(sorted(Path("/usr/lib/postgresql").glob("*/bin/pgbench"))), None
    )
    if not binary:
        print("pgbench not found: skipping the comparison")
        return 0.0
    cfg = dj_database_url.parse(db_url)
    name = recreate(db_url, f"{cfg['NAME']}_pgbench")
    conn = [
        "-h",
        cfg["HOST"],
        "-p",
        str(cfg["PORT"]),
        "-U",
        cfg["USER"],
        urllib.parse.urlparse(name).path[1:],
    ]
    subprocess.run([str(binary), "-i", "-q", "-s", "10", *conn], check=True, capture_output=True)
    result = subprocess.run(
        [str(binary), "-c", str(clients), "-j", "2", "-T", str(seconds), *conn],
        check=True,
        capture_output=True,
        text=True,
    )
    tps = re.search(r"tps = ([0-9.]+)", result.stdout)
    return float(tps.group(1)) if tps else 0.0


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--workers", type=int, default=(os.cpu_count() or 2) * 2)
    args = parser.parse_args()

    base = base_url()
    cfg = dj_database_url.parse(base)
    db_url = recreate(base, f"{cfg['NAME']}_bench_http")
    env = {
        **os.environ,
        "DATABASE_URL": db_url,
        "DEBUG": "0",
        "SECRET_KEY": "bench-" + uuid.uuid4().hex,
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_COOKIES": "0",
        "LOG_LEVEL": "WARNING",
        "DJANGO_SETTINGS_MODULE": "revenue.settings",
    }
    os.environ.update(env)
    clerks = prepare(args.clients, charges_each=max(200, args.seconds * 15))

    port = free_port()
    server = subprocess.Popen(
        [
            str(ROOT / ".venv" / "bin" / "gunicorn"),
            "revenue.wsgi",
            "--workers",
            str(args.workers),
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
        start_new_session=True,
    )
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.2)
        print(
            f"gunicorn with {args.workers} workers; {args.clients} clients for {args.seconds} s …", flush=True
        )
        latencies, errors, elapsed = run_clients(port, clerks, args.seconds)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)

    n = len(latencies)
    q = statistics.quantiles(latencies, n=100) if n > 1 else [0] * 99
    rate = n / elapsed
    print(f"receipts: {n} in {elapsed:.1f} s = {rate:.1f}/s; errors: {len(errors)} {errors[:3]}")
    print(f"latency per receipt (3 requests): p50 {q[49] * 1000:.0f} ms, p95 {q[94] * 1000:.0f} ms")

    import django

    django.setup()
    from cashiering.models import Receipt
    from revenue import selectors, services

    numbers = sorted(int(x[-6:]) for x in Receipt.objects.values_list("number", flat=True))
    tb = selectors.trial_balance(as_of=services.city_today())
    print(
        f"ledger in balance: {tb.in_balance}; receipt numbers 1..{numbers[-1] if numbers else 0} "
        f"for {len(numbers)} receipts: {'no gaps' if numbers == list(range(1, len(numbers) + 1)) else 'GAPS'}"
    )
    tps = pgbench(base, args.clients, args.seconds)
    if tps:
        print(
            f"pgbench TPC-B, {args.clients} clients, {args.seconds} s: {tps:.0f} tps; "
            f"receipts/s ÷ pgbench tps = {rate / tps:.3f}"
        )


if __name__ == "__main__":
    main()
