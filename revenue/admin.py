"""Configuration in the Django admin: funds, accounts, fee types and their effective-dated
rates, users and groups. Every change is written to the audit trail; rates are never edited,
a new rate with a later effective date replaces them."""

from django.contrib import admin, messages
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group, User
from django.db import transaction
from django.forms.models import model_to_dict
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.timezone import localtime

from . import config_views, services
from .exceptions import RevenueError
from .models import Account, AuditEvent, ExceptionLimit, FeeRate, FeeType, Fund, OfficeConfig


class AuditedAdmin(admin.ModelAdmin):
    def save_model(self, request, obj, form, change):
        before = None
        if change:
            old = type(obj).objects.get(pk=obj.pk)
            before = {k: services.jsonable(v) for k, v in model_to_dict(old).items()}
        super().save_model(request, obj, form, change)
        after = {k: services.jsonable(v) for k, v in model_to_dict(obj).items()}
        services.audit(
            actor=request.user,
            action=f"{obj._meta.model_name}.{'changed' if change else 'created'}",
            obj=obj,
            before=before,
            after=after,
        )

    def has_delete_permission(self, request, obj=None):
        return False  # configuration is deactivated, never deleted: the ledger refers to it


@admin.register(Fund)
class FundAdmin(AuditedAdmin):
    list_display = ["code", "name"]


@admin.register(Account)
class AccountAdmin(AuditedAdmin):
    list_display = ["number", "name", "fund", "type", "role", "active"]
    list_filter = ["fund", "type", "role", "active"]
    search_fields = ["number", "name"]


class FeeRateInline(admin.TabularInline):
    """A fee's rates: added here, never edited; one added by mistake is withdrawn (its link)."""

    model = FeeRate
    extra = 1
    ordering = ["-effective_from"]

    def get_fields(self, request, obj=None):
        return [
            "effective_from",
            "amount",
            "pass_through_amount",
            "created_by",
            "created_at",
            *self._cells(request),
        ]

    def get_readonly_fields(self, request, obj=None):
        return ["created_by", "created_at", *self._cells(request)]

    def _cells(self, request):
        if not hasattr(request, "_withdrawal_column"):
            request._withdrawal_column = withdrawal_column(request.user)
        return [request._withdrawal_column]

    def get_queryset(self, request):
        return FeeRate.all_rows.order_by("-effective_from")

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(FeeType)
class FeeTypeAdmin(AuditedAdmin):
    list_display = ["code", "name", "revenue_account", "counter_fee", "active", "current_amount"]
    list_filter = ["active", "counter_fee"]
    search_fields = ["code", "name"]
    inlines = [FeeRateInline]

    @admin.display(description="Amount today")
    def current_amount(self, obj):
        try:
            return services.fee_rate_on(fee_type=obj).amount
        except RevenueError:
            return "—"

    def save_formset(self, request, form, formset, change):
        for rate_form in formset.forms:
            if rate_form.has_changed() and not rate_form.instance.pk:
                d = rate_form.cleaned_data
                if d and not d.get("DELETE"):
                    services.fee_rate_set(
                        fee_type=form.instance,
                        effective_from=d["effective_from"],
                        amount=d["amount"],
                        pass_through_amount=d["pass_through_amount"],
                        acting_user=request.user,
                    )
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []


class EffectiveDatedAdmin(AuditedAdmin):
    """Configuration that takes effect from a date: rows are added, never edited (a later row
    replaces an earlier one), and record who added them (always the person saving: never a
    field of the form). A row added by mistake is withdrawn (supervisor, with a reason) before
    anything used it: the one withdraw screen of every configuration, `<row>/withdraw/`."""

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request, obj)

    def get_exclude(self, request, obj=None):
        return [*(super().get_exclude(request, obj) or []), "created_by"]

    def get_queryset(self, request):
        return self.model.all_rows.all()  # withdrawn rows stay listed, marked

    def get_list_display(self, request):
        return [*super().get_list_display(request), withdrawal_column(request.user)]

    def save_model(self, request, obj, form, change):
        obj.created_by = request.user
        super().save_model(request, obj, form, change)

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        withdraw = path("<path:object_id>/withdraw/", self.withdraw_view, name="{}_{}_withdraw".format(*info))
        return [withdraw, *super().get_urls()]

    def withdraw_view(self, request, object_id):
        return config_views.withdraw(request, self, object_id)

    def withdraw_done_url(self, row) -> str:
        info = self.opts.app_label, self.opts.model_name
        return reverse("admin:{}_{}_changelist".format(*info))


def withdrawal_column(user):
    """The list's last column for this user (a column per request: the admin is shared)."""

    @admin.display(description="Withdrawn")
    def withdrawn(row):
        return withdrawal_cell(row, user) if row.pk else ""

    return withdrawn


def withdrawal_cell(row, user):
    """The list's last column: when, by whom and why a row was withdrawn, or the link to do it."""
    if row.is_withdrawn:
        return format_html(
            "{} by {}: {}",
            localtime(row.withdrawn_at).strftime("%m/%d/%Y"),
            row.withdrawn_by,
            row.withdrawn_reason,
        )
    if user is not None and user.has_perm(services.WITHDRAW_PERMISSION):
        info = row._meta.app_label, row._meta.model_name
        url = reverse("admin:{}_{}_withdraw".format(*info), args=[row.pk])
        return format_html('<a href="{}">Withdraw…</a>', url)
    return "—"


@admin.register(FeeRate)
class FeeRateAdmin(EffectiveDatedAdmin):
    """Every fee's rates in one list, withdrawn ones marked. Rates are added on their fee's page."""

    list_display = ["fee_type", "effective_from", "amount", "pass_through_amount", "created_by"]
    list_filter = ["fee_type"]

    def has_add_permission(self, request):
        return False

    def withdraw_done_url(self, row) -> str:
        return reverse("admin:revenue_feetype_change", args=[row.fee_type_id])


@admin.register(ExceptionLimit)
class ExceptionLimitAdmin(EffectiveDatedAdmin):
    """Limits are effective-dated like rates: a new limit from a later date replaces an old one.
    A limit added here takes effect only when another supervisor approves it (Approvals), so
    nobody raises their own authority and uses it at once."""

    list_display = [
        "role",
        "kind",
        "max_amount",
        "daily_max_amount",
        "party_daily_max_amount",
        "effective_from",
        "state",
        "created_by",
        "created_at",
    ]
    list_filter = ["role", "kind", "state"]
    fields = ["role", "kind", "effective_from", "max_amount", "daily_max_amount", "party_daily_max_amount"]

    def save_model(self, request, obj, form, change):
        obj.created_by = request.user
        obj.state = "pending"
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            services.approval_request(
                kind="config",
                target=obj,
                reason=f"New exception limit: {obj}",
                acting_user=request.user,
            )
        messages.warning(
            request, "The limit takes effect when another supervisor approves it under Approvals."
        )


@admin.register(OfficeConfig)
class OfficeConfigAdmin(EffectiveDatedAdmin):
    """The office's phone, hours, address, web address and second-language line, as every letter,
    notice and receipt prints them; a supervisor adds a row from a date (audited)."""

    list_display = ["effective_from", "office_name", "phone", "hours", "web", "created_by", "created_at"]
    fields = ["effective_from", "office_name", "address", "phone", "hours", "web", "second_language_line"]


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ["at", "actor", "action", "object_repr"]
    list_filter = ["action"]
    search_fields = ["object_repr", "action"]
    readonly_fields = [f.name for f in AuditEvent._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


admin.site.site_header = "Revenue Counter configuration"
admin.site.site_title = "Revenue Counter"


class RoleAdmin(GroupAdmin):
    """Roles (groups) are the system administrator's; a change to a role's permissions takes
    effect only when a supervisor approves it under Approvals."""

    def save_related(self, request, form, formsets, change):
        permissions = form.cleaned_data.get("permissions")
        if permissions is None:
            return super().save_related(request, form, formsets, change)
        form.cleaned_data["permissions"] = form.instance.permissions.all()  # nothing changes yet
        super().save_related(request, form, formsets, change)
        if services.role_change_request(
            group=form.instance, permissions=permissions, acting_user=request.user
        ):
            messages.warning(
                request,
                "The change to this role's permissions takes effect when a supervisor approves it under Approvals.",
            )


admin.site.unregister(Group)
admin.site.register(Group, RoleAdmin)


class CounterUserAdmin(UserAdmin):
    """Users get their permissions from their roles only: no permission given to one person
    (it would bypass the approval of role changes), and the superuser flag is set from the
    command line (`createsuperuser`), not on this screen. Every change of a user's roles,
    staff or active flag is audited."""

    fieldsets = (
        (None, {"fields": ("username", "password")}),
        ("Personal info", {"fields": ("first_name", "last_name", "email")}),
        ("Roles", {"fields": ("is_active", "is_staff", "groups")}),
        ("Important dates", {"fields": ("last_login", "date_joined")}),
    )
    readonly_fields = ("last_login", "date_joined")

    def _roles(self, user) -> dict:
        return {
            "roles": sorted(user.groups.values_list("name", flat=True)) if user.pk else [],
            "is_staff": user.is_staff,
            "is_active": user.is_active,
        }

    def save_related(self, request, form, formsets, change):
        before = self._roles(User.objects.get(pk=form.instance.pk)) if change else None
        super().save_related(request, form, formsets, change)
        after = self._roles(form.instance)
        if before != after:
            services.audit(
                actor=request.user, action="user.roles_changed", obj=form.instance, before=before, after=after
            )


admin.site.unregister(User)
admin.site.register(User, CounterUserAdmin)

from . import auth_admin  # noqa: E402, F401  (sign-in: unlock and lost-authenticator screens)
