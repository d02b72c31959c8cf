"""Sign-in hardening: lock-outs (django-axes), password rules, and the second factor's gate.

- `CounterAxesHandler` counts failed sign-ins per user name and per client address, each against
  its own limit (LOGIN_FAILURE_LIMIT, LOGIN_ADDRESS_FAILURE_LIMIT), so one clerk's typos never
  lock the whole office behind one address, while a guesser who walks through user names is
  stopped by the address limit.
- `lockout_response` is the page a locked sign-in gets: what happened, for how long, whom to call;
  the same for a user name that exists and one that does not.
- A lock-out is written to the core audit trail once, when it starts (`_audit_lockout`).
- `SecondFactorMiddleware` holds a signed-in user who has a TOTP device, or whose role must have
  one (OTP_REQUIRED_ROLES), to the code or enrolment page until the second factor is verified.
"""

from __future__ import annotations

import ipaddress
import re
from urllib.parse import urlencode

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username, get_cool_off
from axes.models import AccessAttempt
from axes.signals import user_locked_out
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in
from django.core.exceptions import ValidationError
from django.db.models import Sum
from django.dispatch import receiver
from django.shortcuts import redirect, render
from django.urls import reverse

SECOND_FACTOR_FREE = "rc_second_factor_free"  # session key: this user needs no code (checked once)


# --------------------------------------------------------------------------- client address


def client_address(request) -> str | None:
    """The client's address for lock-outs. Without trusted proxies, the socket's peer. Behind
    TRUSTED_PROXY_COUNT proxies that each append what they received from to X-Forwarded-For,
    the entry that many places from the right; anything further left was written by the client
    and is ignored. A malformed header falls back to the peer."""
    remote = request.META.get("REMOTE_ADDR") or None
    count = settings.TRUSTED_PROXY_COUNT
    if count <= 0:
        return remote
    hops = [h.strip() for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if h.strip()]
    if len(hops) < count:
        return remote
    try:
        return str(ipaddress.ip_address(hops[-count]))
    except ValueError:
        return remote


# --------------------------------------------------------------------------- lock-outs


def lockout_minutes(request=None) -> int:
    cool_off = get_cool_off(request)
    return int(cool_off.total_seconds() // 60) if cool_off else 0


class CounterAxesHandler(AxesDatabaseHandler):
    """django-axes' database handler with a separate limit for the user name and the address."""

    def get_failures(self, request, credentials=None) -> int:
        by = dict(
            zip(
                settings.AXES_LOCKOUT_PARAMETERS,
                (
                    qs.aggregate(n=Sum("failures_since_start"))["n"] or 0
                    for qs in self.get_user_attempts(request, credentials)
                ),
                strict=True,
            )
        )
        by_user, by_address = by.get("username", 0), by.get("ip_address", 0)
        if by_address >= settings.LOGIN_ADDRESS_FAILURE_LIMIT:
            return max(by_user, settings.AXES_FAILURE_LIMIT)  # reads as "at the limit" to axes
        return by_user

    def user_login_failed(self, sender, credentials, request=None, **kwargs):
        if request is not None:
            # so that the audit records a lock-out once, when it starts, not at every later try
            request.rc_was_locked = self.is_locked(request, credentials)
        return super().user_login_failed(sender, credentials, request=request, **kwargs)

    def reset_user_attempts(self, request, credentials=None) -> int:
        """A right password clears that user name's failures only. Clearing the address's too
        would let a guesser with one account of their own reset the address limit at will."""
        username = get_client_username(request, credentials)
        count, _ = AccessAttempt.objects.filter(username=username).delete()
        return count


def lockout_response(request, original_response=None, credentials=None):
    context = {
        "minutes": lockout_minutes(request),
        "limit": settings.AXES_FAILURE_LIMIT,
        "contact": settings.LOGIN_HELP_CONTACT,
    }
    return render(request, "registration/locked_out.html", context, status=429)


@receiver(user_locked_out)
def _audit_lockout(sender, request, username, ip_address, **kwargs):
    if getattr(request, "rc_was_locked", False):
        return
    from . import services

    user = get_user_model().objects.filter(username=username).first() if username else None
    target = user or AccessAttempt.objects.filter(username=username, ip_address=ip_address).first()
    if target is None:
        return
    services.audit(
        actor=None,
        action="login.locked_out",
        obj=target,
        after={
            "username": username or "",
            "ip_address": ip_address or "",
            "failures": getattr(request, "axes_failures_since_start", None),
            "minutes": lockout_minutes(request),
        },
        reason="Too many failed sign-ins",
    )


# --------------------------------------------------------------------------- passwords


class NoUserNameValidator:
    """Refuses a password that contains the user name (clerk1clerk1), whatever the similarity
    ratio says: the first thing a guesser tries."""

    def validate(self, password, user=None):
        username = (getattr(user, "username", "") or "").lower()
        if len(username) >= 3 and username in password.lower():
            raise ValidationError(
                "The password must not contain your user name.", code="password_has_username"
            )

    def get_help_text(self):
        return "Your password must not contain your user name."


class RepeatedPatternValidator:
    """Refuses a password that is one short piece repeated (abcabcabcabc, 111111111111)."""

    def validate(self, password, user=None):
        if re.fullmatch(r"(.{1,6}?)\1+", password, flags=re.DOTALL):
            raise ValidationError("The password must not be one piece repeated.", code="password_repeated")

    def get_help_text(self):
        return "Your password must not be a short piece repeated."


# --------------------------------------------------------------------------- second factor


def second_factor_required(user) -> bool:
    roles = settings.OTP_REQUIRED_ROLES
    if not roles:
        return False
    if user.is_superuser and "superuser" in roles:
        return True
    return user.groups.filter(name__in=roles).exists()


class SecondFactorMiddleware:
    """After the password, a user with a confirmed TOTP device sees only the code page, and a
    user whose role requires one but has none sees only the enrolment page, until verified.
    Public pages (login_not_required) and logging out stay open."""

    OPEN_WHILE_VERIFYING = {"otp_verify", "logout"}
    OPEN_WHILE_ENROLLING = {"otp_enrol", "logout"}

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = request.user
        if not user.is_authenticated or not getattr(view_func, "login_required", True):
            return None
        if user.is_verified() or request.session.get(SECOND_FACTOR_FREE) == _free_mark(user):
            return None
        from django_otp import user_has_device

        name = request.resolver_match.view_name if request.resolver_match else ""
        if user_has_device(user, confirmed=True):
            if name in self.OPEN_WHILE_VERIFYING:
                return None
            return redirect(_with_next("otp_verify", request))
        if second_factor_required(user):
            if name in self.OPEN_WHILE_ENROLLING:
                return None
            return redirect(_with_next("otp_enrol", request))
        request.session[SECOND_FACTOR_FREE] = _free_mark(user)
        return None


def _free_mark(user) -> str:
    """What the session remembers once it found this user needs no code: the user and the policy
    of that moment, so a changed OTP_REQUIRED_ROLES is checked again at the next request."""
    return f"{user.pk}|{','.join(settings.OTP_REQUIRED_ROLES)}"


def _with_next(view_name: str, request) -> str:
    url = reverse(view_name)
    if request.method == "GET" and request.get_full_path() != "/":
        url += "?" + urlencode({"next": request.get_full_path()})
    return url


@receiver(user_logged_in)
def _second_factor_check_at_login(sender, request, user, **kwargs):
    """Decide at sign-in whether this session will need a code, so that every later request
    costs the same (no device look-up on the first page only)."""
    if request is None or not hasattr(request, "session"):
        return
    from django_otp import user_has_device

    request.session.pop(SECOND_FACTOR_FREE, None)
    if not user_has_device(user, confirmed=True) and not second_factor_required(user):
        request.session[SECOND_FACTOR_FREE] = _free_mark(user)


# --------------------------------------------------------------------------- a second person


def countersign(request, *, username: str, password: str, token: str = ""):
    """A second person's password (and code, if they have a second factor) typed at someone else's
    screen: a supervisor approving at the clerk's window. It goes through the same back-ends as a
    sign-in, so django-axes counts a wrong password against that user name and refuses a locked
    one; it never signs them in, so the session stays the clerk's. Returns the user, or raises
    NotAllowed with a sentence for the form."""
    from django.contrib.auth import authenticate
    from django.contrib.auth.signals import user_login_failed
    from django_otp import devices_for_user

    from .exceptions import NotAllowed

    username = (username or "").strip()
    if not username or not password:
        raise NotAllowed("The supervisor types their user name and password.")
    user = authenticate(request, username=username, password=password)
    if getattr(request, "axes_locked_out", False):
        # axes' middleware would answer the clerk's page with the lock-out page; the lock is the
        # supervisor's, so the clerk's form says so instead
        request.axes_locked_out = False
        raise NotAllowed(
            f"Sign-in for {username} is locked for {lockout_minutes(request)} minutes after too many wrong passwords."
        )
    if user is None:
        raise NotAllowed("Wrong user name or password for the supervisor.")
    devices = list(devices_for_user(user, confirmed=True))
    if devices:
        code = (token or "").replace(" ", "")
        right = code.isascii() and code.isdigit() and any(d.verify_token(code) for d in devices)
        if not right:
            user_login_failed.send(
                sender=__name__, credentials={"username": username}, request=request
            )  # counted like a wrong password
            request.axes_locked_out = False
            raise NotAllowed(f"Enter the 6-digit code from {username}'s authenticator app.")
    return user
