"""Deposits and the utility reports: the permissions each role gains (frozen here;
utility_billing/roles.py holds the current table and a test checks the two agree)."""

from django.db import migrations

from revenue.roles import ASR_I, ASR_II, AUDITOR, SUPERVISOR, grant

DEPOSITS = ["utility_billing.view_deposit"]
CONFIG = ["utility_billing.view_depositpolicy", "utility_billing.view_depositamount"]
REPORTS = ["utility_billing.view_utility_reports"]
PERMISSIONS = {
    ASR_I: DEPOSITS,
    ASR_II: DEPOSITS + REPORTS,
    SUPERVISOR: DEPOSITS + CONFIG + REPORTS + ["utility_billing.add_depositpolicy"],
    AUDITOR: DEPOSITS + CONFIG + REPORTS,
}


def grant_roles(apps, schema_editor):
    for role, perms in PERMISSIONS.items():
        grant(apps, role, perms)


class Migration(migrations.Migration):
    dependencies = [("utility_billing", "0010_deposits")]

    operations = [migrations.RunPython(grant_roles, migrations.RunPython.noop)]
