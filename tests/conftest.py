"""Personas and the demo city's configuration, made through the real code paths."""

import datetime
from decimal import Decimal

import pytest
from django.apps import apps as django_apps
from django.contrib.auth.models import Group, User

from revenue import demo, roles, services

# The suite runs as a city in Eastern time, not the default Pacific, so that nothing may assume
# the default zone: "today", due dates and the nightly hour must all follow TIME_ZONE.
TEST_TIME_ZONE = "America/New_York"


@pytest.fixture(autouse=True, scope="session")
def _city_time_zone():
    from django.test.utils import override_settings

    with override_settings(TIME_ZONE=TEST_TIME_ZONE):
        yield


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _uploads(settings, tmp_path):
    """Uploads kept for jobs go to the test's own folder."""
    settings.UPLOAD_DIR = tmp_path / "uploads"


@pytest.fixture
def start_job_worker(transactional_db, tmp_path):
    """Start real job workers: processes of their own on the test database, as `make run` starts
    one. The test's data must be committed for them to see (a transactional test)."""
    import os
    import subprocess
    import sys
    from urllib.parse import quote

    from django.conf import settings as django_settings
    from django.db import connection

    db = connection.settings_dict
    url = (
        f"postgres://{quote(db['USER'] or '')}:{quote(str(db['PASSWORD'] or ''))}"
        f"@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    )
    started = []

    def start():
        log = open(tmp_path / f"worker-{len(started)}.log", "wb")  # noqa: SIM115 - closed below
        process = subprocess.Popen(
            [sys.executable, "manage.py", "procrastinate", "worker"],
            cwd=django_settings.BASE_DIR,
            env={
                **os.environ,
                "DATABASE_URL": url,
                "UPLOAD_DIR": str(django_settings.UPLOAD_DIR),
                "TIME_ZONE": django_settings.TIME_ZONE,
            },
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        started.append((process, log))
        return process

    yield start
    for process, log in started:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        log.close()


@pytest.fixture
def job_worker(start_job_worker):
    """One real job worker for the test."""
    return start_job_worker()


@pytest.fixture(autouse=True)
def _fresh_content_types():
    """A transactional test's flush re-creates content types under new ids; forget cached ones."""
    from django.contrib.contenttypes.models import ContentType

    ContentType.objects.clear_cache()
    yield
    ContentType.objects.clear_cache()


@pytest.fixture
def role_groups(db):
    """The role groups. Migration 0003 makes them; a transactional test's flush empties the
    table, so they are made again here the same way."""
    if not Group.objects.filter(name=roles.SUPERVISOR).exists():
        from cashiering.roles import PERMISSIONS as CASHIERING
        from licensing.roles import PERMISSIONS as LICENSING
        from parking.roles import PERMISSIONS as PARKING
        from payables.roles import PERMISSIONS as PAYABLES
        from receivables.roles import PERMISSIONS as RECEIVABLES
        from tot.roles import PERMISSIONS as TOT
        from utility_billing.roles import PERMISSIONS as UTILITY

        for table in (
            roles.CORE_PERMISSIONS,
            CASHIERING,
            LICENSING,
            PARKING,
            RECEIVABLES,
            TOT,
            UTILITY,
            PAYABLES,
        ):
            for role, perms in table.items():
                roles.grant(django_apps, role, perms)
    return {g.name: g for g in Group.objects.all()}


def _persona(username, role, role_groups, **extra):
    user = User.objects.create_user(
        username, password=demo.DEMO_PASSWORD, first_name=username.title(), **extra
    )
    if role:
        user.groups.add(role_groups[role])
    return user


@pytest.fixture
def admin_user(db):
    return User.objects.create_superuser("sysadmin", password=demo.DEMO_PASSWORD)


@pytest.fixture
def clerk(role_groups):
    return _persona("clerk1", roles.ASR_I, role_groups)


@pytest.fixture
def senior_clerk(role_groups):
    return _persona("clerk2", roles.ASR_II, role_groups)


@pytest.fixture
def supervisor(role_groups):
    return _persona("supervisor", roles.SUPERVISOR, role_groups, is_staff=True)


@pytest.fixture
def other_supervisor(role_groups):
    return _persona("supervisor2", roles.SUPERVISOR, role_groups, is_staff=True)


@pytest.fixture
def auditor(role_groups):
    return _persona("auditor", roles.AUDITOR, role_groups)


@pytest.fixture
def field_crew(role_groups):
    return _persona("field", roles.FIELD_CREW, role_groups)


@pytest.fixture
def accounts(db):
    return demo.load_chart_of_accounts()


@pytest.fixture
def fees(accounts, admin_user):
    return demo.load_fee_schedule(accounts=accounts, acting_user=admin_user)


@pytest.fixture
def party(admin_user):
    return services.party_create(
        acting_user=admin_user,
        kind="person",
        name="Alvarez, Rosa",
        address_line1="100 Main St",
        city="Alder Bay",
        state="CA",
        postal_code="95000",
    )


@pytest.fixture
def other_party(admin_user):
    return services.party_create(
        acting_user=admin_user,
        kind="business",
        name="Harbor Light Hotel LLC",
        address_line1="512 Ocean Ave",
        city="Alder Bay",
        postal_code="95001",
    )


@pytest.fixture
def undeposited(accounts):
    return accounts["100-1050"]


@pytest.fixture
def make_charge(accounts, admin_user):
    def make(party, amount, description="Test fee", revenue="100-4150"):
        return services.charge_assess(
            party=party,
            amount=Decimal(amount),
            description=description,
            receivable_account=accounts["100-1210"],
            revenue_account=accounts[revenue],
            acting_user=admin_user,
        )

    return make


def balance_of(account) -> Decimal:
    """Debits less credits on an account, from the ledger."""
    from django.db.models import Sum
    from django.db.models.functions import Coalesce

    t = account.lines.aggregate(
        dr=Coalesce(Sum("debit"), Decimal("0")), cr=Coalesce(Sum("credit"), Decimal("0"))
    )
    return t["dr"] - t["cr"]


D = Decimal
TODAY = datetime.date.today


@pytest.fixture
def office(admin_user):
    """The demo office's contact details, as letters, notices and receipts print them."""
    return demo.load_office(acting_user=admin_user)
