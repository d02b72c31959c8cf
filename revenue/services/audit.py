"""The audit trail: who changed what, when, before and after."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.db import models

from ..models import (
    AuditEvent,
)


def jsonable(value):
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime.date | datetime.datetime):
        return value.isoformat()
    if isinstance(value, models.Model):
        return str(value)
    return value


def snapshot(obj: models.Model, fields: Iterable[str]) -> dict:
    return {f: jsonable(getattr(obj, f)) for f in fields}


def audit(*, actor, action: str, obj: models.Model, before=None, after=None, reason: str = "") -> AuditEvent:
    return AuditEvent.objects.create(
        actor=actor,
        action=action,
        object_type=ContentType.objects.get_for_model(obj),
        object_id=obj.pk,
        object_repr=str(obj)[:250],
        before=_jsonable_dict(before),
        after=_jsonable_dict(after),
        reason=reason,
    )


def audit_many(*, actor, action: str, objs: list[models.Model], after=None, reason: str = "") -> None:
    """One audit row per object, in one INSERT (a set created at once); `after(obj)` gives
    each row's values."""
    if not objs:
        return
    object_type = ContentType.objects.get_for_model(objs[0])
    AuditEvent.objects.bulk_create(
        AuditEvent(
            actor=actor,
            action=action,
            object_type=object_type,
            object_id=obj.pk,
            object_repr=str(obj)[:250],
            after=_jsonable_dict(after(obj)) if after else None,
            reason=reason,
        )
        for obj in objs
    )


def _jsonable_dict(values: dict | None) -> dict | None:
    return None if values is None else {k: jsonable(v) for k, v in values.items()}


def audit_trail(obj: models.Model):
    return AuditEvent.objects.filter(
        object_type=ContentType.objects.get_for_model(obj), object_id=obj.pk
    ).select_related("actor")
