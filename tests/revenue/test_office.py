"""The office's contact details: effective-dated configuration a supervisor adds (audited) and
every printed letter and receipt reads through `core.office_on`; with none added yet, the
installation's settings stand in."""

import datetime

from django.urls import reverse

from revenue import services
from revenue.models import AuditEvent, OfficeConfig


def _add(client, effective_from, phone):
    return client.post(
        reverse("admin:revenue_officeconfig_add"),
        {
            "effective_from": effective_from.isoformat(),
            "office_name": "Revenue Services",
            "address": "100 Civic Center Drive\nAlder Bay, CA 95000",
            "phone": phone,
            "hours": "Mon–Fri 8–5",
            "web": "www.example.gov",
            "second_language_line": "Si necesita ayuda en español, llame al {phone}.",
        },
    )


def test_a_supervisor_adds_the_offices_details_from_a_date_audited_and_a_clerk_cannot(
    client, supervisor, clerk, db
):
    client.force_login(supervisor)
    today = services.city_today()
    assert _add(client, today - datetime.timedelta(days=10), "(555) 010-1111").status_code == 302
    assert _add(client, today + datetime.timedelta(days=5), "(555) 010-2222").status_code == 302
    office = services.office_on()
    assert office.phone == "(555) 010-1111"  # the later row is not in force yet
    assert office.second_language == "Si necesita ayuda en español, llame al (555) 010-1111."
    assert services.office_on(today + datetime.timedelta(days=5)).phone == "(555) 010-2222"
    event = AuditEvent.objects.filter(action="officeconfig.created").first()
    assert event.actor == supervisor
    row = OfficeConfig.objects.get(phone="(555) 010-1111")
    change = client.get(reverse("admin:revenue_officeconfig_change", args=[row.pk]))
    assert b'name="phone"' not in change.content  # added, never edited
    client.force_login(clerk)
    assert _add(client, today, "(555) 010-3333").status_code in (302, 403)
    assert not OfficeConfig.objects.filter(phone="(555) 010-3333").exists()


def test_before_any_is_added_the_settings_stand_in(db, settings):
    settings.CITY_ADDRESS = "1 Main St, Alder Bay, CA 95000"
    office = services.office_on()
    assert office.pk is None and office.phone == ""
    assert office.address_lines == ["1 Main St", "Alder Bay, CA 95000"]
