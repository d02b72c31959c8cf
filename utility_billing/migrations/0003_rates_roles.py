"""The Revenue Supervisor sets utility rate schedules on screens (frozen here; roles.py holds
the current table and a test checks the two agree)."""

from django.db import migrations

from revenue.roles import SUPERVISOR, grant

PERMISSIONS = {SUPERVISOR: ["utility_billing.add_rateschedule"]}


def grant_roles(apps, schema_editor):
    for role, perms in PERMISSIONS.items():
        grant(apps, role, perms)


class Migration(migrations.Migration):
    dependencies = [("utility_billing", "0002_roles")]

    operations = [migrations.RunPython(grant_roles, migrations.RunPython.noop)]
