"""Issue 12, point 4: exports carry no live formulas.

A name a clerk types (`=1+1`, `=HYPERLINK("http://x","y")`, `@SUM(A1)`) is text in every .xlsx
(`build_xlsx` writes every str as a string cell: no `<f>` element in the sheet's XML) and in every
CSV (`revenue.csvsafe` prefixes `'` to a cell that a spreadsheet would read as a formula)."""

import csv
import datetime
import io
import re
import uuid
import zipfile
from decimal import Decimal

import openpyxl
import pytest
from django.urls import reverse

from revenue import csvsafe, services
from revenue.documents import Column, build_xlsx
from revenue.models import ApprovalRequest
from tests.receivables import conftest as receivables_fixtures
from tests.tot import conftest as tot_fixtures

ar_policy, tot_policy = receivables_fixtures.ar_policy, tot_fixtures.tot_policy

HOSTILE = [
    "=1+1",
    '=HYPERLINK("http://x","y")',
    "+1",
    "-1",
    "@SUM(A1)",
    "=cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
    "-2+3",
]
PARTY_NAME = "=1+1"


def sheet_xml(content: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(content)) as z:
        return "".join(z.read(n).decode() for n in z.namelist() if n.startswith("xl/worksheets/"))


def assert_no_formula(content: bytes, *expected_texts: str):
    """No cell of the workbook is a formula, and each expected text is in a string cell as typed."""
    assert not re.search(r"<f[ >]", sheet_xml(content)), "a formula was written"
    wb = openpyxl.load_workbook(io.BytesIO(content))
    texts = set()
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (cell.coordinate, cell.value)
                if isinstance(cell.value, str):
                    assert cell.data_type == "s", (cell.coordinate, cell.value)
                    texts.add(cell.value)
    for text in expected_texts:
        assert any(text in t for t in texts), (text, texts)


# --------------------------------------------------------------------------- build_xlsx itself


def test_build_xlsx_writes_hostile_text_as_text():
    content = build_xlsx(
        title="=1+1",
        subtitle="@SUM(A1)",
        columns=[Column("=Name"), Column("Amount", "money"), Column("Count", "int"), Column("Day", "date")],
        rows=[[text, Decimal("-1.50"), -1, datetime.date(2026, 1, 2)] for text in HOSTILE],
        totals=["=SUM(B5:B9)", Decimal("-13.50"), -9, None],
    )
    # XML reads a carriage return back as a line feed
    assert_no_formula(content, *(t.replace("\r", "\n") for t in HOSTILE), "=SUM(B5:B9)", "=Name")
    ws = openpyxl.load_workbook(io.BytesIO(content)).active
    first = [c.value for c in ws[5]]
    assert first[:3] == ["=1+1", -1.5, -1] and first[3].date() == datetime.date(2026, 1, 2)
    assert [c.data_type for c in ws[5]] == ["s", "n", "n", "d"]  # numbers and dates keep their types


def test_build_xlsx_keeps_its_layout():
    content = build_xlsx(
        title="Layout",
        columns=[Column("Name", width=30), Column("Amount", "money")],
        rows=[["a", Decimal("1.00")], ["b", Decimal("2.00")]],
        totals=["Total", Decimal("3.00")],
    )
    ws = openpyxl.load_workbook(io.BytesIO(content)).active
    assert ws["A1"].value.endswith("Layout") and ws["A1"].font.b
    assert ws["A4"].value == "Name" and ws["A4"].font.b
    assert ws.freeze_panes == "A5"
    assert ws.auto_filter.ref == "A4:B6"
    assert ws.column_dimensions["A"].width == 30
    assert ws["B5"].number_format == "#,##0.00;(#,##0.00)"
    assert ws["A7"].value == "Total" and ws["B7"].font.b and ws["B7"].value == 3


def test_build_xlsx_drops_control_characters_a_workbook_cannot_hold():
    content = build_xlsx(title="T", columns=[Column("Name")], rows=[["Bell\x07 and \x1b escape"]])
    ws = openpyxl.load_workbook(io.BytesIO(content)).active
    assert ws["A5"].value == "Bell and  escape"


def test_build_xlsx_is_linear_in_the_rows():
    """It used to read ws.max_row (a scan of the sheet) once per row."""
    import time

    def seconds(n):
        rows = [[f"Name {i}", Decimal(i)] for i in range(n)]
        start = time.perf_counter()
        build_xlsx(title="T", columns=[Column("Name"), Column("Amount", "money")], rows=rows)
        return time.perf_counter() - start

    seconds(200)  # warm up
    small, large = seconds(2_000), seconds(16_000)
    assert large < small * 8 * 2.5, (small, large)  # 8 times the rows, well under 8 squared


# --------------------------------------------------------------------------- CSV


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ("=1+1", "'=1+1"),
        ('=HYPERLINK("http://x","y")', '\'=HYPERLINK("http://x","y")'),
        ("+1+1", "'+1+1"),
        ("-1+1", "'-1+1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("-12.50", "-12.50"),  # a plain signed number stays a number
        ("+3", "+3"),
        ("1,234.50", "1,234.50"),
        ("Alvarez, Rosa", "Alvarez, Rosa"),
        ("a=b", "a=b"),
        ("", ""),
        (None, None),
        (Decimal("-5.00"), Decimal("-5.00")),
        (-3, -3),
    ],
)
def test_neutralise(value, written):
    assert csvsafe.neutralise(value) == written


def test_the_safe_writer_neutralises_every_cell_and_round_trips():
    buffer = io.StringIO()
    writer = csvsafe.writer(buffer)
    writer.writerow(["name", "amount"])
    writer.writerows([[text, Decimal("-1.00")] for text in HOSTILE])
    rows = list(csv.reader(io.StringIO(buffer.getvalue())))
    assert rows[0] == ["name", "amount"]
    for (name, amount), text in zip(rows[1:], HOSTILE, strict=True):
        assert amount == "-1.00"
        assert name == (text if re.fullmatch(r"[+-]\d+", text) else "'" + text)
        assert not name.startswith(csvsafe.FORMULA_STARTS) or re.fullmatch(r"[+-]\d+", name)


def test_the_safe_dict_writer_too():
    buffer = io.StringIO()
    writer = csvsafe.DictWriter(buffer, fieldnames=["name", "n"])
    writer.writeheader()
    writer.writerow({"name": "=1+1", "n": 2})
    assert buffer.getvalue().splitlines() == ["name,n", "'=1+1,2"]


def test_one_line_for_a_file_built_line_by_line():
    assert csvsafe.row(["PLACE", "=1+1", "7ABC123", "CA", "130.00"]) == "PLACE,'=1+1,7ABC123,CA,130.00"
    assert csvsafe.row(["a,b", "-5.00"]) == '"a,b",-5.00'


def test_streaming_with_echo():
    writer = csvsafe.writer(csvsafe.Echo())
    assert writer.writerow(["@x", 1]) == "'@x,1\r\n"


# --------------------------------------------------------------------------- the exports, through the web


@pytest.fixture
def hostile_party(admin_user):
    return services.party_create(
        acting_user=admin_user, kind="person", name=PARTY_NAME, address_line1='=HYPERLINK("http://x","y")'
    )


@pytest.fixture
def with_refund(client, hostile_party, make_charge, undeposited, clerk, supervisor):
    """The hostile party: a charge, an overpayment and an approved refund of the credit."""
    charge = make_charge(hostile_party, "40.00", description="@SUM(A1)")
    services.payment_post(
        party=hostile_party,
        amount=Decimal("50.00"),
        applications=[(charge, Decimal("40.00"))],
        debit_account=undeposited,
        acting_user=clerk,
    )
    client.force_login(clerk)
    client.post(
        reverse("refund_request", args=[hostile_party.number]),
        {"token": str(uuid.uuid4()), "amount": "10.00", "reason": "=1+1"},
    )
    client.force_login(supervisor)
    req = ApprovalRequest.objects.get(kind="refund")
    client.post(reverse("approval_decide", args=[req.pk]), {"decision": "approve", "note": ""})
    req.refresh_from_db()
    assert req.status == ApprovalRequest.Status.PERFORMED or req.status == "approved", req.status
    return charge


def test_the_core_exports_carry_no_formula(client, supervisor, accounts, with_refund):
    client.force_login(supervisor)
    today = services.city_today()
    tb = client.get(reverse("trial_balance_xlsx"), {"as_of": today.isoformat()})
    assert tb.status_code == 200
    assert_no_formula(tb.content)
    activity = client.get(
        reverse("account_activity_xlsx", args=["100-1210"]),
        {"start": (today - datetime.timedelta(days=1)).isoformat(), "end": today.isoformat()},
    )
    assert activity.status_code == 200
    assert_no_formula(activity.content, PARTY_NAME)
    refunds = client.get(reverse("refunds_payable_xlsx"))
    assert refunds.status_code == 200
    assert_no_formula(refunds.content, PARTY_NAME)


def test_the_aging_export_carries_no_formula(client, supervisor, admin_user, hostile_party, ar_policy):
    from tests.receivables.factories import due_days_ago

    due_days_ago(hostile_party, 45, "10.00", acting_user=admin_user)
    client.force_login(supervisor)
    for params in ({}, {"detail": "1"}):
        response = client.get(reverse("receivables:aging_xlsx"), params)
        assert response.status_code == 200
        assert_no_formula(response.content, PARTY_NAME)


def test_the_tot_report_export_carries_no_formula(client, supervisor, admin_user, hostile_party, tot_policy):
    from tot import services as ts

    operator = ts.operator_create(
        acting_user=admin_user,
        party=hostile_party,
        certificate_number="TOT-0099",
        name='=HYPERLINK("http://x","y")',
        kind="hotel",
        location="=1+1",
        rooms=10,
        opened_on=datetime.date(2025, 1, 15),
    )
    ts.return_file(
        operator=operator,
        period=(2025, 6),
        gross_rents=Decimal("1000.00"),
        received_on=datetime.date(2025, 7, 10),
        acting_user=admin_user,
    )
    client.force_login(supervisor)
    response = client.get(reverse("tot:report_xlsx"), {"year": "2025"})
    assert response.status_code == 200
    assert_no_formula(response.content, '=HYPERLINK("http://x","y")')


def test_the_citation_rejects_csv_has_no_formula(client, supervisor, role_groups):
    from parking.models import ImportBatch, ImportReject

    batch = ImportBatch.objects.create(file_name="x.csv", sha256="0" * 64, started_by=supervisor)
    ImportReject.objects.create(batch=batch, line=2, citation_number="=1+1", message="@SUM(A1) is not a date")
    client.force_login(supervisor)
    response = client.get(reverse("parking:import_rejects_csv", args=[batch.pk]))
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0] == ["citation_number", "rejected_line", "rejected_because"]
    assert rows[1] == ["'=1+1", "2", "'@SUM(A1) is not a date"]
