"""Receivables's permissions for each role as they stand at this migration (frozen here;
receivables/roles.py holds the current table and a test checks the two agree)."""

from django.db import migrations

from revenue.roles import ASR_I, ASR_II, AUDITOR, FIELD_CREW, SUPERVISOR, grant

PERMISSIONS = {
    ASR_I: [
        "receivables.add_creditmemo",
        "receivables.issue_invoice",
        "receivables.log_followup",
        "receivables.view_creditmemo",
        "receivables.view_dunningnotice",
        "receivables.view_followup",
        "receivables.view_invoice",
        "receivables.view_invoiceline",
    ],
    ASR_II: [
        "receivables.add_creditmemo",
        "receivables.issue_invoice",
        "receivables.log_followup",
        "receivables.run_dunning",
        "receivables.view_creditmemo",
        "receivables.view_dunningnotice",
        "receivables.view_followup",
        "receivables.view_invoice",
        "receivables.view_invoiceline",
        "receivables.view_receivables_reports",
    ],
    SUPERVISOR: [
        "receivables.add_creditmemo",
        "receivables.add_dunninglevel",
        "receivables.add_receivablespolicy",
        "receivables.issue_invoice",
        "receivables.log_followup",
        "receivables.run_dunning",
        "receivables.view_creditmemo",
        "receivables.view_dunninglevel",
        "receivables.view_dunningnotice",
        "receivables.view_dunningrun",
        "receivables.view_followup",
        "receivables.view_invoice",
        "receivables.view_invoiceline",
        "receivables.view_receivables_reports",
        "receivables.view_receivablespolicy",
    ],
    AUDITOR: [
        "receivables.view_creditmemo",
        "receivables.view_dunninglevel",
        "receivables.view_dunningnotice",
        "receivables.view_dunningrun",
        "receivables.view_followup",
        "receivables.view_invoice",
        "receivables.view_invoiceline",
        "receivables.view_receivables_reports",
        "receivables.view_receivablespolicy",
    ],
    FIELD_CREW: [],
}


def grant_roles(apps, schema_editor):
    for role, perms in PERMISSIONS.items():
        grant(apps, role, perms)


class Migration(migrations.Migration):
    dependencies = [("receivables", "0001_initial"), ("revenue", "0004_batch_charges")]

    operations = [migrations.RunPython(grant_roles, migrations.RunPython.noop)]
