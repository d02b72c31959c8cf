"""Non-filer notices: one per missing period, never the same period twice."""

from __future__ import annotations

import datetime

from django.db import connection, transaction

from revenue import services as core
from revenue.exceptions import NotAllowed

from ..models import NonFilerNotice
from ..selectors import nonfilers


@transaction.atomic
def nonfiler_notices_send(*, acting_user, on: datetime.date | None = None) -> list[NonFilerNotice]:
    """Record a notice for every missing period not noticed before (never the same period twice)."""
    if not (acting_user.has_perm("tot.view_tot_reports") and acting_user.has_perm("tot.file_return")):
        raise NotAllowed("Your role cannot send non-filer notices.")
    on = on or core.city_today()
    rows = [
        NonFilerNotice(operator=m.operator, period_start=p, sent_on=on, created_by=acting_user)
        for m in nonfilers(on)
        for p in m.new_periods
    ]
    made = _insert_new_notices(rows)
    for m in {r.operator_id: r.operator for r in made}.values():
        core.audit(
            actor=acting_user,
            action="tot_operator.nonfiler_notice",
            obj=m,
            after={"periods": [f"{r.period_start:%Y-%m}" for r in made if r.operator_id == m.pk], "on": on},
        )
    return made


def _insert_new_notices(rows: list[NonFilerNotice]) -> list[NonFilerNotice]:
    """Insert the notices, skipping any period another clerk noticed meanwhile, and return only
    the rows this call inserted (INSERT … ON CONFLICT DO NOTHING RETURNING; bulk_create with
    ignore_conflicts would hand back every row, inserted or not)."""
    table = connection.ops.quote_name(NonFilerNotice._meta.db_table)
    inserted = {}
    with connection.cursor() as cursor:
        for i in range(0, len(rows), 1000):
            batch = rows[i : i + 1000]
            values = ", ".join(["(%s, %s, %s, %s)"] * len(batch))
            cursor.execute(
                f"INSERT INTO {table} (operator_id, period_start, sent_on, created_by_id) VALUES {values} "
                "ON CONFLICT (operator_id, period_start) DO NOTHING RETURNING id, operator_id, period_start",
                [x for r in batch for x in (r.operator_id, r.period_start, r.sent_on, r.created_by_id)],
            )
            inserted.update({(op_id, period): pk for pk, op_id, period in cursor.fetchall()})
    made = []
    for r in rows:
        pk = inserted.get((r.operator_id, r.period_start))
        if pk is not None:
            r.pk = pk
            r._state.adding = False
            made.append(r)
    return made
