"""Issue 12, point 7: sign-in is throttled by user name and by address (django-axes), the lock-out
page says what happened without telling whether the user name exists, the administrator unlocks,
lock-outs and unlocks are audited, and /admin/login/ is not a second way in."""

import pytest
from axes.models import AccessAttempt
from django.test import RequestFactory
from django.urls import reverse

from revenue.auth import client_address
from revenue.models import AuditEvent

LOGIN = "/login/"


def _post(client, username, password, addr="10.1.1.1"):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=addr)


def _signed_in(client) -> bool:
    return client.get(reverse("home")).status_code == 200


def test_after_the_limit_the_right_password_is_refused(client, clerk, settings):
    assert settings.AXES_FAILURE_LIMIT == 5
    for _ in range(4):
        assert _post(client, "clerk1", "wrong-guess-1").status_code == 200  # "didn't match"
    locked = _post(client, "clerk1", "wrong-guess-1")
    assert locked.status_code == 429
    page = locked.content.decode()
    assert "Sign-in is locked" in page and "30 minutes" in page and "system administrator" in page
    assert page.count("<h1") == 1
    right = _post(client, "clerk1", "counter-demo")
    assert right.status_code == 429
    assert not _signed_in(client)
    # from another address too: the lock is on the user name
    assert _post(client, "clerk1", "counter-demo", addr="10.9.9.9").status_code == 429


def test_the_lock_out_page_is_the_same_for_a_user_name_that_does_not_exist(client, clerk):
    pages = {}
    for name in ("clerk1", "nobody-here"):
        for _ in range(5):
            response = _post(client, name, "wrong-guess-1", addr=f"10.2.0.{len(pages) + 1}")
        assert response.status_code == 429
        pages[name] = response.content.decode().replace(name, "NAME")
    assert pages["clerk1"] == pages["nobody-here"]


def test_a_few_typos_lock_no_one_and_the_right_password_clears_them(client, clerk):
    for _ in range(4):
        _post(client, "clerk1", "typo-typo-typo")
    assert _post(client, "clerk1", "counter-demo").status_code == 302
    client.post(reverse("logout"))
    for _ in range(4):
        _post(client, "clerk1", "typo-typo-typo")
    assert _post(client, "clerk1", "counter-demo").status_code == 302


def test_an_address_walking_through_user_names_is_locked_for_every_user(client, supervisor, settings):
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 8
    for i in range(8):  # two tries each at four user names: no user name reaches its own limit
        _post(client, f"user{i // 2}", "wrong-guess-1", addr="10.3.3.3")
    assert _post(client, "supervisor", "counter-demo", addr="10.3.3.3").status_code == 429
    assert not _signed_in(client)
    # the supervisor from their own desk is not locked
    assert _post(client, "supervisor", "counter-demo", addr="10.3.3.4").status_code == 302


def test_the_lock_out_is_audited_once(client, clerk):
    for _ in range(7):
        _post(client, "clerk1", "wrong-guess-1")
    events = AuditEvent.objects.filter(action="login.locked_out")
    assert events.count() == 1
    event = events.get()
    assert event.target == clerk and event.actor is None
    assert event.after["ip_address"] == "10.1.1.1" and event.after["minutes"] == 30


def test_the_administrator_unlocks_and_it_is_audited(client, clerk, admin_user, supervisor):
    for _ in range(5):
        _post(client, "clerk1", "wrong-guess-1")
    assert _post(client, "clerk1", "counter-demo").status_code == 429
    attempts = list(AccessAttempt.objects.filter(username="clerk1").values_list("pk", flat=True))

    # a supervisor is staff but may not unlock (no one's role has axes' permissions)
    client.force_login(supervisor)
    assert client.get("/admin/axes/accessattempt/").status_code == 403
    client.force_login(admin_user)
    listing = client.get("/admin/axes/accessattempt/")
    assert listing.status_code == 200 and "clerk1" in listing.content.decode()
    response = client.post(
        "/admin/axes/accessattempt/", {"action": "unlock", "_selected_action": attempts}, follow=True
    )
    assert "Unlocked" in response.content.decode()
    assert not AccessAttempt.objects.filter(username="clerk1").exists()
    unlock = AuditEvent.objects.get(action="login.unlocked")
    assert unlock.actor == admin_user and unlock.before["username"] == "clerk1"

    client.post(reverse("logout"))
    assert _post(client, "clerk1", "counter-demo").status_code == 302
    assert _signed_in(client)


def test_admin_login_is_the_site_login(client, clerk, supervisor):
    response = client.get("/admin/login/?next=/admin/revenue/fund/")
    assert response.status_code == 302 and response.url == "/login/?next=%2Fadmin%2Frevenue%2Ffund%2F"
    assert client.get("/admin/").url.startswith("/admin/login/")
    # posting a password to the admin's URL signs no one in
    client.post("/admin/login/", {"username": "supervisor", "password": "counter-demo"})
    assert not _signed_in(client)
    # a signed-in clerk is told the admin is not for them, not sent round in a loop
    client.force_login(clerk)
    assert client.get("/admin/login/?next=/admin/").status_code == 403
    client.force_login(supervisor)
    assert client.get("/admin/login/?next=/admin/").url == "/admin/"


def test_failed_admin_logins_count_on_the_same_lock(client, supervisor):
    for _ in range(5):
        _post(client, "supervisor", "wrong-guess-1")
    assert _post(client, "supervisor", "counter-demo").status_code == 429


@pytest.mark.parametrize(
    "count,forwarded,remote,expected",
    [
        (0, "6.6.6.6", "10.0.0.1", "10.0.0.1"),  # no proxy: the header is the client's word, ignored
        (1, "6.6.6.6, 192.0.2.7", "10.0.0.1", "192.0.2.7"),  # what our proxy appended
        (2, "6.6.6.6, 192.0.2.7, 10.0.0.5", "10.0.0.1", "192.0.2.7"),
        (1, "", "10.0.0.1", "10.0.0.1"),
        (1, "not-an-address", "10.0.0.1", "10.0.0.1"),
    ],
)
def test_the_client_address_behind_proxies(settings, count, forwarded, remote, expected):
    settings.TRUSTED_PROXY_COUNT = count
    request = RequestFactory().get("/", HTTP_X_FORWARDED_FOR=forwarded, REMOTE_ADDR=remote)
    assert client_address(request) == expected
