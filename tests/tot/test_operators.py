"""TOT operators: who may add and change them, and the operator form's certificate number and rooms."""

import datetime
import uuid
from decimal import Decimal

import pytest
from django.urls import reverse

from revenue.exceptions import NotAllowed, RevenueError
from tot import services as ts
from tot.models import Operator

D = Decimal
d = datetime.date


def test_operators_are_added_and_changed_only_with_the_permission(hotel, auditor, field_crew, other_party):
    for user in (auditor, field_crew):
        with pytest.raises(NotAllowed):
            ts.operator_create(
                acting_user=user, party=other_party, certificate_number="TOT-X", name="X", kind="hotel",
                location="x", rooms=1, opened_on=d(2025, 1, 1),
            )  # fmt: skip
        with pytest.raises(NotAllowed):
            ts.operator_update(operator=hotel, acting_user=user, rooms=41)
    hotel.refresh_from_db()
    assert hotel.rooms == 40 and Operator.objects.count() == 1


def _operator_form(party, **over):
    return {
        "token": str(uuid.uuid4()),
        "party_number": party.number,
        "certificate_number": "TOT-77",
        "name": "Gull Cottage",
        "kind": "str",
        "location": "3 Dune Rd",
        "rooms": "1",
        "status": "active",
        "opened_on": "2025-03-01",
        **over,
    }


@pytest.mark.parametrize("number", ["TÖT-1", "TOT 1", "TOT_1", "ＴＯＴ１", "TOT-1²"])
def test_a_certificate_number_is_plain_letters_digits_and_dashes(
    client, clerk, tot_policy, other_party, admin_user, number
):
    client.force_login(clerk)
    response = client.post(
        reverse("tot:operator_new"), _operator_form(other_party, certificate_number=number)
    )
    assert (
        response.status_code == 200
        and "letters A to Z, digits 0 to 9 and dashes" in response.content.decode()
    )
    assert not Operator.objects.exists()
    with pytest.raises(RevenueError, match="letters A to Z"):
        ts.operator_create(
            acting_user=admin_user, party=other_party, certificate_number=number, name="X", kind="hotel",
            location="x", rooms=1, opened_on=d(2025, 1, 1),
        )  # fmt: skip


def test_a_lowercase_certificate_number_is_uppercased(client, clerk, tot_policy, other_party):
    client.force_login(clerk)
    client.post(reverse("tot:operator_new"), _operator_form(other_party, certificate_number=" tot-9a "))
    assert Operator.objects.get().certificate_number == "TOT-9A"


def test_rooms_are_bounded(client, clerk, tot_policy, other_party, admin_user, hotel):
    client.force_login(clerk)
    response = client.post(reverse("tot:operator_new"), _operator_form(other_party, rooms="3000000000"))
    assert response.status_code == 200 and "At most 100,000 rooms" in response.content.decode()
    edit = {k: v for k, v in _operator_form(other_party).items() if k not in ("token", "certificate_number")}
    response = client.post(
        reverse("tot:operator_edit", args=[hotel.certificate_number]), {**edit, "rooms": "3000000000"}
    )
    assert response.status_code == 200 and "At most 100,000 rooms" in response.content.decode()
    with pytest.raises(RevenueError, match="at most 100,000"):
        ts.operator_update(operator=hotel, acting_user=admin_user, rooms=3_000_000_000)
    hotel.refresh_from_db()
    assert hotel.rooms == 40 and Operator.objects.count() == 1
