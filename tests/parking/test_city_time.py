"""The city's time zone comes from TIME_ZONE (the suite runs as an Eastern city, tests/conftest.py):
an officer's ticket from a quarter of an hour ago is not "in the future", and the city's day
turns at its own midnight, not at the Pacific one three hours later."""

import datetime
import os
import subprocess
import sys
import zoneinfo

import pytest
from django.conf import settings
from django.utils import timezone

from parking import services as ps
from parking.models import Citation, ImportBatch
from parking.services import imports
from revenue import services as core
from tests.parking.test_import import csv_file

EASTERN = zoneinfo.ZoneInfo("America/New_York")


@pytest.fixture
def eastern_clock(monkeypatch):
    """Django's clock stopped at a given Eastern wall time today (`timezone.now` is Django's, not
    ours; every 'now' and 'today' of the system reads it)."""

    def stop_at(hour, minute):
        day = datetime.datetime.now(EASTERN).date()
        at = datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=EASTERN)
        monkeypatch.setattr(timezone, "now", lambda: at.astimezone(datetime.UTC))
        return at

    return stop_at


def test_the_suite_runs_as_an_eastern_city():
    assert settings.TIME_ZONE == "America/New_York"
    assert timezone.get_current_timezone_name() == "America/New_York"


def test_the_time_zone_is_read_from_the_environment_and_a_wrong_name_is_refused():
    code = "import django; django.setup(); from django.conf import settings; print(settings.TIME_ZONE)"
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "revenue.settings", "TIME_ZONE": "America/Chicago"}
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "America/Chicago"
    env["TIME_ZONE"] = "Mars/Olympus"
    bad = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert bad.returncode != 0 and "is not a time zone name" in bad.stderr


def test_an_eastern_city_takes_a_ticket_from_15_minutes_ago_at_1724(eastern_clock, policy, clerk):
    now = eastern_clock(17, 24)
    c = ps.citation_enter(
        number="E1000001",
        issued_at=datetime.datetime.combine(now.date(), datetime.time(17, 9)),  # as keyed: city wall time
        plate="7ABC123",
        state="NY",
        violation_code="22500(a)",
        location="100 Elm St",
        badge="4411",
        acting_user=clerk,
    )
    assert c.issued_on == now.date() == core.city_today()
    assert timezone.localtime(c.issued_at).strftime("%H:%M") == "17:09"


@pytest.mark.django_db(transaction=True)
def test_an_eastern_citys_import_takes_a_ticket_from_15_minutes_ago_at_1724(
    eastern_clock, policy, senior_clerk
):
    now = eastern_clock(17, 24)
    row = f"E2000001,{now:%Y-%m-%d} 17:09,7ABC123,CA,TOYT,22500(a),100 ELM ST,B214,65.00"
    batch = imports.citations_import(csv_file(row), "eastern.csv", acting_user=senior_clerk)
    assert batch.status == ImportBatch.Status.FINISHED, list(batch.rejects.values_list("message", flat=True))
    assert batch.rows_imported == 1
    c = Citation.objects.get()
    assert c.issued_on == now.date() and timezone.localtime(c.issued_at).strftime("%H:%M") == "17:09"


def test_the_citys_day_turns_at_its_own_midnight(eastern_clock, policy, clerk):
    now = eastern_clock(0, 30)  # 21:30 the day before in Pacific time
    assert core.city_today() == now.date()
    c = ps.citation_enter(
        number="E3000001",
        issued_at=datetime.datetime.combine(now.date(), datetime.time(0, 10)),
        plate="7ABC123",
        state="CA",
        violation_code="22500(a)",
        location="100 Elm St",
        badge="4411",
        acting_user=clerk,
    )
    (charge,) = c.charges()
    assert c.issued_on == now.date() and charge.due_on == now.date() + datetime.timedelta(days=21)
