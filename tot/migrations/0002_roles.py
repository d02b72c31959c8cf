"""Tot's permissions for each role as they stand at this migration (frozen here;
tot/roles.py holds the current table and a test checks the two agree)."""

from django.db import migrations

from revenue.roles import ASR_I, ASR_II, AUDITOR, FIELD_CREW, SUPERVISOR, grant

PERMISSIONS = {
    ASR_I: [
        "tot.add_operator",
        "tot.change_operator",
        "tot.file_return",
        "tot.view_operator",
        "tot.view_totrate",
        "tot.view_totreturn",
    ],
    ASR_II: [
        "tot.add_operator",
        "tot.change_operator",
        "tot.file_return",
        "tot.view_nonfilernotice",
        "tot.view_operator",
        "tot.view_tot_reports",
        "tot.view_totrate",
        "tot.view_totreturn",
    ],
    SUPERVISOR: [
        "tot.add_operator",
        "tot.add_totpolicy",
        "tot.add_totrate",
        "tot.adjust_return",
        "tot.change_operator",
        "tot.file_return",
        "tot.view_nonfilernotice",
        "tot.view_operator",
        "tot.view_tot_reports",
        "tot.view_totpolicy",
        "tot.view_totrate",
        "tot.view_totreturn",
    ],
    AUDITOR: [
        "tot.view_nonfilernotice",
        "tot.view_operator",
        "tot.view_tot_reports",
        "tot.view_totpolicy",
        "tot.view_totrate",
        "tot.view_totreturn",
    ],
    FIELD_CREW: [],
}


def grant_roles(apps, schema_editor):
    for role, perms in PERMISSIONS.items():
        grant(apps, role, perms)


class Migration(migrations.Migration):
    dependencies = [("tot", "0001_initial"), ("revenue", "0004_batch_charges")]

    operations = [migrations.RunPython(grant_roles, migrations.RunPython.noop)]
