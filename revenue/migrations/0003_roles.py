"""The roles and the core's permissions as they stand at this migration (frozen here; later
migrations grant what later models add; revenue/roles.py holds the current whole table and a
test checks the two agree)."""

from django.db import migrations

from revenue.roles import ASR_I, ASR_II, AUDITOR, FIELD_CREW, SUPERVISOR, grant

PERMISSIONS = {
    ASR_I: [
        "revenue.add_charge",
        "revenue.add_party",
        "revenue.change_party",
        "revenue.request_exception",
        "revenue.view_approvalrequest",
        "revenue.view_auditevent",
        "revenue.view_charge",
        "revenue.view_feerate",
        "revenue.view_feetype",
        "revenue.view_party",
        "revenue.view_payment",
    ],
    ASR_II: [
        "revenue.add_charge",
        "revenue.add_party",
        "revenue.change_party",
        "revenue.request_exception",
        "revenue.view_approvalrequest",
        "revenue.view_auditevent",
        "revenue.view_charge",
        "revenue.view_feerate",
        "revenue.view_feetype",
        "revenue.view_party",
        "revenue.view_payment",
    ],
    SUPERVISOR: [
        "revenue.add_account",
        "revenue.add_charge",
        "revenue.add_exceptionlimit",
        "revenue.add_feerate",
        "revenue.add_feetype",
        "revenue.add_fund",
        "revenue.add_party",
        "revenue.approve_exception",
        "revenue.change_account",
        "revenue.change_feetype",
        "revenue.change_fund",
        "revenue.change_party",
        "revenue.request_exception",
        "revenue.view_account",
        "revenue.view_approvalrequest",
        "revenue.view_auditevent",
        "revenue.view_charge",
        "revenue.view_exceptionlimit",
        "revenue.view_feerate",
        "revenue.view_feetype",
        "revenue.view_fund",
        "revenue.view_journalentry",
        "revenue.view_journalline",
        "revenue.view_party",
        "revenue.view_payment",
        "revenue.view_paymentapplication",
        "revenue.view_trial_balance",
    ],
    AUDITOR: [
        "revenue.view_account",
        "revenue.view_approvalrequest",
        "revenue.view_auditevent",
        "revenue.view_charge",
        "revenue.view_exceptionlimit",
        "revenue.view_feerate",
        "revenue.view_feetype",
        "revenue.view_fund",
        "revenue.view_journalentry",
        "revenue.view_journalline",
        "revenue.view_party",
        "revenue.view_payment",
        "revenue.view_paymentapplication",
        "revenue.view_trial_balance",
    ],
    FIELD_CREW: [],
}


def create_roles(apps, schema_editor):
    for role, perms in PERMISSIONS.items():
        grant(apps, role, perms)


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=list(PERMISSIONS)).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("revenue", "0002_ledger_integrity"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]
