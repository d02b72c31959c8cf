from django.db import migrations

from revenue.roles import ASR_I, ASR_II, AUDITOR, SUPERVISOR, grant

COUNTER = ["cashiering.take_payment", "cashiering.view_receipt", "cashiering.view_cashiersession",
           "cashiering.view_drawer"]  # fmt: skip
READ_ALL = [
    f"cashiering.view_{m}"
    for m in (
        "drawer",
        "cashiersession",
        "receipt",
        "receiptline",
        "tender",
        "checkrestriction",
        "cashieringpolicy",
    )
]


def grant_roles(apps, schema_editor):
    grant(apps, ASR_I, COUNTER)
    grant(apps, ASR_II, COUNTER)
    grant(
        apps,
        SUPERVISOR,
        COUNTER
        + READ_ALL
        + [
            "cashiering.sign_off_session",
            "cashiering.add_drawer",
            "cashiering.change_drawer",
            "cashiering.add_cashieringpolicy",
        ],
    )
    grant(apps, AUDITOR, READ_ALL)


class Migration(migrations.Migration):
    dependencies = [("cashiering", "0001_initial"), ("revenue", "0003_roles")]

    operations = [migrations.RunPython(grant_roles, migrations.RunPython.noop)]
