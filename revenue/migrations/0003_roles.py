from django.db import migrations

from revenue.roles import CORE_PERMISSIONS, grant


def create_roles(apps, schema_editor):
    for role, perms in CORE_PERMISSIONS.items():
        grant(apps, role, perms)


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=list(CORE_PERMISSIONS)).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("revenue", "0002_ledger_integrity"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]
