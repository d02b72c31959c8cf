"""The roles, with the core's permissions as they stood at this migration. Later migrations
grant what later models add (see 0007); revenue/roles.py holds the current whole table."""

from django.db import migrations

from revenue.roles import ASR_I, ASR_II, AUDITOR, FIELD_CREW, SUPERVISOR, grant

COUNTER = [
    "revenue.view_party", "revenue.add_party", "revenue.change_party",
    "revenue.view_charge", "revenue.add_charge", "revenue.view_payment",
    "revenue.view_feetype", "revenue.view_feerate",
    "revenue.view_approvalrequest", "revenue.request_exception",
    "revenue.view_auditevent",
]  # fmt: skip
READ_ALL = [
    f"revenue.view_{m}"
    for m in ("party", "fund", "account", "journalentry", "journalline", "feetype", "feerate", "charge",
              "payment", "paymentapplication", "auditevent", "approvalrequest")
] + ["revenue.view_trial_balance"]  # fmt: skip
SUPERVISOR_MORE = [
    "revenue.approve_exception", "revenue.add_fund", "revenue.change_fund", "revenue.add_account",
    "revenue.change_account", "revenue.add_feetype", "revenue.change_feetype", "revenue.add_feerate",
]  # fmt: skip


def create_roles(apps, schema_editor):
    grant(apps, ASR_I, COUNTER)
    grant(apps, ASR_II, COUNTER)
    grant(apps, SUPERVISOR, sorted(set(COUNTER + READ_ALL + SUPERVISOR_MORE)))
    grant(apps, AUDITOR, READ_ALL)
    grant(apps, FIELD_CREW, [])


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(
        name__in=[ASR_I, ASR_II, SUPERVISOR, AUDITOR, FIELD_CREW]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("revenue", "0002_ledger_integrity"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]
