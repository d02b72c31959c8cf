import django.db.models.deletion
from django.db import migrations, models

# The name the demo city (and every city set up before this field) gave its walk-in customer.
# Written here, not imported from the demo module: a migration never imports the demo.
WALK_IN_NAME = "Walk-in customer"


def name_the_walk_in_party(apps, schema_editor):
    """Existing policies name the party the counter used to find by name, if there is one."""
    Party = apps.get_model("revenue", "Party")
    CashieringPolicy = apps.get_model("cashiering", "CashieringPolicy")
    walk_in = Party.objects.filter(name=WALK_IN_NAME).order_by("pk").first()
    if walk_in is not None:
        CashieringPolicy.objects.filter(walk_in_party__isnull=True).update(walk_in_party=walk_in)


class Migration(migrations.Migration):
    dependencies = [("cashiering", "0003_roles")]

    operations = [
        migrations.AddField(
            model_name="cashieringpolicy",
            name="walk_in_party",
            field=models.ForeignKey(
                blank=True,
                help_text="The payer of counter fees for someone the city need not know (copies, notary).",
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="revenue.party",
            ),
        ),
        migrations.RunPython(name_the_walk_in_party, migrations.RunPython.noop),
    ]
