"""Parking's permissions for each role as they stand at this migration (frozen here;
parking/roles.py holds the current table and a test checks the two agree)."""

from django.db import migrations

from revenue.roles import ASR_I, ASR_II, AUDITOR, FIELD_CREW, SUPERVISOR, grant

PERMISSIONS = {
    ASR_I: [
        "parking.enter_citation",
        "parking.issue_permit",
        "parking.request_contest",
        "parking.view_citation",
        "parking.view_contest",
        "parking.view_importbatch",
        "parking.view_paymentplan",
        "parking.view_permit",
        "parking.view_permitserial",
        "parking.view_permittype",
        "parking.view_violation",
    ],
    ASR_II: [
        "parking.arrange_plan",
        "parking.enter_citation",
        "parking.import_citations",
        "parking.issue_permit",
        "parking.request_contest",
        "parking.view_citation",
        "parking.view_contest",
        "parking.view_importbatch",
        "parking.view_paymentplan",
        "parking.view_permit",
        "parking.view_permitserial",
        "parking.view_permittype",
        "parking.view_violation",
    ],
    SUPERVISOR: [
        "parking.add_parkingpolicy",
        "parking.add_permitterms",
        "parking.add_permittype",
        "parking.add_permitzone",
        "parking.add_violation",
        "parking.add_violationfine",
        "parking.add_zonestreet",
        "parking.arrange_plan",
        "parking.change_permittype",
        "parking.change_permitzone",
        "parking.change_violation",
        "parking.change_zonestreet",
        "parking.decide_contest",
        "parking.delete_zonestreet",
        "parking.enter_citation",
        "parking.import_citations",
        "parking.issue_permit",
        "parking.manage_stock",
        "parking.request_contest",
        "parking.run_parking_notices",
        "parking.view_citation",
        "parking.view_contest",
        "parking.view_holdexport",
        "parking.view_importbatch",
        "parking.view_importreject",
        "parking.view_noticerun",
        "parking.view_parking_reports",
        "parking.view_parkingpolicy",
        "parking.view_paymentplan",
        "parking.view_permit",
        "parking.view_permitserial",
        "parking.view_permitterms",
        "parking.view_permittype",
        "parking.view_permitzone",
        "parking.view_stockreceipt",
        "parking.view_violation",
        "parking.view_violationfine",
        "parking.view_zonestreet",
    ],
    AUDITOR: [
        "parking.view_citation",
        "parking.view_contest",
        "parking.view_holdexport",
        "parking.view_importbatch",
        "parking.view_importreject",
        "parking.view_noticerun",
        "parking.view_parking_reports",
        "parking.view_parkingpolicy",
        "parking.view_paymentplan",
        "parking.view_permit",
        "parking.view_permitserial",
        "parking.view_permitterms",
        "parking.view_permittype",
        "parking.view_permitzone",
        "parking.view_stockreceipt",
        "parking.view_violation",
        "parking.view_violationfine",
        "parking.view_zonestreet",
    ],
    FIELD_CREW: [],
}


def grant_roles(apps, schema_editor):
    for role, perms in PERMISSIONS.items():
        grant(apps, role, perms)


class Migration(migrations.Migration):
    dependencies = [("parking", "0001_initial"), ("revenue", "0004_batch_charges")]

    operations = [migrations.RunPython(grant_roles, migrations.RunPython.noop)]
