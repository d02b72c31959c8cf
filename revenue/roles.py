"""The roles (Django groups) and the core's permissions for each. Migration 0003 creates the
groups from this table; each duty app's own migration grants that app's permissions the same way
(`grant(apps, ROLE, ["app.codename", ...])`)."""

ASR_I = "Account Services Representative I"
ASR_II = "Account Services Representative II"
SUPERVISOR = "Revenue Supervisor"
AUDITOR = "Auditor"
FIELD_CREW = "Field Crew"
ALL_ROLES = [ASR_I, ASR_II, SUPERVISOR, AUDITOR, FIELD_CREW]

_COUNTER = [
    "revenue.view_party",
    "revenue.add_party",
    "revenue.change_party",
    "revenue.view_charge",
    "revenue.add_charge",
    "revenue.view_payment",
    "revenue.view_feetype",
    "revenue.view_feerate",
    "revenue.view_approvalrequest",
    "revenue.request_exception",
    "revenue.view_auditevent",
]
_READ_ALL = [
    f"revenue.view_{m}"
    for m in (
        "party",
        "fund",
        "account",
        "journalentry",
        "journalline",
        "feetype",
        "feerate",
        "charge",
        "payment",
        "paymentapplication",
        "auditevent",
        "approvalrequest",
        "exceptionlimit",
        "job",
        "officeconfig",
    )
] + ["revenue.view_trial_balance"]

CORE_PERMISSIONS = {
    ASR_I: _COUNTER,
    ASR_II: _COUNTER,
    SUPERVISOR: sorted(
        set(
            _COUNTER
            + _READ_ALL
            + [
                "revenue.approve_exception",
                "revenue.add_fund",
                "revenue.change_fund",
                "revenue.add_account",
                "revenue.change_account",
                "revenue.add_feetype",
                "revenue.change_feetype",
                "revenue.add_feerate",
                "revenue.add_exceptionlimit",
                "revenue.view_importprofile",
                "revenue.add_importprofile",
                "revenue.change_importprofile",
                "revenue.withdraw_config",
                "revenue.add_officeconfig",
            ]
        )
    ),
    AUDITOR: _READ_ALL,
    FIELD_CREW: [],
}


def grant(apps, role: str, perms: list[str]) -> None:
    """Create the group if needed and give it `perms` ("app_label.codename"). For migrations."""
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, verbosity=0, apps=apps)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=role)
    for perm in perms:
        app_label, codename = perm.split(".")
        group.permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=codename))


def roles_with(perm: str) -> list[str]:
    """The roles that hold a permission: for the 403 page's "this needs …" sentence."""
    from django.contrib.auth.models import Group

    app_label, codename = perm.split(".")
    return list(
        Group.objects.filter(permissions__codename=codename, permissions__content_type__app_label=app_label)
        .order_by("name")
        .values_list("name", flat=True)
    )
