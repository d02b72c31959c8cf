"""Licensing's permissions for each role as they stand at this migration (frozen here;
licensing/roles.py holds the current table and a test checks the two agree)."""

from django.db import migrations

from revenue.roles import ASR_I, ASR_II, AUDITOR, FIELD_CREW, SUPERVISOR, grant

PERMISSIONS = {
    ASR_I: [
        "licensing.add_business",
        "licensing.add_license",
        "licensing.change_business",
        "licensing.view_business",
        "licensing.view_classification",
        "licensing.view_license",
    ],
    ASR_II: [
        "licensing.add_business",
        "licensing.add_license",
        "licensing.change_business",
        "licensing.review_license",
        "licensing.view_business",
        "licensing.view_classification",
        "licensing.view_license",
    ],
    SUPERVISOR: [
        "licensing.add_addon",
        "licensing.add_bracket",
        "licensing.add_business",
        "licensing.add_classification",
        "licensing.add_license",
        "licensing.add_licensingpolicy",
        "licensing.add_taxrule",
        "licensing.change_bracket",
        "licensing.change_business",
        "licensing.change_classification",
        "licensing.change_taxrule",
        "licensing.decide_license",
        "licensing.delete_bracket",
        "licensing.review_license",
        "licensing.set_license_tax",
        "licensing.view_addon",
        "licensing.view_bracket",
        "licensing.view_business",
        "licensing.view_classification",
        "licensing.view_license",
        "licensing.view_licensingpolicy",
        "licensing.view_signoff",
        "licensing.view_taxrule",
    ],
    AUDITOR: [
        "licensing.view_addon",
        "licensing.view_bracket",
        "licensing.view_business",
        "licensing.view_classification",
        "licensing.view_license",
        "licensing.view_licensingpolicy",
        "licensing.view_signoff",
        "licensing.view_taxrule",
    ],
    FIELD_CREW: [],
}


def grant_roles(apps, schema_editor):
    for role, perms in PERMISSIONS.items():
        grant(apps, role, perms)


class Migration(migrations.Migration):
    dependencies = [("licensing", "0001_initial"), ("revenue", "0003_roles")]

    operations = [migrations.RunPython(grant_roles, migrations.RunPython.noop)]
