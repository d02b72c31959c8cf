"""Cashiering's permissions for each role as they stand at this migration (frozen here;
cashiering/roles.py holds the current table and a test checks the two agree)."""

from django.db import migrations

from revenue.roles import ASR_I, ASR_II, AUDITOR, FIELD_CREW, SUPERVISOR, grant

PERMISSIONS = {
    ASR_I: [
        "cashiering.take_payment",
        "cashiering.view_cashiersession",
        "cashiering.view_drawer",
        "cashiering.view_receipt",
    ],
    ASR_II: [
        "cashiering.return_check",
        "cashiering.take_payment",
        "cashiering.view_cashiersession",
        "cashiering.view_drawer",
        "cashiering.view_receipt",
        "cashiering.view_returnedcheck",
    ],
    SUPERVISOR: [
        "cashiering.add_cashieringpolicy",
        "cashiering.add_drawer",
        "cashiering.change_drawer",
        "cashiering.make_deposit",
        "cashiering.return_check",
        "cashiering.sign_off_session",
        "cashiering.take_payment",
        "cashiering.view_cashieringpolicy",
        "cashiering.view_cashiersession",
        "cashiering.view_checkrestriction",
        "cashiering.view_deposit",
        "cashiering.view_drawer",
        "cashiering.view_receipt",
        "cashiering.view_receiptline",
        "cashiering.view_returnedcheck",
        "cashiering.view_tender",
    ],
    AUDITOR: [
        "cashiering.view_cashieringpolicy",
        "cashiering.view_cashiersession",
        "cashiering.view_checkrestriction",
        "cashiering.view_deposit",
        "cashiering.view_drawer",
        "cashiering.view_receipt",
        "cashiering.view_receiptline",
        "cashiering.view_returnedcheck",
        "cashiering.view_tender",
    ],
    FIELD_CREW: [],
}


def grant_roles(apps, schema_editor):
    for role, perms in PERMISSIONS.items():
        grant(apps, role, perms)


class Migration(migrations.Migration):
    dependencies = [("cashiering", "0002_initial"), ("revenue", "0003_roles")]

    operations = [migrations.RunPython(grant_roles, migrations.RunPython.noop)]
