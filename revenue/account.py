"""The signed-in user's own account: the second factor (enrol a TOTP app, give its code after the
password) and changing one's password. Also the admin's login URL, which leads to the one login
page."""

from __future__ import annotations

import base64

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.views.decorators.http import require_http_methods
from django_otp import devices_for_user
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from . import services
from .auth import second_factor_required
from .documents import qr_svg

DEVICE_NAME = "Authenticator app"


class TokenForm(forms.Form):
    token = forms.CharField(
        label="6-digit code from your authenticator app",
        min_length=6,
        max_length=8,
        widget=forms.TextInput(
            attrs={
                "inputmode": "numeric",
                "autocomplete": "one-time-code",
                "pattern": "[0-9 ]*",
                "autofocus": True,
            }
        ),
    )

    def clean_token(self):
        token = self.cleaned_data["token"].replace(" ", "")
        if not (token.isascii() and token.isdigit()):
            raise forms.ValidationError("The code is digits only.")
        return token


def _half_signed_in(request, context: dict) -> dict:
    """Between the password and the code the user may open nothing else: the page shows no
    menu (the base template shows it to a signed-in `user`), and names them as `account`."""
    return {**context, "user": AnonymousUser(), "account": request.user}


def _next_url(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target.startswith("/") and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("home")


@login_not_required
def admin_login(request):
    """/admin/login/ is not a second way in: it leads to the site's login page (throttled, and
    asking for the second factor). A signed-in user who is not staff is told so, not sent round
    the login page and back again."""
    if request.user.is_authenticated:
        if request.user.is_staff:
            return HttpResponseRedirect(_next_url(request))
        raise PermissionDenied(
            "Configuration is for staff: the supervisors, the auditor and the administrator."
        )
    target = request.GET.get("next") or reverse("admin:index")
    return redirect(f"{reverse('login')}?{urlencode({'next': target})}")


@require_http_methods(["GET", "POST"])
def otp_verify(request):
    """The second step of signing in: the code from the user's authenticator app."""
    if request.user.is_verified():
        return HttpResponseRedirect(_next_url(request))
    devices = list(devices_for_user(request.user, confirmed=True))
    if not devices:
        return redirect("otp_enrol")
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        for device in devices:
            allowed, _detail = device.verify_is_allowed()
            if not allowed:
                form.add_error(None, "Too many wrong codes. Wait a minute, then enter the code shown now.")
                break
            if device.verify_token(form.cleaned_data["token"]):
                otp_login(request, device)
                return HttpResponseRedirect(_next_url(request))
        else:
            form.add_error("token", "That code is not right, or has expired. Enter the code shown now.")
    context = {"form": form, "next": _next_url(request), "contact": settings.LOGIN_HELP_CONTACT}
    return render(request, "registration/otp_verify.html", _half_signed_in(request, context))


@require_http_methods(["GET", "POST"])
def otp_enrol(request):
    """Turn on two-step sign-in: scan the QR code into an authenticator app, then type a code to
    confirm it. With a confirmed app already, the page says so (a lost phone is removed by the
    system administrator in Configuration, and the user enrols again)."""
    user = request.user
    confirmed = list(devices_for_user(user, confirmed=True))
    if confirmed:
        return render(request, "registration/otp_enrol.html", {"enrolled": True, "required": False})
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["token"]):
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            TOTPDevice.objects.filter(user=user, confirmed=False).delete()
            otp_login(request, device)
            services.audit(actor=user, action="otp.enrolled", obj=user, after={"device": device.name})
            messages.success(request, "Two-step sign-in is on. From now on, sign-in asks for a code.")
            return HttpResponseRedirect(_next_url(request))
        form.add_error(
            "token", "That code is not right. Check the app shows this account, then try the newest code."
        )
    key = base64.b32encode(device.bin_key).decode()
    context = {
        "enrolled": False,
        "required": second_factor_required(user),
        "form": form,
        "qr": qr_svg(device.config_url),
        "key": " ".join(key[i : i + 4] for i in range(0, len(key), 4)),
        "next": _next_url(request),
    }
    if context["required"]:
        context = _half_signed_in(request, context)
    return render(request, "registration/otp_enrol.html", context)


class PasswordChangeView(auth_views.PasswordChangeView):
    """Changing one's own password: the old one, then the new one twice, held to the rules."""

    template_name = "registration/account_password.html"
    success_url = reverse_lazy("home")

    def form_valid(self, form):
        response = super().form_valid(form)
        services.audit(actor=self.request.user, action="password.changed", obj=self.request.user)
        messages.success(self.request, "Your password is changed.")
        return response
