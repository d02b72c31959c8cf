"""Utility billing's permissions for each role as they stand at this migration (frozen here;
utility_billing/roles.py holds the current table and a test checks the two agree)."""

from django.db import migrations

from revenue.roles import ASR_I, ASR_II, AUDITOR, FIELD_CREW, SUPERVISOR, grant

PERMISSIONS = {
    ASR_I: [
        "utility_billing.view_bill",
        "utility_billing.view_meter",
        "utility_billing.view_premise",
        "utility_billing.view_rateschedule",
        "utility_billing.view_reading",
        "utility_billing.view_serviceaccount",
        "utility_billing.view_serviceorder",
    ],
    ASR_II: [
        "utility_billing.view_bill",
        "utility_billing.view_meter",
        "utility_billing.view_premise",
        "utility_billing.view_rateschedule",
        "utility_billing.view_reading",
        "utility_billing.view_serviceaccount",
        "utility_billing.view_serviceorder",
    ],
    SUPERVISOR: [
        "utility_billing.view_accountservice",
        "utility_billing.view_bill",
        "utility_billing.view_billingcycle",
        "utility_billing.view_billrun",
        "utility_billing.view_meter",
        "utility_billing.view_meterinstallation",
        "utility_billing.view_metersize",
        "utility_billing.view_premise",
        "utility_billing.view_rateclass",
        "utility_billing.view_rateschedule",
        "utility_billing.view_readbatch",
        "utility_billing.view_reading",
        "utility_billing.view_service",
        "utility_billing.view_serviceaccount",
        "utility_billing.view_serviceorder",
        "utility_billing.view_utilitypolicy",
    ],
    AUDITOR: [
        "utility_billing.view_accountservice",
        "utility_billing.view_bill",
        "utility_billing.view_billingcycle",
        "utility_billing.view_billrun",
        "utility_billing.view_meter",
        "utility_billing.view_meterinstallation",
        "utility_billing.view_metersize",
        "utility_billing.view_premise",
        "utility_billing.view_rateclass",
        "utility_billing.view_rateschedule",
        "utility_billing.view_readbatch",
        "utility_billing.view_reading",
        "utility_billing.view_service",
        "utility_billing.view_serviceaccount",
        "utility_billing.view_serviceorder",
        "utility_billing.view_utilitypolicy",
    ],
    FIELD_CREW: [
        "utility_billing.view_premise",
        "utility_billing.view_serviceorder",
    ],
}


def grant_roles(apps, schema_editor):
    for role, perms in PERMISSIONS.items():
        grant(apps, role, perms)


class Migration(migrations.Migration):
    dependencies = [("utility_billing", "0001_initial"), ("revenue", "0015_account_role_suspense")]

    operations = [migrations.RunPython(grant_roles, migrations.RunPython.noop)]
