"""Effective-dated configuration, one mechanism for every app: a row is in force from its date
until the next row of its scope, and a row added by mistake is *withdrawn* (who, when, why)
rather than edited or deleted. A withdrawn row is no longer in force anywhere, because the
default manager leaves it out, and it frees its date for a corrected row (the uniqueness of
the date holds among rows not withdrawn). What has already used a row keeps it: the withdrawal
is refused, and a later row replaces it instead (`revenue.services.config_withdraw`)."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q


class InForceManager(models.Manager):
    """Rows not withdrawn: every read of configuration (policy_on, in_force, a related
    manager such as `fee_type.rates`) goes through this default manager."""

    def get_queryset(self):
        return super().get_queryset().filter(withdrawn_at__isnull=True)


class AllRowsManager(models.Manager):
    """Every row, withdrawn ones too: the admin's lists and the withdrawal itself."""


class EffectiveDated(models.Model):
    """Mixin of every effective-dated configuration table. A model names the fields that
    partition its rows (`config_scope`: one row in force per fee type, per violation …) and
    says what has used a row while it was in force (`config_used`)."""

    withdrawn_at = models.DateTimeField(null=True, blank=True, editable=False)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        editable=False,
        on_delete=models.PROTECT,
        related_name="+",
    )
    withdrawn_reason = models.CharField(max_length=250, blank=True, default="", editable=False)

    config_scope: tuple[str, ...] = ()

    objects = InForceManager()
    all_rows = AllRowsManager()

    class Meta:
        abstract = True

    @property
    def is_withdrawn(self) -> bool:
        return self.withdrawn_at is not None

    @classmethod
    def config_rows(cls):
        """The rows that can be in force (an exception limit waiting for approval is not)."""
        return cls.objects.all()

    def config_used(self, until: datetime.date | None) -> str:
        """What used this row while it was in force, from `effective_from` up to (not including)
        `until`, the next row's date (None: still in force), as a sentence; "" when nothing did."""
        raise NotImplementedError(f"{type(self).__name__} must say what uses its rows")


def one_in_force(*fields: str, name: str) -> models.UniqueConstraint:
    """One row per scope and date among the rows not withdrawn: a withdrawn row frees its date."""
    return models.UniqueConstraint(
        fields=[*fields, "effective_from"], condition=Q(withdrawn_at__isnull=True), name=name
    )


def during(field: str, start: datetime.date, until: datetime.date | None) -> Q:
    """`field` (a date, or a datetime compared by its city date with `field__date`) within
    [start, until): the filter a model's `config_used` applies to what it counts."""
    q = Q(**{f"{field}__gte": start})
    return q & Q(**{f"{field}__lt": until}) if until else q


def used_sentence(counts: list[tuple[int, str]]) -> str:
    """ "3 charges and 1 license" from (count, singular noun) pairs; "" when every count is zero."""
    parts = [f"{n:,} {noun}{'' if n == 1 else 's'}" for n, noun in counts if n]
    return " and ".join([", ".join(parts[:-1]), parts[-1]] if len(parts) > 1 else parts)
