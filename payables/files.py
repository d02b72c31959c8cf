"""Files for the bank: the NACHA ACH file of a payment run's ACH credits, the ABA routing check
digit, and the positive pay CSV of its checks. Pure functions: no database.

Written here rather than taken from a library: the Python NACHA packages on PyPI are either
unmaintained for years (ach 2014, carta-ach 2019, pyNacha 2021) or too young to trust with a
city's money (achkit 0.2, two releases). The format is small and fixed; the tests parse the file
back field by field and check every length, count, total and hash (tests/payables/test_files.py).

The NACHA file (credits only; the city pays, it never debits a vendor):
* 94-character records: file header (1), per batch a batch header (5), entries (6) and a batch
  control (8), then the file control (9); padded with records of 94 nines to a multiple of 10
  (blocking factor 10).
* Service class 220 (credits only). SEC code PPD (a person) or CCD (a business). Transaction
  code 22 (checking credit) or 32 (savings credit).
* Entry hash: the sum of the 8-digit receiving DFI identifications (the routing number less its
  check digit), its last 10 digits (mod 10**10); per batch, and for the file the sum of the
  batches' hashes the same way.
* Amounts in cents, zero-filled; the trace number is the ODFI's 8 digits and a 7-digit sequence.
"""

from __future__ import annotations

import datetime
import io
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from revenue import csvsafe

from . import rules

RECORD_LENGTH = 94
BLOCKING_FACTOR = 10
FILLER = "9" * RECORD_LENGTH
SERVICE_CLASS_CREDITS = "220"
CREDIT_CODES = {"checking": "22", "savings": "32"}
SEC_CODES = ("PPD", "CCD")
MAX_ENTRY_CENTS = 10**10 - 1  # ten digits of cents in an entry


class BankFileError(ValueError):
    """Input a bank file cannot carry; the message is for the clerk."""


# --- routing numbers --------------------------------------------------------------------------

_WEIGHTS = (3, 7, 1, 3, 7, 1, 3, 7)


def routing_check_digit(first_eight: str) -> int:
    """The ABA check digit of a routing number's first eight digits: weights 3, 7, 1 repeated;
    the digit that brings the weighted sum to a multiple of 10."""
    if not re.fullmatch(r"\d{8}", first_eight or ""):
        raise BankFileError("A routing number's first part is eight digits.")
    total = sum(int(d) * w for d, w in zip(first_eight, _WEIGHTS, strict=True))
    return (10 - total % 10) % 10


def routing_valid(routing: str) -> bool:
    """Nine digits whose last is the check digit of the first eight (the rule is written once,
    in payables.rules)."""
    return rules.routing_number_valid(routing)


def routing_check(routing: str, *, field: str = "Routing number") -> str:
    """The routing number, or BankFileError with a sentence for the clerk."""
    cleaned = (routing or "").strip()
    problem = rules.routing_number_problem(cleaned)
    if problem:
        raise BankFileError(f"{field}: {problem}")
    return cleaned


# --- the NACHA file ---------------------------------------------------------------------------


def _alpha(value: str, width: int) -> str:
    """Left-justified, upper case, printable ASCII only (accents dropped: "Café" is "CAFE"), cut
    or space-filled to `width`."""
    plain = unicodedata.normalize("NFKD", str(value or "")).encode("ascii", "ignore").decode()
    text = "".join(ch if " " <= ch <= "~" else " " for ch in plain.upper())
    return text[:width].ljust(width)


def _num(value: int, width: int) -> str:
    text = str(int(value))
    if value < 0 or len(text) > width:
        raise BankFileError(f"{value} does not fit {width} digits in the ACH file.")
    return text.zfill(width)


def _cents(amount: Decimal) -> int:
    cents = amount * 100
    if cents != cents.to_integral_value() or cents <= 0:
        raise BankFileError(f"An ACH amount must be positive dollars and cents, not {amount}.")
    if cents > MAX_ENTRY_CENTS:
        raise BankFileError(f"${amount:,.2f} is more than one ACH entry carries.")
    return int(cents)


@dataclass(frozen=True)
class AchCredit:
    """One payment: `identification` is our reference for the payee (the vendor number)."""

    name: str
    routing: str
    account: str
    amount: Decimal
    identification: str = ""
    account_type: str = "checking"


@dataclass(frozen=True)
class AchBatch:
    sec: str  # PPD or CCD
    entries: Sequence[AchCredit]
    effective_date: datetime.date
    entry_description: str = "VENDOR PAY"
    discretionary: str = ""


@dataclass(frozen=True)
class AchOrigin:
    """The city and its bank. `immediate_destination`: the bank's routing number;
    `immediate_origin`: ten characters the bank assigned (often a space and the routing number,
    or "1" and the tax id); `odfi`: the originating bank's first eight routing digits."""

    immediate_destination: str
    destination_name: str
    immediate_origin: str
    origin_name: str
    company_name: str
    company_id: str
    odfi: str


def _file_header(origin: AchOrigin, created: datetime.datetime, modifier: str, ref: str) -> str:
    return (
        "101"
        + " "
        + routing_check(origin.immediate_destination, field="The bank's routing number")
        + _alpha(origin.immediate_origin.rjust(10), 10)
        + created.strftime("%y%m%d%H%M")
        + modifier
        + "094"
        + "10"
        + "1"
        + _alpha(origin.destination_name, 23)
        + _alpha(origin.origin_name, 23)
        + _alpha(ref, 8)
    )


def _batch_records(origin: AchOrigin, batch: AchBatch, number: int, trace_start: int):
    """The batch's records, its entry hash and its credit total in cents."""
    if batch.sec not in SEC_CODES:
        raise BankFileError(f"SEC code {batch.sec} is not one the city sends (PPD or CCD).")
    if not batch.entries:
        raise BankFileError("A batch needs at least one payment.")
    records = [
        "5"
        + SERVICE_CLASS_CREDITS
        + _alpha(origin.company_name, 16)
        + _alpha(batch.discretionary, 20)
        + _alpha(origin.company_id, 10)
        + batch.sec
        + _alpha(batch.entry_description, 10)
        + batch.effective_date.strftime("%y%m%d")  # descriptive date
        + batch.effective_date.strftime("%y%m%d")
        + "   "  # settlement date: the bank fills it
        + "1"
        + origin.odfi
        + _num(number, 7)
    ]
    entry_hash = 0
    credits = 0
    for offset, entry in enumerate(batch.entries):
        routing = routing_check(entry.routing, field=f"{entry.name}'s routing number")
        code = CREDIT_CODES.get(entry.account_type)
        if code is None:
            raise BankFileError(f"{entry.name}: the account type must be checking or savings.")
        account = (entry.account or "").strip()
        if not account or len(account) > 17:
            raise BankFileError(f"{entry.name}: an account number has 1 to 17 characters.")
        cents = _cents(entry.amount)
        records.append(
            "6"
            + code
            + routing
            + _alpha(account, 17)
            + _num(cents, 10)
            + _alpha(entry.identification, 15)
            + _alpha(entry.name, 22)
            + "  "
            + "0"
            + origin.odfi
            + _num(trace_start + offset, 7)
        )
        entry_hash += int(routing[:8])
        credits += cents
    entry_hash %= 10**10
    records.append(
        "8"
        + SERVICE_CLASS_CREDITS
        + _num(len(batch.entries), 6)
        + _num(entry_hash, 10)
        + _num(0, 12)
        + _num(credits, 12)
        + _alpha(origin.company_id, 10)
        + " " * 19
        + " " * 6
        + origin.odfi
        + _num(number, 7)
    )
    return records, entry_hash, credits


def nacha_file(
    *,
    origin: AchOrigin,
    batches: Iterable[AchBatch],
    created: datetime.datetime,
    file_id_modifier: str = "A",
    reference: str = "",
) -> str:
    """The whole ACH file, records joined by CRLF (what banks expect), padded to full blocks."""
    if not re.fullmatch(r"\d{8}", origin.odfi or ""):
        raise BankFileError("The originating bank's identification is eight digits.")
    if not re.fullmatch(r"[A-Z0-9]", file_id_modifier):
        raise BankFileError("The file ID modifier is one letter A-Z or digit.")
    records = [_file_header(origin, created, file_id_modifier, reference)]
    batch_count = entry_count = file_hash = file_credits = 0
    trace = 1
    for batch in batches:
        batch_count += 1
        lines, entry_hash, credits = _batch_records(origin, batch, batch_count, trace)
        records.extend(lines)
        trace += len(batch.entries)
        entry_count += len(batch.entries)
        file_hash += entry_hash
        file_credits += credits
    if not batch_count:
        raise BankFileError("An ACH file needs at least one batch.")
    blocks = -(-(len(records) + 1) // BLOCKING_FACTOR)
    records.append(
        "9"
        + _num(batch_count, 6)
        + _num(blocks, 6)
        + _num(entry_count, 8)
        + _num(file_hash % 10**10, 10)
        + _num(0, 12)
        + _num(file_credits, 12)
        + " " * 39
    )
    records.extend([FILLER] * (blocks * BLOCKING_FACTOR - len(records)))
    for record in records:
        if len(record) != RECORD_LENGTH:  # a bug here, never the clerk's input
            raise AssertionError(f"ACH record of {len(record)} characters: {record!r}")
    return "\r\n".join(records) + "\r\n"


# --- positive pay -----------------------------------------------------------------------------

POSITIVE_PAY_COLUMNS = (
    "Account Number",
    "Check Number",
    "Issue Date",
    "Amount",
    "Payee",
    "Status",
)


@dataclass(frozen=True)
class IssuedCheck:
    number: str
    issued_on: datetime.date
    amount: Decimal
    payee: str
    void: bool = False


def positive_pay_csv(*, account_number: str, checks: Iterable[IssuedCheck]) -> str:
    """The positive pay file the bank compares presented checks against: one row per check
    (issued or void), amounts with two places, dates MM/DD/YYYY, no cell read as a formula."""
    buffer = io.StringIO()
    writer = csvsafe.writer(buffer, lineterminator="\r\n")
    writer.writerow(POSITIVE_PAY_COLUMNS)
    for check in checks:
        writer.writerow(
            [
                account_number,
                check.number,
                check.issued_on.strftime("%m/%d/%Y"),
                f"{check.amount:.2f}",
                check.payee,
                "VOID" if check.void else "ISSUE",
            ]
        )
    return buffer.getvalue()
