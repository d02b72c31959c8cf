"""Issue 12, point 8 (passwords): the user-attribute, user-name, length, common, numeric and
repetition rules refuse weak passwords wherever a password is set."""

import pytest
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.urls import reverse

from revenue import demo
from revenue.models import AuditEvent

WEAK = ["clerk1clerk1", "84736291", "clerk1234", "abcabcabcabc", "password1234"]


@pytest.mark.parametrize("password", WEAK)
def test_weak_passwords_are_refused(clerk, password):
    with pytest.raises(ValidationError):
        password_validation.validate_password(password, clerk)


def test_the_minimum_length_is_twelve(clerk, settings):
    with pytest.raises(ValidationError, match="at least 12"):
        password_validation.validate_password("Tq8#vw!zLp", clerk)


def test_the_demo_password_passes_for_every_demo_user(role_groups):
    from django.contrib.auth.models import User

    people = [(u, f, la) for u, f, la, _role, _staff in demo.DEMO_USERS] + [
        ("admin", "System", "Administrator")
    ]
    for username, first, last in people:
        user = User(username=username, first_name=first, last_name=last)
        password_validation.validate_password(demo.DEMO_PASSWORD, user)


@pytest.mark.parametrize("password", ["clerk1clerk1", "84736291", "clerk1234"])
def test_a_user_cannot_change_to_a_weak_password(client, clerk, password):
    client.force_login(clerk)
    response = client.post(
        reverse("password_change"),
        {"old_password": "counter-demo", "new_password1": password, "new_password2": password},
    )
    assert response.status_code == 200 and "is-invalid" in response.content.decode()
    clerk.refresh_from_db()
    assert clerk.check_password("counter-demo")


def test_a_user_changes_to_a_good_password_and_it_is_audited(client, clerk):
    client.force_login(clerk)
    page = client.get(reverse("password_change")).content.decode()
    assert page.count("<h1") == 1 and 'for="id_new_password1"' in page
    response = client.post(
        reverse("password_change"),
        {
            "old_password": "counter-demo",
            "new_password1": "harbor lights 42",
            "new_password2": "harbor lights 42",
        },
    )
    assert response.status_code == 302
    clerk.refresh_from_db()
    assert clerk.check_password("harbor lights 42")
    assert AuditEvent.objects.filter(action="password.changed", actor=clerk).exists()


@pytest.mark.parametrize("password", ["clerk1clerk1", "84736291", "clerk1234"])
def test_the_administrator_cannot_set_a_weak_password(client, admin_user, clerk, password):
    client.force_login(admin_user)
    response = client.post(
        f"/admin/auth/user/{clerk.pk}/password/",
        {"password1": password, "password2": password, "usable_password": "true"},
    )
    assert response.status_code == 200
    clerk.refresh_from_db()
    assert clerk.check_password("counter-demo")
