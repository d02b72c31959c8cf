"""The set-based half of recording reads, shared by hand entry, the estimates and the file import:
stage the reads (meter serial and date) in a temporary table, gather every read's facts in one
query (the meter's installation on that date, the last actual read, whether an account is
active, the usage per day of recent periods and of the same period last year), let the pure rules
of read_rules.py decide, then write the outcomes with one INSERT … SELECT."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from .. import read_rules

_TEMP = """
DROP TABLE IF EXISTS read_stage, read_out;  -- when called twice in one transaction
CREATE TEMP TABLE read_stage (line integer PRIMARY KEY, serial text NOT NULL, read_on date NOT NULL)
    ON COMMIT DROP;
CREATE TEMP TABLE read_out (
    line integer, meter_id bigint, installation_id bigint, premise_id bigint, read_on date, value bigint,
    kind text, source text, status text, exception text, note text
) ON COMMIT DROP
"""

# one query for every staged read; its periods (iv) are premise-wide, so a meter change within the
# history still gives the premise's basis, while the last read is the installation's own
_FACTS = """
WITH s AS (
    SELECT DISTINCT ON (st.line) st.line, st.read_on, m.id AS meter_id, m.dials, m.multiplier,
           i.id AS installation_id, i.premise_id, i.installed_on, i.install_read
      FROM read_stage st
      LEFT JOIN utility_billing_meter m ON m.serial = st.serial
      LEFT JOIN utility_billing_meterinstallation i
             ON i.meter_id = m.id AND i.installed_on <= st.read_on
            AND (i.removed_on IS NULL OR i.removed_on >= st.read_on)
     ORDER BY st.line, i.installed_on DESC NULLS LAST
), premises AS (
    SELECT DISTINCT premise_id FROM s WHERE premise_id IS NOT NULL
), pts AS (
    SELECT r.installation_id, r.read_on, r.value
      FROM utility_billing_reading r
     WHERE r.status = 'accepted' AND r.kind <> 'estimate' AND r.premise_id IN (SELECT premise_id FROM premises)
    UNION
    SELECT i.id, i.installed_on, i.install_read
      FROM utility_billing_meterinstallation i
     WHERE i.premise_id IN (SELECT premise_id FROM premises)
), iv AS (
    -- read_rules.usage_between in SQL: (curr - prev) modulo 10^dials, times the multiplier
    SELECT premise_id, start_on, end_on, mod(value - prev_value + top, top) * multiplier AS usage
      FROM (SELECT i.premise_id, p.read_on AS end_on, p.value, m.multiplier,
                   power(10::numeric, m.dials)::bigint AS top,
                   lag(p.read_on) OVER w AS start_on, lag(p.value) OVER w AS prev_value
              FROM pts p
              JOIN utility_billing_meterinstallation i ON i.id = p.installation_id
              JOIN utility_billing_meter m ON m.id = i.meter_id
            WINDOW w AS (PARTITION BY p.installation_id ORDER BY p.read_on, p.value)) x
     WHERE start_on IS NOT NULL AND end_on > start_on
), last AS (
    SELECT s.line, s.premise_id, s.read_on,
           COALESCE(l.value, s.install_read) AS last_value, COALESCE(l.read_on, s.installed_on) AS last_on
      FROM s
      LEFT JOIN LATERAL (
            SELECT r.value, r.read_on FROM utility_billing_reading r
             WHERE r.installation_id = s.installation_id AND r.status = 'accepted' AND r.kind <> 'estimate'
               AND r.read_on < s.read_on
             ORDER BY r.read_on DESC, r.id DESC LIMIT 1) l ON true
     WHERE s.installation_id IS NOT NULL
), recent AS (
    SELECT line, sum(usage) AS usage, sum(end_on - start_on) AS days
      FROM (SELECT last.line, iv.usage, iv.start_on, iv.end_on,
                   row_number() OVER (PARTITION BY last.line ORDER BY iv.end_on DESC) AS n
              FROM last JOIN iv ON iv.premise_id = last.premise_id AND iv.end_on <= last.last_on) x
     WHERE n <= %(periods)s
     GROUP BY line
), last_year AS (
    SELECT line,
           sum(usage * (least(end_on, ly_end) - greatest(start_on, ly_start)) / (end_on - start_on)) AS usage,
           sum(least(end_on, ly_end) - greatest(start_on, ly_start)) AS days
      FROM (SELECT last.line, last.premise_id, (last.last_on - interval '1 year')::date AS ly_start,
                   (last.read_on - interval '1 year')::date AS ly_end
              FROM last) y
      JOIN iv ON iv.premise_id = y.premise_id AND iv.start_on < y.ly_end AND iv.end_on > y.ly_start
     GROUP BY line
)
SELECT s.line, s.read_on, s.meter_id, s.dials, s.multiplier, s.installation_id, s.premise_id, last.last_value,
       last.last_on,
       EXISTS (SELECT 1 FROM utility_billing_serviceaccount a
                WHERE a.premise_id = s.premise_id AND a.status IN ('active', 'final')
                  AND a.move_in <= s.read_on AND (a.move_out IS NULL OR a.move_out >= s.read_on)) AS active,
       recent.usage, recent.days, last_year.usage, last_year.days
  FROM s
  LEFT JOIN last USING (line)
  LEFT JOIN recent USING (line)
  LEFT JOIN last_year USING (line)
 ORDER BY s.line
"""

_INSERT = """
INSERT INTO utility_billing_reading (meter_id, installation_id, premise_id, read_on, value, kind, source,
                                     status, exception, exception_note, batch_id, order_id, created_at,
                                     created_by_id)
SELECT o.meter_id, o.installation_id, o.premise_id, o.read_on, o.value, o.kind, o.source, o.status,
       o.exception, o.note, %(batch)s, %(order)s, now(), %(user)s
  FROM read_out o
 ORDER BY o.line
ON CONFLICT DO NOTHING
RETURNING id, meter_id, read_on
"""


@dataclass(frozen=True)
class Found:
    """One staged read's facts (meter_id None: no such meter; installation_id None: not
    installed at a premise on the date)."""

    line: int
    meter_id: int | None
    dials: int | None
    multiplier: Decimal | None
    installation_id: int | None
    premise_id: int | None
    last_value: int | None
    last_on: datetime.date | None
    active: bool
    recent_daily: Decimal | None
    last_year_daily: Decimal | None

    def facts(self, value: int, read_on: datetime.date) -> read_rules.ReadFacts:
        return read_rules.ReadFacts(
            value=value,
            read_on=read_on,
            dials=self.dials,
            multiplier=self.multiplier,
            last_value=self.last_value,
            last_on=self.last_on,
            active=self.active,
            recent_daily=self.recent_daily,
            last_year_daily=self.last_year_daily,
        )


def stage(cur, rows) -> None:
    """New temporary tables, and `rows` of (line, serial, read_on) staged by COPY."""
    cur.execute(_TEMP)
    with cur.copy("COPY read_stage (line, serial, read_on) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def found(cur, *, periods: int) -> dict[int, Found]:
    """The staged reads' facts by line. A basis of last year counts only when it covers at least
    half of the period's days."""
    cur.execute(_FACTS, {"periods": periods})
    out = {}
    for row in cur.fetchall():
        line, read_on, meter, dials, mult, inst, premise, last_value, last_on, active, ru, rd, lu, ld = row
        period = max((read_on - last_on).days, 1) if last_on is not None else None
        covered = bool(ld and period and ld * 2 >= period)
        out[line] = Found(
            line, meter, dials, mult, inst, premise, last_value, last_on, bool(active),
            read_rules.daily_average(ru, rd), read_rules.daily_average(lu, ld) if covered else None,
        )  # fmt: skip
    return out


def write(cur, outcomes, *, acting_user, batch=None, order=None) -> list[tuple[int, int, datetime.date]]:
    """Insert the outcomes, each (line, meter_id, installation_id, premise_id, read_on, value,
    kind, source, status, exception, note); a read already on file for the meter, date and kind
    is left alone. Returns (id, meter_id, read_on) of the reads written."""
    with cur.copy(
        "COPY read_out (line, meter_id, installation_id, premise_id, read_on, value, kind, source, status, "
        "exception, note) FROM STDIN"
    ) as copy:
        for row in outcomes:
            copy.write_row(row)
    cur.execute(
        _INSERT,
        {"batch": batch.pk if batch else None, "order": order.pk if order else None, "user": acting_user.pk},
    )
    return cur.fetchall()
