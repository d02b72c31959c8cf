from django.db import migrations

from revenue.roles import AUDITOR, SUPERVISOR, grant


def grant_deposits(apps, schema_editor):
    grant(apps, SUPERVISOR, ["cashiering.make_deposit", "cashiering.view_deposit"])
    grant(apps, AUDITOR, ["cashiering.view_deposit"])


class Migration(migrations.Migration):
    dependencies = [("cashiering", "0003_deposits")]

    operations = [migrations.RunPython(grant_deposits, migrations.RunPython.noop)]
