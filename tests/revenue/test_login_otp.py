"""Issue 12, point 8 (second factor): a user enrols a TOTP app, sign-in then asks for its code, a
wrong code is refused, and a role that must use it reaches only the enrolment page until it has."""

import pytest
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from revenue import roles
from revenue.models import AuditEvent


def _code(device, drift=0):
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, drift):06d}"


def _password_login(client, username):
    response = client.post("/login/", {"username": username, "password": "counter-demo"})
    assert response.status_code == 302
    return response


@pytest.fixture
def clerk_device(clerk):
    return TOTPDevice.objects.create(user=clerk, name="Authenticator app", confirmed=True)


def test_a_user_enrols_an_authenticator_app(client, clerk):
    client.force_login(clerk)
    page = client.get(reverse("otp_enrol"))
    html = page.content.decode()
    assert page.status_code == 200 and "data:image/svg+xml" in html and html.count("<h1") == 1
    assert 'for="id_token"' in html
    device = TOTPDevice.objects.get(user=clerk)
    assert not device.confirmed

    wrong = client.post(reverse("otp_enrol"), {"token": "000000" if _code(device) != "000000" else "111111"})
    assert wrong.status_code == 200 and "not right" in wrong.content.decode()
    device.refresh_from_db()
    assert not device.confirmed

    device.throttling_failure_count = 0  # the wrong code above started django-otp's back-off
    device.throttling_failure_timestamp = None
    device.save()
    response = client.post(reverse("otp_enrol"), {"token": _code(device)})
    assert response.status_code == 302
    device.refresh_from_db()
    assert device.confirmed
    assert AuditEvent.objects.filter(action="otp.enrolled", actor=clerk).exists()
    assert client.get(reverse("home")).status_code == 200  # verified in this session
    assert "is on" in client.get(reverse("otp_enrol")).content.decode()


def test_sign_in_then_asks_for_the_code(client, clerk, clerk_device):
    _password_login(client, "clerk1")
    home = client.get(reverse("home"))
    assert home.status_code == 302 and home.url.startswith(reverse("otp_verify"))
    party_page = client.get(reverse("party_create"))
    assert party_page.url == reverse("otp_verify") + "?next=%2Fparties%2Fnew%2F"
    page = client.get(reverse("otp_verify"))
    assert page.status_code == 200 and page.content.decode().count("<h1") == 1
    response = client.post(reverse("otp_verify"), {"token": _code(clerk_device), "next": "/parties/new/"})
    assert response.status_code == 302 and response.url == "/parties/new/"
    assert client.get(reverse("home")).status_code == 200


def test_a_wrong_code_is_refused(client, clerk, clerk_device):
    _password_login(client, "clerk1")
    wrong = "123456" if _code(clerk_device) != "123456" else "654321"
    response = client.post(reverse("otp_verify"), {"token": wrong})
    assert response.status_code == 200 and "not right" in response.content.decode()
    assert client.post(reverse("otp_verify"), {"token": "12ab56"}).status_code == 200  # no 500
    assert client.get(reverse("home")).status_code == 302
    assert client.get("/admin/").status_code == 302


def test_a_code_cannot_be_used_twice(client, clerk, clerk_device):
    code = _code(clerk_device)
    _password_login(client, "clerk1")
    assert client.post(reverse("otp_verify"), {"token": code}).status_code == 302
    client.post(reverse("logout"))
    _password_login(client, "clerk1")
    assert client.post(reverse("otp_verify"), {"token": code}).status_code == 200
    assert client.get(reverse("home")).status_code == 302


def test_a_required_role_without_a_device_reaches_only_the_enrolment_page(
    client, supervisor, clerk, settings
):
    settings.OTP_REQUIRED_ROLES = [roles.SUPERVISOR]
    client.force_login(supervisor)
    for url in (reverse("home"), reverse("trial_balance"), "/admin/", reverse("approval_list")):
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith(reverse("otp_enrol")), url
    page = client.get(reverse("otp_enrol"))
    assert page.status_code == 200 and "must use two-step sign-in" in page.content.decode()
    assert client.get(reverse("healthz")).status_code == 200  # public pages stay public
    assert client.post(reverse("logout")).status_code == 302
    # a clerk's role is not in the list
    client.force_login(clerk)
    assert client.get(reverse("home")).status_code == 200


def test_superuser_stands_for_the_system_administrators(client, admin_user, settings):
    settings.OTP_REQUIRED_ROLES = ["superuser"]
    client.force_login(admin_user)
    assert client.get("/admin/").url.startswith(reverse("otp_enrol"))


def test_without_a_policy_nobody_is_asked(client, supervisor):
    client.force_login(supervisor)
    assert client.get(reverse("home")).status_code == 200


def test_a_policy_switched_on_reaches_sessions_already_open(client, supervisor, settings):
    client.force_login(supervisor)
    assert client.get(reverse("home")).status_code == 200
    settings.OTP_REQUIRED_ROLES = [roles.SUPERVISOR]
    assert client.get(reverse("home")).url.startswith(reverse("otp_enrol"))
