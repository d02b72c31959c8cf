"""Collection's permissions for each role as they stand at this migration (frozen here;
utility_billing/roles.py holds the current table and a test checks the two agree)."""

from django.db import migrations

from revenue.roles import ASR_I, ASR_II, AUDITOR, SUPERVISOR, grant

_VIEW = [
    "utility_billing.view_collection",
    "utility_billing.view_delinquencynotice",
    "utility_billing.view_latefee",
    "utility_billing.view_paymentplan",
    "utility_billing.view_planinstallment",
]
PERMISSIONS = {
    ASR_I: _VIEW,
    ASR_II: [*_VIEW, "utility_billing.manage_plans", "utility_billing.send_notices"],
    SUPERVISOR: [
        *_VIEW,
        "utility_billing.manage_plans",
        "utility_billing.order_disconnects",
        "utility_billing.run_late_fees",
        "utility_billing.send_notices",
        "utility_billing.view_delinquencypolicy",
    ],
    AUDITOR: [*_VIEW, "utility_billing.view_delinquencypolicy"],
}


def grant_roles(apps, schema_editor):
    for role, perms in PERMISSIONS.items():
        grant(apps, role, perms)


class Migration(migrations.Migration):
    dependencies = [("utility_billing", "0008_collection")]

    operations = [migrations.RunPython(grant_roles, migrations.RunPython.noop)]
