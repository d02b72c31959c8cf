"""The reads' permissions for each role as they stand at this migration (frozen here;
utility_billing/roles.py holds the current table and a test checks the two agree).
Representatives enter, import and review reads; the field crew enters reads only through its
orders; the Auditor reads the review's configuration and rejects."""

from django.db import migrations

from revenue.roles import ASR_I, ASR_II, AUDITOR, SUPERVISOR, grant

_READS = [
    "utility_billing.enter_reading",
    "utility_billing.import_readings",
    "utility_billing.review_reading",
    "utility_billing.view_readbatch",
]

PERMISSIONS = {
    ASR_I: _READS,
    ASR_II: _READS,
    SUPERVISOR: [
        *_READS,
        "utility_billing.add_readpolicy",
        "utility_billing.view_readpolicy",
        "utility_billing.view_readreject",
    ],
    AUDITOR: ["utility_billing.view_readpolicy", "utility_billing.view_readreject"],
}


def grant_roles(apps, schema_editor):
    for role, perms in PERMISSIONS.items():
        grant(apps, role, perms)


class Migration(migrations.Migration):
    dependencies = [("utility_billing", "0003_reads")]

    operations = [migrations.RunPython(grant_roles, migrations.RunPython.noop)]
