"""Signing in, in Chromium: wrong passwords lock the user name (the right one no longer opens
it), and a clerk turns on two-step sign-in under Account, then signs in with a code."""

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from revenue.models import AuditEvent
from tests.e2e.conftest import login

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _code(device, drift=0):
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, drift):06d}"


def test_wrong_passwords_lock_the_user_name(page, live_server, clerk):
    def sign_in(password):
        page.goto(f"{live_server.url}/login/")
        page.fill("#id_username", "clerk1")
        page.fill("#id_password", password)
        page.press("#id_password", "Enter")
        page.wait_for_load_state()

    for _ in range(4):
        sign_in("not-the-password")
        assert page.locator("#id_username").count() == 1  # still the login form
    sign_in("not-the-password")  # the fifth
    assert page.locator("h1").inner_text() == "Sign-in is locked"
    sign_in("counter-demo")  # the right one, too late
    assert page.locator("h1").inner_text() == "Sign-in is locked"
    assert AuditEvent.objects.filter(action="login.locked_out").count() == 1


def test_a_clerk_turns_on_two_step_sign_in_and_signs_in_with_a_code(page, live_server, senior_clerk):
    login(page, live_server, "clerk2")
    page.click("#nav-account")
    page.wait_for_function("document.activeElement.name === 'token'")  # the code field has the focus
    device = TOTPDevice.objects.get(user=senior_clerk)
    page.keyboard.type(_code(device))
    with page.expect_navigation():
        page.keyboard.press("Enter")
    device.refresh_from_db()
    assert device.confirmed

    page.get_by_role("button", name="Log out").click()
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", "clerk2")
    page.fill("#id_password", "counter-demo")
    page.press("#id_password", "Enter")
    page.wait_for_url("**/login/code/**")
    page.goto(f"{live_server.url}/receivables/invoices/")  # nothing opens before the code
    assert "/login/code/" in page.url
    page.fill("input[name=token]", _code(device, drift=1))  # the next step's code: a code is used once
    page.press("input[name=token]", "Enter")
    page.wait_for_url("**/receivables/invoices/")  # on to the page asked for
    assert page.locator("h1").first.is_visible()
