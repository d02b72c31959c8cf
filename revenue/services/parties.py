"""Parties: people and businesses."""

from __future__ import annotations

from django.db import transaction

from ..models import (
    Party,
)
from .audit import audit, audit_many, snapshot
from .numbers import number_next, numbers_reserve

PARTY_FIELDS = [
    "kind",
    "name",
    "email",
    "phone",
    "address_line1",
    "address_line2",
    "city",
    "state",
    "postal_code",
    "notes",
    "notes_alert",
]


@transaction.atomic
def party_create(*, acting_user, **data) -> Party:
    party = Party(created_by=acting_user, **{k: v for k, v in data.items() if k in PARTY_FIELDS})
    party.number = number_next(kind="P", per_year=False)
    party.full_clean()
    party.save()
    audit(actor=acting_user, action="party.created", obj=party, after=snapshot(party, PARTY_FIELDS))
    return party


@transaction.atomic
def parties_create(*, acting_user, rows: list[dict]) -> list[Party]:
    """Create many parties at once (a demo city's or a bench's customers, an import): each row
    checked as party_create checks it, one block of numbers, one INSERT of the parties and one
    of their audit rows."""
    if not rows:
        return []
    block = numbers_reserve(kind="P", count=len(rows), per_year=False)
    parties = []
    for i, data in enumerate(rows):
        party = Party(created_by=acting_user, **{k: v for k, v in data.items() if k in PARTY_FIELDS})
        party.number = block.number(i)  # reserved: no other party can hold it
        party.full_clean(exclude=["created_by"], validate_unique=False)  # one user, checked once
        parties.append(party)
    parties = Party.objects.bulk_create(parties)
    audit_many(
        actor=acting_user,
        action="party.created",
        objs=parties,
        after=lambda party: snapshot(party, PARTY_FIELDS),
    )
    return parties


@transaction.atomic
def party_update(*, party: Party, acting_user, **data) -> Party:
    party = Party.objects.select_for_update(no_key=True).get(pk=party.pk)
    before = snapshot(party, PARTY_FIELDS)
    for k, v in data.items():
        if k in PARTY_FIELDS:
            setattr(party, k, v)
    party.full_clean()
    after = snapshot(party, PARTY_FIELDS)
    if before != after:
        party.save(update_fields=[k for k in PARTY_FIELDS if before[k] != after[k]])
        audit(actor=acting_user, action="party.updated", obj=party, before=before, after=after)
    return party
