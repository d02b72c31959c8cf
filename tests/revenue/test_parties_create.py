"""Many parties at once: checked as one is, numbered from one block, each audited."""

import pytest
from django.core.exceptions import ValidationError

from revenue import services
from revenue.models import AuditEvent, Party


def test_parties_created_at_once_are_numbered_and_audited(admin_user):
    single = services.party_create(acting_user=admin_user, kind="person", name="Before, One")
    parties = services.parties_create(
        acting_user=admin_user,
        rows=[{"kind": "person", "name": f"Many, {i}", "email": f"m{i}@example.org"} for i in range(5)],
    )
    after = services.party_create(acting_user=admin_user, kind="person", name="After, One")
    numbers = [single.number] + [p.number for p in parties] + [after.number]
    assert numbers == sorted(numbers) and len(set(numbers)) == 7
    assert (
        AuditEvent.objects.filter(action="party.created", object_id__in=[p.pk for p in parties]).count() == 5
    )


def test_a_bad_row_creates_none(admin_user):
    with pytest.raises(ValidationError):
        services.parties_create(
            acting_user=admin_user,
            rows=[
                {"kind": "person", "name": "Good, One"},
                {"kind": "person", "name": "Bad", "email": "nope"},
            ],
        )
    assert not Party.objects.exists()
