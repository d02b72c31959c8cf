from django.db import migrations

from revenue.roles import AUDITOR, SUPERVISOR, grant


def grant_limits(apps, schema_editor):
    grant(apps, SUPERVISOR, ["revenue.view_exceptionlimit", "revenue.add_exceptionlimit"])
    grant(apps, AUDITOR, ["revenue.view_exceptionlimit"])


class Migration(migrations.Migration):
    dependencies = [("revenue", "0006_exception_limits")]

    operations = [migrations.RunPython(grant_limits, migrations.RunPython.noop)]
