"""Party search benchmark, run by hand: `make bench-search` (ARGS="--parties 1000000").

Builds a scratch database `<name>_bench_search` with N parties of realistic names, addresses,
postal codes, phones and e-mails (set-based SQL), then times the one search (`selectors.search`,
what the header's box and the counter's find box call) for the kinds of query a clerk types:
one word, two words, a short word, a party number, a postal code, a phone number, an e-mail.
Each query is run --repeat times; p50 and p95 in milliseconds, and the plan's top node of the
party query, so an unindexed scan shows.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench_receipts import base_url, recreate  # noqa: E402 - same scratch-database helpers

FIRST = [
    "James",
    "Mary",
    "Robert",
    "Patricia",
    "John",
    "Jennifer",
    "Michael",
    "Linda",
    "David",
    "Elizabeth",
    "William",
    "Barbara",
    "Richard",
    "Susan",
    "Joseph",
    "Jessica",
    "Thomas",
    "Sarah",
    "Charles",
    "Karen",
    "Maria",
    "Jose",
    "Luis",
    "Ana",
    "Carmen",
    "Wei",
    "Li",
    "Mohammed",
    "Fatima",
    "Olga",
    "Ivan",
    "Priya",
    "Raj",
]
LAST = [
    "Smith",
    "Johnson",
    "Williams",
    "Brown",
    "Jones",
    "Garcia",
    "Miller",
    "Davis",
    "Rodriguez",
    "Martinez",
    "Hernandez",
    "Lopez",
    "Gonzalez",
    "Wilson",
    "Anderson",
    "Thomas",
    "Taylor",
    "Moore",
    "Jackson",
    "Martin",
    "Lee",
    "Perez",
    "Thompson",
    "White",
    "Harris",
    "Sanchez",
    "Clark",
    "Ramirez",
    "Lewis",
    "Robinson",
    "Walker",
    "Young",
    "Allen",
    "King",
    "Wright",
    "Scott",
    "Torres",
    "Nguyen",
    "Hill",
    "Flores",
    "Green",
    "Adams",
    "Nelson",
    "Baker",
    "Hall",
    "Rivera",
    "Campbell",
    "Mitchell",
    "Carter",
    "Roberts",
    "Chen",
    "Patel",
    "Kim",
    "Singh",
    "Okafor",
    "Kowalski",
    "Novak",
    "Ito",
    "Tanaka",
    "Müller",
]
STREETS = [
    "Main",
    "Oak",
    "Pine",
    "Maple",
    "Cedar",
    "Elm",
    "Washington",
    "Lake",
    "Hill",
    "Park",
    "Sunset",
    "Harbor",
    "Mission",
    "Alder",
    "Bay",
    "Vista",
    "Ridge",
    "Willow",
    "Spruce",
    "Madrona",
    "Cypress",
    "Redwood",
    "Grant",
    "Lincoln",
    "Jefferson",
    "Franklin",
    "Adams",
    "Monroe",
    "Jackson",
    "Shoreline",
]
KINDS = ["St", "Ave", "Blvd", "Rd", "Way", "Ln", "Dr", "Ct"]


def build(n: int, admin_id: int) -> None:
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute(
            """
            INSERT INTO revenue_party (number, kind, name, email, phone, address_line1, address_line2, city,
                                       state, postal_code, notes, notes_alert, created_at, created_by_id)
            SELECT 'P' || lpad(g::text, 7, '0'), 'person',
                   (%(last)s::text[])[1 + (g * 7919) %% cardinality(%(last)s::text[])] || ', ' ||
                   (%(first)s::text[])[1 + (g * 104729) %% cardinality(%(first)s::text[])],
                   CASE WHEN g %% 3 = 0 THEN 'p' || g || '@example.org' ELSE '' END,
                   CASE WHEN g %% 2 = 0 THEN '(555) ' || lpad(((g * 37) %% 1000)::text, 3, '0') || '-'
                        || lpad((g %% 10000)::text, 4, '0') ELSE '' END,
                   (1 + (g * 31) %% 9999) || ' ' || (%(streets)s::text[])[1 + (g * 13) %% cardinality(%(streets)s::text[])] || ' '
                   || (%(kinds)s::text[])[1 + g %% cardinality(%(kinds)s::text[])],
                   '', 'Alder Bay', 'CA', (95000 + g %% 200)::text, '', false, now(), %(admin)s
              FROM generate_series(1::bigint, %(n)s) g
            """,
            {"n": n, "admin": admin_id, "first": FIRST, "last": LAST, "streets": STREETS, "kinds": KINDS},
        )
        cur.execute("ANALYZE revenue_party")


QUERIES = [
    ("one word", "Okafor"),
    ("one word, part", "kowal"),
    ("two words", "Garcia Maria"),
    ("name and street", "Nguyen Willow"),
    ("two-letter word", "Li"),
    ("short word and a word", "Ito Ja"),
    ("street number and name", "4711 Cedar"),
    ("party number", "P0123456"),
    ("postal code", "95123"),
    ("phone", "555-123-4567"),
    ("e-mail", "p300000@example.org"),
    ("nothing found", "Zzyzx"),
]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--parties", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()
    import dj_database_url

    base = base_url()
    os.environ["DATABASE_URL"] = recreate(base, f"{dj_database_url.parse(base)['NAME']}_bench_search")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "revenue.settings")
    os.environ["LOG_LEVEL"] = "WARNING"
    import django

    django.setup()
    from django.contrib.auth.models import Group, User
    from django.core.management import call_command
    from django.db import connection

    from revenue import roles, selectors

    call_command("migrate", verbosity=0)
    admin = User.objects.create_superuser("bench-admin")
    clerk = User.objects.create_user("bench-clerk")
    clerk.groups.add(Group.objects.get(name=roles.ASR_I))
    t0 = time.perf_counter()
    build(args.parties, admin.pk)
    print(f"{args.parties:,} parties made in {time.perf_counter() - t0:.1f} s", flush=True)

    print(f"{'query':<24} {'typed':<22} {'found':>5} {'p50 ms':>8} {'p95 ms':>8}  plan")
    worst = 0.0
    for label, query in QUERIES:
        clerk = User.objects.get(pk=clerk.pk)  # permissions read afresh, as on each request
        times = []
        for _ in range(args.repeat):
            start = time.perf_counter()
            result = selectors.search(query, user=clerk)
            found = len(result.parties) + len(result.documents)
            times.append((time.perf_counter() - start) * 1000)
        times.sort()
        p50 = statistics.median(times)
        p95 = times[min(len(times) - 1, int(len(times) * 0.95))]
        worst = max(worst, p95)
        sql, params = selectors.party_search(query).query.sql_with_params()
        with connection.cursor() as cur:
            cur.execute("EXPLAIN " + sql, params)
            plan = " / ".join(
                row[0].strip().split("  (")[0]
                for row in cur.fetchall()
                if "Scan" in row[0] or "Bitmap" in row[0]
            )
        print(f"{label:<24} {query:<22} {found:>5} {p50:>8.1f} {p95:>8.1f}  {plan[:90]}", flush=True)
    print(f"worst p95: {worst:.1f} ms")


if __name__ == "__main__":
    main()
