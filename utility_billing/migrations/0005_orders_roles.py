"""The permissions of accounts, meters and service orders (ub-orders), granted as they stand at
this migration (frozen here; utility_billing/roles.py holds the current table)."""

from django.db import migrations

from revenue.roles import ASR_I, ASR_II, AUDITOR, FIELD_CREW, SUPERVISOR, grant

COUNTER = [
    "utility_billing.add_premise",
    "utility_billing.change_premise",
    "utility_billing.add_serviceaccount",
    "utility_billing.change_serviceaccount",
    "utility_billing.add_serviceorder",
    "utility_billing.change_serviceorder",
    "utility_billing.complete_serviceorder",
    "utility_billing.view_utilityfee",
]
METERS = ["utility_billing.add_meter", "utility_billing.change_meter"]
PERMISSIONS = {
    ASR_I: COUNTER,
    ASR_II: COUNTER + METERS,
    SUPERVISOR: COUNTER + METERS + ["utility_billing.add_utilityfee"],
    AUDITOR: ["utility_billing.view_utilityfee"],
    FIELD_CREW: ["utility_billing.complete_serviceorder", "utility_billing.view_meter"],
}


def grant_roles(apps, schema_editor):
    for role, perms in PERMISSIONS.items():
        grant(apps, role, perms)


class Migration(migrations.Migration):
    dependencies = [("utility_billing", "0004_orders_fees")]

    operations = [migrations.RunPython(grant_roles, migrations.RunPython.noop)]
