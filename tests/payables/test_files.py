"""The bank files: routing check digits, the NACHA ACH file read back field by field (record
lengths, blocking, batch and file control totals, entry hash), and the positive pay CSV."""

import csv
import datetime
import io
from decimal import Decimal

import pytest

from payables import files

D = Decimal
ORIGIN = files.AchOrigin(
    immediate_destination="121000358",
    destination_name="Bank of the Valley",
    immediate_origin="1946000123",
    origin_name="City of Example",
    company_name="City of Example",
    company_id="1946000123",
    odfi="12100035",
)
CREATED = datetime.datetime(2026, 12, 2, 14, 5, tzinfo=datetime.UTC)
EFFECTIVE = datetime.date(2026, 12, 4)


# --- routing numbers --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "routing, valid",
    [
        ("121000358", True),  # real published routing numbers
        ("011000015", True),
        ("021000021", True),
        ("322271627", True),
        ("091000019", True),
        ("121000359", False),  # last digit changed
        ("021000012", False),  # two digits swapped
        ("12100035", False),  # eight digits
        ("1210003580", False),
        ("12100035A", False),
        ("", False),
    ],
)
def test_routing_check_digit(routing, valid):
    assert files.routing_valid(routing) is valid


def test_check_digit_of_the_first_eight():
    # 0*3 + 1*7 + 1*1 + 0*3 + 0*7 + 0*1 + 0*3 + 0*7 = 8 -> 2
    assert files.routing_check_digit("01100000") == 2
    assert files.routing_check_digit("12100035") == 8


def test_a_failing_routing_number_is_refused_with_a_sentence():
    with pytest.raises(files.BankFileError, match="fails its check digit"):
        files.routing_check("121000359")
    with pytest.raises(files.BankFileError, match="nine digits"):
        files.routing_check("1210")


# --- an independent reading of the NACHA file -------------------------------------------------


def read_ach(text):
    """Parse the file by the NACHA positions (1-based in the spec, 0-based slices here)."""
    assert text.endswith("\r\n")
    records = text[:-2].split("\r\n")
    return records


def check_ach(text):
    """Every rule a bank's front end checks; returns the parsed batches for further asserts."""
    records = read_ach(text)
    assert all(len(r) == 94 for r in records), [len(r) for r in records]
    assert len(records) % 10 == 0
    header, *body = records
    assert header[0:3] == "101" and header[34:37] == "094" and header[37:39] == "10"
    assert header[39] == "1"
    fillers = [r for r in body if r == "9" * 94]
    body = [r for r in body if r != "9" * 94]
    control = body.pop()
    assert control[0] == "9"
    assert records[-len(fillers) :] == fillers if fillers else True  # fillers come last
    batches = []
    current = None
    for record in body:
        kind = record[0]
        if kind == "5":
            assert current is None
            current = {"header": record, "entries": []}
        elif kind == "6":
            current["entries"].append(record)
        elif kind == "8":
            current["control"] = record
            batches.append(current)
            current = None
        else:
            raise AssertionError(f"unexpected record {record!r}")
    assert current is None
    file_hash = file_credit = file_entries = 0
    for number, batch in enumerate(batches, start=1):
        head, ctl, entries = batch["header"], batch["control"], batch["entries"]
        assert head[1:4] == ctl[1:4] == "220"
        assert int(head[87:94]) == int(ctl[87:94]) == number
        assert head[40:50] == ctl[44:54]  # company identification
        batch_hash = sum(int(e[3:11]) for e in entries) % 10**10
        batch_credit = sum(int(e[29:39]) for e in entries)
        for e in entries:
            assert e[1:3] in ("22", "32")
            routing = e[3:12]
            assert files.routing_valid(routing)
            assert e[79:87] == head[79:87]  # trace starts with the ODFI
        assert int(ctl[4:10]) == len(entries)
        assert int(ctl[10:20]) == batch_hash
        assert int(ctl[20:32]) == 0
        assert int(ctl[32:44]) == batch_credit
        file_hash += batch_hash
        file_credit += batch_credit
        file_entries += len(entries)
    assert int(control[1:7]) == len(batches)
    assert int(control[7:13]) == len(records) // 10
    assert int(control[13:21]) == file_entries
    assert int(control[21:31]) == file_hash % 10**10
    assert int(control[31:43]) == 0
    assert int(control[43:55]) == file_credit
    assert control[55:] == " " * 39
    return batches, control


def credit(name, routing, account, amount, **kw):
    return files.AchCredit(name=name, routing=routing, account=account, amount=D(amount), **kw)


def make_file(batches):
    return files.nacha_file(origin=ORIGIN, batches=batches, created=CREATED)


def test_a_one_entry_file_validates_field_by_field():
    batch = files.AchBatch(
        sec="CCD",
        entries=[credit("Acme Paving Inc", "011000015", "000123456789", "1234.56", identification="V-100")],
        effective_date=EFFECTIVE,
    )
    text = make_file([batch])
    records = read_ach(text)
    assert len(records) == 10  # header, batch header, entry, batch control, file control, 5 filler
    header, bh, entry, bc, fc = records[:5]
    assert header == (
        "101 12100035819460001232612021405A094101BANK OF THE VALLEY     CITY OF EXAMPLE                "
    )
    assert bh[50:53] == "CCD" and bh[53:63] == "VENDOR PAY" and bh[69:75] == "261204"
    assert bh[79:87] == "12100035" and bh[87:94] == "0000001"
    assert entry[1:3] == "22"
    assert entry[3:12] == "011000015"
    assert entry[12:29] == "000123456789     "
    assert entry[29:39] == "0000123456"
    assert entry[39:54] == "V-100          "
    assert entry[54:76] == "ACME PAVING INC       "
    assert entry[78] == "0"
    assert entry[79:94] == "121000350000001"
    assert bc == "822000000100011000010000000000000000001234561946000123" + " " * 25 + "121000350000001"
    assert fc[:55] == "9000001000001000000010001100001000000000000000000123456"
    assert records[5:] == ["9" * 94] * 5
    check_ach(text)


def test_two_batches_with_controls_blocks_and_hash():
    people = files.AchBatch(
        sec="PPD",
        entries=[
            credit("Jane Roe", "322271627", "5550001", "75.00", account_type="savings"),
            credit("John Doe", "021000021", "99887766", "1200.10"),
        ],
        effective_date=EFFECTIVE,
    )
    firms = files.AchBatch(
        sec="CCD",
        entries=[credit(f"Vendor {i}", "091000019", f"7000{i}", f"{i}.01") for i in range(1, 9)],
        effective_date=EFFECTIVE,
    )
    text = make_file([people, firms])
    batches, control = check_ach(text)
    assert [len(b["entries"]) for b in batches] == [2, 8]
    assert batches[0]["entries"][0][1:3] == "32"  # savings credit
    # 2 + 1 + 2 + 1 + 1 + 8 + 1 + 1 = 16 records -> 2 blocks, 4 fillers
    assert int(control[7:13]) == 2
    assert text.count("9" * 94) == 4
    # hash: 32227162 + 02100002 + 8 * 09100001 = 34327164 + 72800008
    assert int(control[21:31]) == 32227162 + 2100002 + 8 * 9100001
    assert int(control[43:55]) == 7500 + 120010 + sum(i * 100 + 1 for i in range(1, 9))
    # traces run on across the batches
    assert batches[1]["entries"][0][87:94] == "0000003"


def test_entry_hash_keeps_the_last_ten_digits():
    entries = [credit(f"V{i}", "322271627", "1", "1.00") for i in range(400)]
    batch = files.AchBatch(sec="CCD", entries=entries, effective_date=EFFECTIVE)
    batches, control = check_ach(make_file([batch]))
    total = 400 * 32227162
    assert total >= 10**10
    assert int(control[21:31]) == total % 10**10
    assert int(batches[0]["control"][10:20]) == total % 10**10


def test_exactly_a_full_block_gets_no_filler():
    # 1 header + 1 batch header + 6 entries + 1 batch control + 1 file control = 10
    entries = [credit(f"V{i}", "011000015", "1", "1.00") for i in range(6)]
    text = make_file([files.AchBatch(sec="CCD", entries=entries, effective_date=EFFECTIVE)])
    assert len(read_ach(text)) == 10
    assert "9" * 94 not in text


@pytest.mark.parametrize(
    "entry, message",
    [
        (credit("X", "121000359", "1", "1.00"), "check digit"),
        (credit("X", "011000015", "", "1.00"), "account number"),
        (credit("X", "011000015", "1" * 18, "1.00"), "account number"),
        (credit("X", "011000015", "1", "0.00"), "positive"),
        (credit("X", "011000015", "1", "-5.00"), "positive"),
        (credit("X", "011000015", "1", "1.005"), "positive"),
        (credit("X", "011000015", "1", "100000000.00"), "more than one ACH entry"),
        (credit("X", "011000015", "1", "1.00", account_type="loan"), "checking or savings"),
    ],
)
def test_bad_entries_are_refused(entry, message):
    batch = files.AchBatch(sec="CCD", entries=[entry], effective_date=EFFECTIVE)
    with pytest.raises(files.BankFileError, match=message):
        make_file([batch])


def test_bad_batches_and_files_are_refused():
    good = [credit("X", "011000015", "1", "1.00")]
    with pytest.raises(files.BankFileError, match="PPD or CCD"):
        make_file([files.AchBatch(sec="WEB", entries=good, effective_date=EFFECTIVE)])
    with pytest.raises(files.BankFileError, match="at least one payment"):
        make_file([files.AchBatch(sec="CCD", entries=[], effective_date=EFFECTIVE)])
    with pytest.raises(files.BankFileError, match="at least one batch"):
        make_file([])


def test_names_are_upper_case_ascii_and_cut_to_their_field():
    entry = credit("Café Ñandú Services & Supplies of the Valley", "011000015", "1", "1.00")
    batch = files.AchBatch(sec="CCD", entries=[entry], effective_date=EFFECTIVE)
    record = read_ach(make_file([batch]))[2]
    assert record[54:76] == "CAFE NANDU SERVICES & "
    check_ach(make_file([batch]))


# --- positive pay -----------------------------------------------------------------------------


def test_positive_pay_lists_each_check_as_the_bank_reads_it():
    checks = [
        files.IssuedCheck("100231", datetime.date(2026, 12, 2), D("1234.50"), "Acme Paving"),
        files.IssuedCheck("100232", datetime.date(2026, 12, 2), D("75.00"), "=HYPERLINK(1)"),
        files.IssuedCheck("100201", datetime.date(2026, 11, 2), D("10.00"), "Old Co", void=True),
    ]
    text = files.positive_pay_csv(account_number="000987654321", checks=checks)
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == list(files.POSITIVE_PAY_COLUMNS)
    assert rows[1] == ["000987654321", "100231", "12/02/2026", "1234.50", "Acme Paving", "ISSUE"]
    assert rows[2][4] == "'=HYPERLINK(1)"  # never a formula
    assert rows[3][-1] == "VOID"
    assert sum(D(r[3]) for r in rows[1:] if r[5] == "ISSUE") == D("1309.50")
