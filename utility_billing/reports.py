"""Utility billing's six reports, each a core `Report` (columns once, for the page and the .xlsx):
the billing register of a run, consumption and revenue by class and month, the aged utility
receivables, service orders by kind, status and age, the meter inventory, and the shut-off log.

Bounded for a city of any size: every total is one SQL aggregate over the whole set (never a
sum of the rows shown), and the long lists (a run's bills, the aging by account, the meters)
come a page at a time on screen; the .xlsx carries every row."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection
from django.utils import timezone

from revenue import services as core
from revenue.dates import add_months
from revenue.documents import Column
from revenue.reporting import Report

from .models import BillRun, ServiceOrder, UtilityPolicy

ZERO = Decimal("0.00")
PAGE = 200
AGE_BUCKETS = ["Current", "1–30 days", "31–60 days", "61–90 days", "Over 90 days"]


@dataclass
class Page:
    number: int
    size: int
    count: int

    @property
    def last(self) -> int:
        return max(1, -(-self.count // self.size))

    @property
    def offset(self) -> int:
        return (self.number - 1) * self.size

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.last


def _page(number: int | None, count: int, size: int = PAGE) -> Page | None:
    """A page of `size` rows (None: every row, for the .xlsx)."""
    if number is None:
        return None
    last = max(1, -(-count // size))
    return Page(number=min(max(1, number), last), size=size, count=count)


def _limit(page: Page | None) -> str:
    return "" if page is None else f" LIMIT {int(page.size)} OFFSET {int(page.offset)}"


def _fetch(sql: str, params: dict) -> list[tuple]:
    with connection.cursor() as cur:
        cur.execute(sql, params)
        return cur.fetchall()


# --------------------------------------------------------------------------- billing register

REGISTER_FROM = """
      FROM utility_billing_bill b
      JOIN utility_billing_serviceaccount a ON a.id = b.account_id
      JOIN revenue_party p ON p.id = a.party_id
      JOIN utility_billing_premise pr ON pr.id = a.premise_id
      JOIN utility_billing_rateclass rc ON rc.id = pr.rate_class_id
     WHERE b.run_id = %(run)s AND b.status <> 'taken_back'
"""


def register_report(run: BillRun, *, page: int | None = None) -> tuple[Report, Page | None]:
    """Every bill of a run: account, customer, address, class, usage, the amount by service and
    the bill's total; the totals and the count from aggregates over the whole run."""
    services = _fetch(
        """SELECT DISTINCT s.id, s.name, s.sort_order FROM utility_billing_billline l
             JOIN utility_billing_bill b ON b.id = l.bill_id
             JOIN utility_billing_service s ON s.id = l.service_id
            WHERE b.run_id = %(run)s ORDER BY s.sort_order, s.id""",
        {"run": run.pk},
    )
    ids = [int(sid) for sid, _n, _o in services]
    count, usage, total = _fetch(
        f"SELECT count(*), COALESCE(sum(b.usage), 0), COALESCE(sum(b.current_charges), 0) {REGISTER_FROM}",
        {"run": run.pk},
    )[0]
    sums = dict(
        _fetch(
            """SELECT l.service_id, sum(l.amount) FROM utility_billing_billline l
                 JOIN utility_billing_bill b ON b.id = l.bill_id
                WHERE b.run_id = %(run)s AND b.status <> 'taken_back' GROUP BY l.service_id""",
            {"run": run.pk},
        )
    )
    pivot = "".join(f", COALESCE(sum(l.amount) FILTER (WHERE l.service_id = {sid}), 0)" for sid in ids)
    pg = _page(page, count)
    rows = _fetch(
        f"""SELECT b.number, a.number, p.name, pr.address_line1, rc.name, b.usage, b.estimated,
                   array_to_string(ARRAY(SELECT jsonb_array_elements_text(b.exceptions)), ', ')
                   {"".join(f", ls.s{i}" for i in range(len(ids)))}, b.current_charges
            {REGISTER_FROM.replace("WHERE", "LEFT JOIN LATERAL (SELECT 1 AS one" + pivot + " FROM utility_billing_billline l WHERE l.bill_id = b.id) ls (" + ", ".join(["one"] + [f"s{i}" for i in range(len(ids))]) + ") ON true WHERE")}
            ORDER BY pr.route, pr.route_sequence, b.number {_limit(pg)}""",
        {"run": run.pk},
    )
    report = Report(
        title=f"Billing register, run {run.number}",
        subtitle=f"{run.cycle} · {run.period_start:%m/%d/%Y}–{run.period_end:%m/%d/%Y} · "
        f"{run.get_status_display()} · {count:,} bills",
        columns=[
            Column("Bill", width=15),
            Column("Account", width=11),
            Column("Customer", width=28),
            Column("Service address", width=26),
            Column("Class", width=12),
            Column("Usage", "money", 10),
            Column("Estimated", width=9),
            Column("Exceptions", width=20),
            *[Column(name, "money", 12) for _sid, name, _o in services],
            Column("Total", "money", 13),
        ],
        rows=[[*r[:6], "yes" if r[6] else "", *r[7:]] for r in rows],
        totals=["Total", f"{count:,} bills", "", "", "", usage, "", "", *[sums[sid] for sid in ids], total],
        filename=f"register-{run.number}",
        sheet_name="Register",
    )
    return report, pg


# --------------------------------------------------------------------------- consumption and revenue

# usage between consecutive accepted reads of an installation, modulo the register's rollover,
# times the multiplier (set-based: one window over the reads of the months asked for)
USAGE_SQL = """
    SELECT rd.premise_id, rd.read_on,
           ((rd.value - lag(rd.value) OVER w) %% power(10, m.dials)::bigint
             + power(10, m.dials)::bigint) %% power(10, m.dials)::bigint * m.multiplier AS usage
      FROM utility_billing_reading rd JOIN utility_billing_meter m ON m.id = rd.meter_id
     WHERE rd.status = 'accepted' AND rd.read_on >= %(lead_in)s AND rd.read_on <= %(end)s
    WINDOW w AS (PARTITION BY rd.installation_id ORDER BY rd.read_on, rd.id)
"""


def consumption_report(start: datetime.date, end: datetime.date) -> Report:
    """By month and rate class: the water used (from the accepted reads, in the month of the
    read) and the revenue billed by service (posted bills' lines, in the month of the bill)."""
    start, end = start.replace(day=1), end
    params = {"start": start, "end": end, "lead_in": add_months(start, -3)}
    services = _fetch("SELECT id, name FROM utility_billing_service ORDER BY sort_order, id", {})
    usage = {
        (m, c): u
        for m, c, u in _fetch(
            f"""SELECT date_trunc('month', u.read_on)::date, pr.rate_class_id, sum(u.usage)
                  FROM ({USAGE_SQL}) u JOIN utility_billing_premise pr ON pr.id = u.premise_id
                 WHERE u.usage IS NOT NULL AND u.read_on >= %(start)s GROUP BY 1, 2""",
            params,
        )
    }
    pivot = "".join(
        f", COALESCE(sum(l.amount) FILTER (WHERE l.service_id = {int(sid)}), 0)" for sid, _n in services
    )
    revenue = {
        (r[0], r[1]): (r[2], list(r[3:]))
        for r in _fetch(
            f"""SELECT date_trunc('month', b.bill_date)::date, pr.rate_class_id, count(DISTINCT b.id) {pivot}
                  FROM utility_billing_billline l JOIN utility_billing_bill b ON b.id = l.bill_id
                  JOIN utility_billing_serviceaccount a ON a.id = b.account_id
                  JOIN utility_billing_premise pr ON pr.id = a.premise_id
                 WHERE b.status = 'posted' AND b.bill_date BETWEEN %(start)s AND %(end)s GROUP BY 1, 2""",
            params,
        )
    }
    classes = dict(_fetch("SELECT id, name FROM utility_billing_rateclass ORDER BY code", {}))
    rows, zeros = [], [ZERO] * len(services)
    for month, cls in sorted(set(usage) | set(revenue), key=lambda k: (k[0], classes.get(k[1], ""))):
        bills, amounts = revenue.get((month, cls), (0, zeros))
        rows.append(
            [
                f"{month:%Y-%m}",
                classes[cls],
                usage.get((month, cls), ZERO),
                bills,
                *amounts,
                sum(amounts, ZERO),
            ]
        )
    totals = [sum((r[i] for r in rows), ZERO if i != 3 else 0) for i in range(2, len(services) + 5)]
    return Report(
        title="Consumption and revenue by class and month",
        subtitle=f"{start:%m/%d/%Y} to {end:%m/%d/%Y}",
        columns=[
            Column("Month", width=9),
            Column("Class", width=14),
            Column("Consumption (units)", "money", 14),
            Column("Bills", "int", 8),
            *[Column(name, "money", 13) for _sid, name in services],
            Column("Revenue", "money", 14),
        ],
        rows=rows,
        totals=["Total", "", *totals],
        filename=f"consumption-{start:%Y-%m}-{end:%Y-%m}",
        sheet_name="By class and month",
        notes=[
            "Consumption is the water read in the month (accepted reads, rollover counted); revenue "
            "is what posted bills dated in the month charged, by service."
        ],
    )


# --------------------------------------------------------------------------- aged receivables

# the open charges on the utility receivable, each with the service account it belongs to (its
# bill, its deposit, or its order's fee; none for a charge assessed to the customer directly)
OWED_SQL = """
    SELECT c.party_id, c.due_on, c.amount - c.amount_paid - c.amount_adjusted AS balance,
           COALESCE(bl.account_id, d.account_id, so.account_id) AS account_id,
           GREATEST(%(today)s - c.due_on, 0) AS days
      FROM revenue_charge c
      LEFT JOIN LATERAL (SELECT b.account_id FROM utility_billing_billline l
                           JOIN utility_billing_bill b ON b.id = l.bill_id
                          WHERE l.charge_id = c.id LIMIT 1) bl ON true
      LEFT JOIN utility_billing_deposit d ON d.charge_id = c.id
      LEFT JOIN LATERAL (SELECT o.account_id FROM utility_billing_serviceorder_fee_charges f
                           JOIN utility_billing_serviceorder o ON o.id = f.serviceorder_id
                          WHERE f.charge_id = c.id LIMIT 1) so ON true
     WHERE c.receivable_account_id = ANY(%(receivables)s) AND c.amount > c.amount_paid + c.amount_adjusted
"""
BUCKET_SQL = """
    COALESCE(sum(o.balance) FILTER (WHERE o.days = 0), 0),
    COALESCE(sum(o.balance) FILTER (WHERE o.days BETWEEN 1 AND 30), 0),
    COALESCE(sum(o.balance) FILTER (WHERE o.days BETWEEN 31 AND 60), 0),
    COALESCE(sum(o.balance) FILTER (WHERE o.days BETWEEN 61 AND 90), 0),
    COALESCE(sum(o.balance) FILTER (WHERE o.days > 90), 0),
    COALESCE(sum(o.balance), 0)
"""


def aging_report(*, page: int | None = None) -> tuple[Report, Page | None]:
    """What utility customers owe today by account, in buckets of days past due; the totals
    from one aggregate over every open charge (they equal the receivable's ledger balance)."""
    today = core.city_today()
    receivables = list(UtilityPolicy.all_rows.values_list("receivable_account_id", flat=True).distinct())
    params = {"today": today, "receivables": receivables}
    count, *totals = _fetch(
        f"""SELECT (SELECT count(*) FROM (SELECT 1 FROM ({OWED_SQL}) o GROUP BY o.account_id, o.party_id) g),
                   {BUCKET_SQL} FROM ({OWED_SQL}) o""",
        params,
    )[0]
    pg = _page(page, count)
    rows = _fetch(
        f"""SELECT COALESCE(a.number, ''), p.number, p.name, COALESCE(pr.address_line1, ''),
                   COALESCE(a.status, ''), max(o.days), {BUCKET_SQL}
              FROM ({OWED_SQL}) o JOIN revenue_party p ON p.id = o.party_id
              LEFT JOIN utility_billing_serviceaccount a ON a.id = o.account_id
              LEFT JOIN utility_billing_premise pr ON pr.id = a.premise_id
             GROUP BY o.account_id, o.party_id, a.number, p.number, p.name, pr.address_line1, a.status
             ORDER BY sum(o.balance) DESC, a.number, p.number {_limit(pg)}""",
        params,
    )
    report = Report(
        title=f"Aged utility receivables as of {today:%m/%d/%Y}",
        subtitle=f"{count:,} accounts with a balance",
        columns=[
            Column("Account", width=11),
            Column("Customer no.", width=11),
            Column("Customer", width=28),
            Column("Service address", width=26),
            Column("Status", width=8),
            Column("Oldest (days)", "int", 9),
            *[Column(label, "money", 12) for label in AGE_BUCKETS],
            Column("Balance", "money", 13),
        ],
        rows=[list(r) for r in rows],
        totals=["Total", "", "", "", "", None, *totals],
        filename=f"utility-aging-{today:%Y-%m-%d}",
        sheet_name="Aging",
    )
    return report, pg


# --------------------------------------------------------------------------- service orders


def orders_report() -> Report:
    """Service orders by kind and status, with the open ones by age (days since requested)."""
    tz = timezone.get_current_timezone_name()
    rows = _fetch(
        """SELECT o.kind, o.status, count(*),
                  count(*) FILTER (WHERE o.status IN ('requested','scheduled','assigned') AND %(today)s - d <= 2),
                  count(*) FILTER (WHERE o.status IN ('requested','scheduled','assigned') AND %(today)s - d BETWEEN 3 AND 7),
                  count(*) FILTER (WHERE o.status IN ('requested','scheduled','assigned') AND %(today)s - d BETWEEN 8 AND 30),
                  count(*) FILTER (WHERE o.status IN ('requested','scheduled','assigned') AND %(today)s - d > 30),
                  min(d) FILTER (WHERE o.status IN ('requested','scheduled','assigned'))
             FROM (SELECT kind, status, (created_at AT TIME ZONE %(tz)s)::date AS d
                     FROM utility_billing_serviceorder) o
            GROUP BY o.kind, o.status ORDER BY o.kind, o.status""",
        {"today": core.city_today(), "tz": tz},
    )
    kinds, statuses = dict(ServiceOrder.Kind.choices), dict(ServiceOrder.Status.choices)
    table = [[kinds.get(k, k), statuses.get(s, s), *rest] for k, s, *rest in rows]
    totals = ["Total", "", *[sum(r[i] for r in table) for i in range(2, 7)], None]
    return Report(
        title="Service orders by kind, status and age",
        subtitle=f"{totals[2]:,} orders; open ones by days since requested",
        columns=[
            Column("Kind", width=26),
            Column("Status", width=12),
            Column("Orders", "int", 9),
            Column("Open 0–2 days", "int", 10),
            Column("Open 3–7 days", "int", 10),
            Column("Open 8–30 days", "int", 10),
            Column("Open over 30 days", "int", 10),
            Column("Oldest open", "date", 12),
        ],
        rows=table,
        totals=totals,
        filename="service-orders",
        sheet_name="Orders",
    )


# --------------------------------------------------------------------------- meter inventory

METERS_FROM = """
      FROM utility_billing_meter m JOIN utility_billing_metersize s ON s.id = m.size_id
      LEFT JOIN utility_billing_premise pr ON pr.id = m.premise_id
     WHERE (%(status)s = '' OR m.status = %(status)s)
"""


def meters_report(*, status: str = "", page: int | None = None) -> tuple[Report, Page | None]:
    """Every meter by serial: size, make, unit, dials, status, where it is installed and since
    when, and its last accepted read; counts by status from one aggregate."""
    params = {"status": status}
    by_status = dict(_fetch(f"SELECT m.status, count(*) {METERS_FROM} GROUP BY m.status", params))
    count = sum(by_status.values())
    pg = _page(page, count)
    rows = _fetch(
        f"""SELECT m.serial, s.code, m.make, m.unit, m.dials, m.multiplier, m.status,
                   COALESCE(pr.number, ''), COALESCE(pr.address_line1, ''), i.installed_on, r.read_on, r.value
            {
            METERS_FROM.replace(
                "WHERE",
                '''LEFT JOIN LATERAL (SELECT installed_on FROM utility_billing_meterinstallation
                                        WHERE meter_id = m.id AND removed_on IS NULL) i ON true
              LEFT JOIN LATERAL (SELECT read_on, value FROM utility_billing_reading
                                  WHERE meter_id = m.id AND status = 'accepted'
                                  ORDER BY read_on DESC, id DESC LIMIT 1) r ON true
             WHERE''',
            )
        }
             ORDER BY m.serial {_limit(pg)}""",
        params,
    )
    from .models import Meter

    labels = dict(Meter.Status.choices)
    units = dict(Meter.Unit.choices)
    report = Report(
        title="Meter inventory",
        subtitle=" · ".join(f"{labels.get(k, k)}: {v:,}" for k, v in sorted(by_status.items()))
        or "No meters",
        columns=[
            Column("Serial", width=14),
            Column("Size", width=8),
            Column("Make", width=12),
            Column("Unit", width=12),
            Column("Dials", "int", 6),
            Column("Multiplier", width=9),
            Column("Status", width=12),
            Column("Premise", width=10),
            Column("Installed at", width=26),
            Column("Installed on", "date", 12),
            Column("Last read on", "date", 12),
            Column("Last read", "int", 10),
        ],
        rows=[
            [r[0], r[1], r[2], units.get(r[3], r[3]), r[4], str(r[5]), labels.get(r[6], r[6]), *r[7:]]
            for r in rows
        ],
        totals=["Total", f"{count:,} meters", *[""] * 8, None, None],
        filename="meter-inventory",
        sheet_name="Meters",
    )
    return report, pg


# --------------------------------------------------------------------------- shut-off log


def shutoff_report(start: datetime.date, end: datetime.date) -> Report:
    """Disconnections for non-payment and reconnections requested in the dates, in order, with
    who completed them; the totals count the completed ones of each kind."""
    tz = timezone.get_current_timezone_name()
    rows = _fetch(
        """SELECT (o.created_at AT TIME ZONE %(tz)s)::date, o.number, o.kind, o.status,
                  COALESCE(a.number, ''), COALESCE(p.name, ''), pr.address_line1, o.scheduled_for,
                  (o.completed_at AT TIME ZONE %(tz)s)::date, COALESCE(u.username, ''),
                  CASE WHEN o.after_hours THEN 'yes' ELSE '' END, o.reason
             FROM utility_billing_serviceorder o
             JOIN utility_billing_premise pr ON pr.id = o.premise_id
             LEFT JOIN utility_billing_serviceaccount a ON a.id = o.account_id
             LEFT JOIN revenue_party p ON p.id = a.party_id
             LEFT JOIN auth_user u ON u.id = o.completed_by_id
            WHERE o.kind IN ('disconnect', 'reconnect')
              AND (o.created_at AT TIME ZONE %(tz)s)::date BETWEEN %(start)s AND %(end)s
            ORDER BY o.created_at, o.id""",
        {"tz": tz, "start": start, "end": end},
    )
    kinds, statuses = dict(ServiceOrder.Kind.choices), dict(ServiceOrder.Status.choices)
    done = {k: sum(1 for r in rows if r[2] == k and r[3] == "completed") for k in ("disconnect", "reconnect")}
    return Report(
        title="Shut-off log",
        subtitle=f"{start:%m/%d/%Y} to {end:%m/%d/%Y} · {done['disconnect']:,} disconnected, "
        f"{done['reconnect']:,} reconnected",
        columns=[
            Column("Requested", "date", 12),
            Column("Order", width=15),
            Column("Kind", width=24),
            Column("Status", width=11),
            Column("Account", width=11),
            Column("Customer", width=26),
            Column("Service address", width=24),
            Column("Scheduled", "date", 12),
            Column("Completed", "date", 12),
            Column("By", width=10),
            Column("After hours", width=8),
            Column("Reason", width=30),
        ],
        rows=[[r[0], r[1], kinds.get(r[2], r[2]), statuses.get(r[3], r[3]), *r[4:]] for r in rows],
        totals=["Total", f"{len(rows):,} orders", "", "", *[""] * 4, None, None, "", ""],
        filename=f"shutoff-log-{start:%Y-%m-%d}-{end:%Y-%m-%d}",
        sheet_name="Shut-off log",
    )
