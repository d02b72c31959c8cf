"""The permission matrix: each role against each core view."""

import pytest
from django.urls import reverse

from revenue import services
from tests.conftest import D

ROLES = ["clerk", "senior_clerk", "supervisor", "auditor", "field_crew"]


@pytest.fixture
def world(party, make_charge, clerk, fees):
    charge = make_charge(party, "40.00")
    req = services.approval_request(
        kind="waiver", target=charge, amount=D("5.00"), reason="test", acting_user=clerk
    )
    return {"party": party, "charge": charge, "req": req}


# view name, args builder, method, which roles get in (others get 403)
MATRIX = [
    ("home", lambda w: [], "get", ROLES),
    ("search", lambda w: [], "get", ["clerk", "senior_clerk", "supervisor", "auditor"]),
    (
        "party_detail",
        lambda w: [w["party"].number],
        "get",
        ["clerk", "senior_clerk", "supervisor", "auditor"],
    ),
    ("party_create", lambda w: [], "get", ["clerk", "senior_clerk", "supervisor"]),
    ("party_edit", lambda w: [w["party"].number], "get", ["clerk", "senior_clerk", "supervisor"]),
    ("charge_create", lambda w: [w["party"].number], "get", ["clerk", "senior_clerk", "supervisor"]),
    (
        "approval_request",
        lambda w: [w["charge"].pk, "waiver"],
        "get",
        ["clerk", "senior_clerk", "supervisor"],
    ),
    ("approval_list", lambda w: [], "get", ["clerk", "senior_clerk", "supervisor", "auditor"]),
    ("approval_decide", lambda w: [w["req"].pk], "post", ["supervisor"]),
    ("trial_balance", lambda w: [], "get", ["supervisor", "auditor"]),
    ("trial_balance_xlsx", lambda w: [], "get", ["supervisor", "auditor"]),
    ("account_activity", lambda w: ["100-1210"], "get", ["supervisor", "auditor"]),
    ("account_activity_xlsx", lambda w: ["100-1210"], "get", ["supervisor", "auditor"]),
    ("journal_entry", lambda w: [w["charge"].journal_entry.number], "get", ["supervisor", "auditor"]),
    ("refund_request", lambda w: [w["party"].number], "get", ["clerk", "senior_clerk", "supervisor"]),
    ("refunds_payable", lambda w: [], "get", ["supervisor", "auditor"]),
]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("name", "args", "method", "allowed"), MATRIX, ids=[m[0] for m in MATRIX])
def test_permission_matrix(client, world, request, role, name, args, method, allowed):
    client.force_login(request.getfixturevalue(role))
    url = reverse(name, args=args(world))
    response = client.post(url, {"decision": "deny", "note": "no"}) if method == "post" else client.get(url)
    if role in allowed:
        assert response.status_code in (200, 302), response.status_code
    else:
        assert response.status_code == 403
        assert "This needs the role" in response.content.decode()


def test_the_403_page_names_the_role_needed(client, clerk):
    client.force_login(clerk)
    response = client.get(reverse("trial_balance"))
    assert response.status_code == 403
    assert "This needs the role Auditor or Revenue Supervisor" in response.content.decode()


def test_an_auditor_changes_nothing(client, auditor, world):
    client.force_login(auditor)
    party = world["party"]
    posts = [
        (reverse("party_create"), {"kind": "person", "name": "Sneaky"}),
        (reverse("party_edit", args=[party.number]), {"kind": "person", "name": "Renamed"}),
        (reverse("charge_create", args=[party.number]), {"fee_type": "1", "quantity": "1", "token": "x"}),
        (reverse("approval_request", args=[world["charge"].pk, "waiver"]), {"amount": "1", "reason": "x"}),
        (reverse("approval_decide", args=[world["req"].pk]), {"decision": "approve"}),
    ]
    for url, data in posts:
        assert client.post(url, data).status_code == 403, url
    party.refresh_from_db()
    world["req"].refresh_from_db()
    assert party.name == "Alvarez, Rosa" and world["req"].status == "pending"


def test_a_clerk_cannot_approve_through_the_web(client, clerk, senior_clerk, world):
    for user in (clerk, senior_clerk):
        client.force_login(user)
        assert (
            client.post(
                reverse("approval_decide", args=[world["req"].pk]), {"decision": "approve"}
            ).status_code
            == 403
        )
    world["req"].refresh_from_db()
    assert world["req"].status == "pending"


def test_every_page_needs_a_login_but_the_login_page(client, world):
    for name, args, _m, _a in MATRIX:
        response = client.get(reverse(name, args=args(world)))
        assert response.status_code == 302 and response.url.startswith(reverse("login")), name
    assert client.get(reverse("login")).status_code == 200


def test_the_admin_is_for_staff_only(client, clerk, supervisor):
    client.force_login(clerk)
    assert client.get("/admin/").status_code == 302  # to the admin login
    client.force_login(supervisor)
    assert client.get("/admin/revenue/feetype/").status_code == 200
    assert client.get("/admin/auth/user/").status_code == 403  # users and groups: the administrator
