"""The bill runs' permissions for each role as they stand at this migration (frozen here;
utility_billing/roles.py holds the current table and a test checks the two agree)."""

from django.db import migrations

from revenue.roles import ASR_I, ASR_II, SUPERVISOR, grant

PERMISSIONS = {
    ASR_I: ["utility_billing.view_billrun"],
    ASR_II: ["utility_billing.add_billrun", "utility_billing.view_billrun"],
    SUPERVISOR: ["utility_billing.add_billrun", "utility_billing.approve_billrun"],
}


def grant_roles(apps, schema_editor):
    for role, perms in PERMISSIONS.items():
        grant(apps, role, perms)


class Migration(migrations.Migration):
    dependencies = [("utility_billing", "0012_bill_runs")]

    operations = [migrations.RunPython(grant_roles, migrations.RunPython.noop)]
