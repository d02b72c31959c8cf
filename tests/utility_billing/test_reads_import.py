"""The read file import: checks applied set-based, rejected rows with their reasons (letters, a
negative read, an unknown meter), the same file twice, the wrong shape, a vendor's layout
through an import profile."""

import io

import pytest

from revenue import services as core
from utility_billing.models import ReadBatch, Reading
from utility_billing.services import ReadImportRefused, reads_check, reads_import

from . import reads_setup
from .reads_setup import today

utility, site = reads_setup.utility, reads_setup.site  # the fixtures

pytestmark = pytest.mark.django_db


class Upload(io.BytesIO):
    def __init__(self, text: str, name: str = "reads.csv"):
        super().__init__(text.encode())
        self.name = name


def _file(meters, extra: str = "") -> Upload:
    day = f"{today():%m/%d/%Y}"
    rows = "".join(f"{m.serial},{day},{m.last_value + add},,R1\r\n" for m, add in meters)
    return Upload("meter_serial,read_date,read_value,read_code,route\r\n" + rows + extra)


@pytest.fixture
def meters(site):
    return [site(f"M{i}") for i in range(1, 5)]


def test_a_file_goes_in_with_its_exceptions_and_rejects(meters, clerk):
    m1, m2, m3, m4 = meters
    bad = (
        f"M3,{today():%Y-%m-%d},12A4,,R1\r\n"  # letters
        f"M4,{today():%Y-%m-%d},-40,,R1\r\n"  # negative
        f"NOPE,{today():%Y-%m-%d},100,,R1\r\n"  # no such meter
        f"M4,13/45/2027,100,,R1\r\n"  # no such date
    )
    batch = reads_import(_file([(m1, 10), (m2, 90)], bad), acting_user=clerk)
    assert (batch.status, batch.rows, batch.accepted, batch.exceptions, batch.rejected) == (
        "finished",
        6,
        1,
        1,
        4,
    )
    assert Reading.objects.get(meter=m1, read_on=today()).status == "accepted"
    held = Reading.objects.get(meter=m2, read_on=today())
    assert (held.status, held.exception, held.source, held.batch) == ("exception", "high", "file", batch)
    rejects = {r.line: (r.reason, r.message) for r in batch.rejects.all()}
    assert rejects[4][0] == "Read value" and "letters" in rejects[4][1]
    assert rejects[5][0] == "Read value" and "negative" in rejects[5][1]
    assert rejects[6] == ("Unknown meter", "No meter has serial NOPE.")
    assert rejects[7][0] == "Read date"
    assert not Reading.objects.filter(meter__in=[m3, m4], read_on=today()).exists()


def test_the_same_file_twice_changes_nothing(meters, clerk):
    m1, m2, *_ = meters
    text = _file([(m1, 10), (m2, 10)]).getvalue().decode()
    reads_import(Upload(text), acting_user=clerk)
    before = (Reading.objects.count(), ReadBatch.objects.count())
    with pytest.raises(ReadImportRefused, match="already imported"):
        reads_check(Upload(text))
    with pytest.raises(ReadImportRefused, match="already imported"):
        reads_import(Upload(text), acting_user=clerk)
    assert (Reading.objects.count(), ReadBatch.objects.count()) == before
    # the same reads in another file (another export of the same day): left out, nothing doubled
    again = reads_import(Upload(text + "\r\n", "again.csv"), acting_user=clerk)
    assert (again.accepted, again.exceptions, again.rejected) == (0, 0, 2)
    assert {r.reason for r in again.rejects.all()} == {"Already on file"}
    assert Reading.objects.count() == before[0]


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("citation_number,issued_at,plate\r\nA1,2025-03-14 09:30,7ABC123\r\n", "not a read file"),
        ("meter_serial;read_date;read_value\r\nM1;03/14/2027;5\r\nM2;03/14/2027;6\r\n", "not a read file"),
        ("meter_serial,read_date,read_value\r\n", "no reads"),
        ("meter_serial,read_date,read_value\r\nM1,03/14/2027\r\nM2,03/14/2027\r\nM3,x,1\r\n", "delimiter"),
        ("", "empty"),
        ("\x00\x01binary", "not a text file"),
    ],
)
def test_a_file_of_the_wrong_shape_is_refused_whole(meters, clerk, text, says):
    before = Reading.objects.count()
    with pytest.raises(ReadImportRefused, match=says):
        reads_import(Upload(text), acting_user=clerk)
    assert (Reading.objects.count(), ReadBatch.objects.count()) == (before, 0)


def test_a_vendors_layout_through_its_profile(meters, clerk, supervisor):
    m1 = meters[0]
    core.profile_save(
        acting_user=supervisor,
        target="utility_billing.reads",
        name="AMR vendor",
        mapping={"meter_serial": ["Meter ID"], "read_date": ["Read Day"], "read_value": ["Register"]},
        date_format="%d.%m.%Y",
    )
    batch = reads_import(
        Upload(f"Meter ID,Read Day,Register\r\nM1,{today():%d.%m.%Y},{m1.last_value + 9}\r\n"),
        acting_user=clerk,
    )
    assert batch.profile.name == "AMR vendor" and batch.accepted == 1


def test_the_field_crew_and_the_auditor_do_not_import(meters, field_crew, auditor):
    for user in (field_crew, auditor):
        with pytest.raises(core.NotAllowed):
            reads_import(_file([(meters[0], 10)]), acting_user=user)
