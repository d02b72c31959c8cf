import datetime

import pytest

from licensing import demo as licensing_demo
from licensing import services as ls
from revenue import services
from tests.conftest import D


@pytest.fixture
def classes(fees, admin_user):
    return licensing_demo.load_licensing(acting_user=admin_user)


@pytest.fixture
def make_business(party, classes, admin_user):
    def make(code="RET", receipts="150000.00", employees=3, started_on=datetime.date(2015, 5, 1), **extra):
        return ls.business_create(
            party=party,
            acting_user=admin_user,
            dba=extra.pop("dba", "Rosa's Gifts"),
            location_address=extra.pop("location_address", "100 Main St"),
            location_city="Alder Bay",
            ownership="sole",
            owner_name="Rosa Alvarez",
            owner_phone="(555) 010-1000",
            started_on=started_on,
            employees=employees,
            classification=classes[code],
            gross_receipts=D(receipts),
            **extra,
        )

    return make


@pytest.fixture
def tax_year():
    return ls.current_tax_year(services.city_today())
