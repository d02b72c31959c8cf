"""The administrator's screens for sign-in: unlocking a locked user name or address (django-axes'
access attempts) and removing a lost authenticator (django-otp's TOTP devices), each audited.
They need axes' and otp_totp's own permissions, which no role is given: only the system
administrator (superuser) has them."""

from axes.admin import AccessAttemptAdmin
from axes.models import AccessAttempt
from django.contrib import admin, messages
from django_otp.plugins.otp_totp.admin import TOTPDeviceAdmin
from django_otp.plugins.otp_totp.models import TOTPDevice

from . import services


def _audit_unlock(request, attempt):
    services.audit(
        actor=request.user,
        action="login.unlocked",
        obj=attempt,
        before={
            "username": attempt.username or "",
            "ip_address": attempt.ip_address or "",
            "failures": attempt.failures_since_start,
        },
    )


admin.site.unregister(AccessAttempt)


@admin.register(AccessAttempt)
class UnlockAdmin(AccessAttemptAdmin):
    actions = ["unlock", *AccessAttemptAdmin.actions]

    @admin.action(description="Unlock: clear the selected failed sign-ins", permissions=["delete"])
    def unlock(self, request, queryset):
        count = len(queryset)
        self.delete_queryset(request, queryset)
        self.message_user(
            request, f"Unlocked: {count} record(s) of failed sign-ins cleared.", messages.SUCCESS
        )

    def delete_model(self, request, obj):
        _audit_unlock(request, obj)
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for attempt in queryset:
            _audit_unlock(request, attempt)
        super().delete_queryset(request, queryset)


admin.site.unregister(TOTPDevice)


@admin.register(TOTPDevice)
class AuditedTOTPDeviceAdmin(TOTPDeviceAdmin):
    def delete_model(self, request, obj):
        services.audit(actor=request.user, action="otp.removed", obj=obj.user, before={"device": obj.name})
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for device in queryset.select_related("user"):
            services.audit(
                actor=request.user, action="otp.removed", obj=device.user, before={"device": device.name}
            )
        super().delete_queryset(request, queryset)
