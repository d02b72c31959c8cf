"""Joins the reads' migrations (ub-reads) and the bill runs' (ub-bills) on this branch; the lead
renumbers the app's migrations into one line at the merge."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("utility_billing", "0004_reads_roles"), ("utility_billing", "0005_bill_run_roles")]

    operations = []
