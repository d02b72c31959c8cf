from django.db import migrations

from revenue.roles import ASR_II, AUDITOR, SUPERVISOR, grant


def grant_returned_checks(apps, schema_editor):
    grant(apps, SUPERVISOR, ["cashiering.return_check", "cashiering.view_returnedcheck"])
    grant(apps, ASR_II, ["cashiering.return_check", "cashiering.view_returnedcheck"])
    grant(apps, AUDITOR, ["cashiering.view_returnedcheck"])


class Migration(migrations.Migration):
    dependencies = [("cashiering", "0005_returned_checks")]

    operations = [migrations.RunPython(grant_returned_checks, migrations.RunPython.noop)]
