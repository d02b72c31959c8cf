"""Reads of the rate screens: every schedule grouped by service and rate class with what is in
force on a day, and one schedule with its rows."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from .models import RateSchedule

IN_FORCE, COMING, REPLACED, WITHDRAWN = "in_force", "coming", "replaced", "withdrawn"
STATUS_WORDS = {
    IN_FORCE: ("In force", "success"),
    COMING: ("Coming", "warning"),
    REPLACED: ("Replaced", "secondary"),
    WITHDRAWN: ("Withdrawn", "danger"),
}


@dataclass
class ScheduleGroup:
    service: object
    rate_class: object
    rows: list[tuple[RateSchedule, str]] = field(default_factory=list)

    @property
    def in_force(self) -> RateSchedule | None:
        return next((s for s, status in self.rows if status == IN_FORCE), None)


def schedule_status(schedule: RateSchedule, in_force_pk: int | None, on: datetime.date) -> str:
    if schedule.is_withdrawn:
        return WITHDRAWN
    if schedule.pk == in_force_pk:
        return IN_FORCE
    return COMING if schedule.effective_from > on else REPLACED


def schedule_groups(*, on: datetime.date, service=None, rate_class=None) -> list[ScheduleGroup]:
    """Every schedule (withdrawn ones marked), grouped by service and rate class, newest first."""
    rows = RateSchedule.all_rows.select_related("service", "rate_class", "withdrawn_by").order_by(
        "service__sort_order", "service__code", "rate_class__code", "-effective_from", "-pk"
    )
    if service is not None:
        rows = rows.filter(service=service)
    if rate_class is not None:
        rows = rows.filter(rate_class=rate_class)
    groups: dict[tuple[int, int], list[RateSchedule]] = {}
    for row in rows:
        groups.setdefault((row.service_id, row.rate_class_id), []).append(row)
    out = []
    for schedules in groups.values():
        live = [s for s in schedules if not s.is_withdrawn and s.effective_from <= on]
        in_force_pk = live[0].pk if live else None
        group = ScheduleGroup(schedules[0].service, schedules[0].rate_class)
        group.rows = [(s, schedule_status(s, in_force_pk, on)) for s in schedules]
        out.append(group)
    return out


def schedule_with_rows(pk: int) -> RateSchedule | None:
    return (
        RateSchedule.all_rows.select_related("service", "rate_class", "created_by", "withdrawn_by")
        .prefetch_related("blocks", "fixed_charges__meter_size", "surcharges", "refuse_rates")
        .filter(pk=pk)
        .first()
    )


def block_table(schedule: RateSchedule) -> list[tuple]:
    """The blocks as a supervisor typed them: (from, to or None, price)."""
    blocks = list(schedule.blocks.all())
    return [
        (b.start, blocks[i + 1].start if i + 1 < len(blocks) else None, b.price) for i, b in enumerate(blocks)
    ]
