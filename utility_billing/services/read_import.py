"""Importing the handheld or AMR read file (CSV) through the core's import profiles.

The file is checked whole before anything is written (UTF-8, a header with the read columns, or
one an import profile reads; rows of the header's width; not imported already: its SHA-256 is the
ReadBatch's). Each chunk is then one transaction: the rows checked in Python (no query per row:
a read with letters or a negative read is a rejected row with its reason), staged by COPY, every
read's facts gathered by one query, decided by read_rules, and written by one INSERT … SELECT (a
read already on file for the meter, date and kind is left alone). A chunk that commits stays; a
failed import is finished by importing the same file again."""

from __future__ import annotations

import codecs
import csv
import datetime
import hashlib
import io
from dataclasses import dataclass
from pathlib import Path

from django.db import connection, transaction
from django.db.models import Count
from django.utils import timezone

from revenue import services as core
from revenue.models import ImportProfile

from .. import read_rules
from ..models import ReadBatch, Reading, ReadReject
from . import read_sql
from .reads import outcome, read_policy

TARGET = "utility_billing.reads"
COLUMNS = ("meter_serial", "read_date", "read_value", "read_code", "route")
OPTIONAL = frozenset({"read_code", "route"})
MAX_BYTES = 64 * 1024 * 1024
CHUNK = 20_000
EARLIEST = datetime.date(2000, 1, 1)

HELP = (
    "A CSV file in UTF-8 with a header row naming meter_serial, read_date (2027-03-14 or 03/14/2027), "
    "read_value (the digits on the dials) and optionally read_code (the reader's note code) and route; or "
    "another layout through its import profile. The same file is never imported twice; rows that fail a "
    "check are left out and listed with their reason."
)
SAMPLE = "meter_serial,read_date,read_value,read_code,route\r\nM000001,03/14/2027,001234,,R01\r\n"


class ReadImportRefused(core.FileRefused):
    """The file cannot be imported; nothing was written."""


class RowRejected(Exception):
    def __init__(self, reason: str, message: str):
        super().__init__(message)
        self.reason = reason


# --------------------------------------------------------------------------- the file


def _open(source):
    if isinstance(source, (str, Path)):
        return open(source, "rb"), True  # noqa: SIM115 - closed by the caller
    return getattr(source, "file", source), False


def _fingerprint(f) -> str:
    f.seek(0)
    digest, size = hashlib.sha256(), 0
    decoder = codecs.getincrementaldecoder("utf-8")("strict")
    while block := f.read(1 << 20):
        size += len(block)
        if size > MAX_BYTES:
            raise ReadImportRefused(f"The file is larger than {MAX_BYTES // 1024 // 1024} MB: split it.")
        if b"\x00" in block:
            raise ReadImportRefused("This is not a text file (it holds binary data): choose the CSV export.")
        try:
            decoder.decode(block)
        except UnicodeDecodeError:
            raise ReadImportRefused("The file is not UTF-8 text: export it again as CSV (UTF-8).") from None
        digest.update(block)
    if size == 0:
        raise ReadImportRefused("The file is empty.")
    return digest.hexdigest()


@dataclass
class Layout:
    header: list[str]
    profile: ImportProfile | None
    mapper: core.RowMapper

    def values(self, row: list[str]) -> tuple[dict[str, str], list[core.Problem]]:
        return self.mapper.map(row)


def _layout(reader, profile: ImportProfile | None) -> Layout:
    try:
        header = core.read_header(reader)
        doubled = sorted({n for n in header if n and header.count(n) > 1})
        if doubled:
            raise ReadImportRefused(f"The header names {', '.join(doubled)} more than once.")
        profile = core.profile_pick(target=TARGET, header=header, profile=profile)
        return Layout(header, profile, core.RowMapper(core.import_target_get(TARGET), profile, header))
    except core.FileRefused as exc:
        raise ReadImportRefused(f"This is not a read file this system reads: {exc}") from None


def _scan(f, profile) -> tuple[int, Layout]:
    """The file's shape, nothing written: the header and the profile it picks, the rows, their width."""
    f.seek(0)
    text = io.TextIOWrapper(f, encoding="utf-8-sig", newline="")
    reader = csv.reader(text)
    try:
        layout = _layout(reader, profile)
        rows = wrong = 0
        for row in reader:
            if row:
                rows += 1
                wrong += len(row) != len(layout.header)
    except csv.Error as exc:
        raise ReadImportRefused(f"Line {reader.line_num} is not valid CSV ({exc}).") from None
    finally:
        text.detach()
    if rows == 0:
        raise ReadImportRefused("The file has a header but no reads.")
    if wrong * 2 > rows:
        raise ReadImportRefused(
            f"{wrong:,} of {core.plural(rows, 'row')} do not have the header's {core.plural(len(layout.header), 'column')}: "
            "this is not a read export (check the delimiter is a comma). Nothing was imported."
        )
    return rows, layout


def reads_check(source, profile: ImportProfile | None = None) -> tuple[str, ImportProfile | None]:
    """What the upload page checks while the clerk waits: text, size, shape, the profile it is
    read through, and whether it was imported already. Returns (SHA-256, profile)."""
    f, opened = _open(source)
    try:
        sha256 = _fingerprint(f)
        _rows, layout = _scan(f, profile)
    finally:
        if opened:
            f.close()
    _refuse_if_imported(sha256)
    return sha256, layout.profile


def _refuse_if_imported(sha256: str) -> None:
    earlier = ReadBatch.objects.filter(sha256=sha256, status=ReadBatch.Status.FINISHED).first()
    if earlier is not None:
        raise ReadImportRefused(
            f"This file was already imported on {timezone.localtime(earlier.created_at):%m/%d/%Y %H:%M} "
            f"(read import {earlier.pk}): nothing was changed."
        )


# --------------------------------------------------------------------------- a row


def _date(text: str) -> datetime.date:
    for pattern in ("%Y-%m-%d", "%m/%d/%Y"):
        try:
            return datetime.datetime.strptime(text, pattern).date()  # noqa: DTZ007 - a date, no instant
        except ValueError:
            continue
    raise RowRejected("Read date", f"Read date {text!r} is not a date like 2027-03-14 or 03/14/2027.")


def check_row(values: dict[str, str], problems: list[core.Problem], today: datetime.date) -> tuple:
    """(serial, read_on, value, code, route) of a mapped row, or RowRejected with its reason."""
    if problems:
        raise RowRejected(problems[0].reason, "; ".join(p.message for p in problems))
    serial = values["meter_serial"].strip()
    if not serial or len(serial) > 30:
        raise RowRejected(
            "Meter serial", f"Meter serial {serial[:40]!r} is blank or longer than 30 characters."
        )
    read_on = _date(values["read_date"].strip())
    if read_on > today:
        raise RowRejected("Read date", f"Read date {read_on:%m/%d/%Y} is in the future.")
    if read_on < EARLIEST:
        raise RowRejected("Read date", f"Read date {read_on:%m/%d/%Y} is before 2000.")
    try:
        value = read_rules.parse_read_value(values["read_value"])
    except ValueError as exc:
        raise RowRejected("Read value", str(exc)) from None
    return (
        serial,
        read_on,
        value,
        values.get("read_code", "").strip()[:20],
        values.get("route", "").strip()[:10],
    )


def _preview_check():
    today = core.city_today()

    def check(values: dict[str, str], line: int) -> list[core.Problem]:
        try:
            check_row(values, [], today)
        except RowRejected as exc:
            return [core.Problem(exc.reason, str(exc))]
        return []

    return check


core.import_target(
    TARGET,
    title="Utility meter reads (handheld or AMR)",
    fields=(
        core.TargetField("meter_serial", "Meter serial"),
        core.TargetField("read_date", "Read date", "date"),
        core.TargetField("read_value", "Read value", help="the digits on the dials"),
        core.TargetField("read_code", "Read code", "code", required=False, help="the reader's note code"),
        core.TargetField("route", "Route", required=False),
    ),
    permission="utility_billing.import_readings",
    checker=_preview_check,
    url_name="utility_billing:read_import",
)


# --------------------------------------------------------------------------- the import


def _row_text(row: list[str]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="").writerow(row)
    return out.getvalue()


def _start(*, sha256, file_name, rows, layout, acting_user, job=None) -> ReadBatch:
    """The batch, committed so the pages show it running; a failed batch of the same file is
    taken up again (its reads already in are kept)."""
    with transaction.atomic():
        batch = ReadBatch.objects.select_for_update().filter(sha256=sha256).first()
        if batch is not None and batch.status == ReadBatch.Status.FINISHED:
            _refuse_if_imported(sha256)
        if batch is None:
            batch = ReadBatch(sha256=sha256, created_by=acting_user)
        else:
            batch.rejects.all().delete()
            batch.message = f"Resumed by {acting_user.username}."
        batch.file_name, batch.rows, batch.rows_read, batch.rejected = file_name[:255], rows, 0, 0
        batch.status, batch.profile, batch.header, batch.job = (
            ReadBatch.Status.RUNNING,
            layout.profile,
            _row_text(layout.header),
            job,
        )
        batch.save()
    return batch


def _write_chunk(batch, staged: dict, rejects: list[ReadReject], *, acting_user, policy, read: int) -> None:
    """One chunk in one transaction: the reads staged, their facts, the outcomes written, the
    rejects and the batch's counters. `staged`: line -> (serial, read_on, value, code, route, row)."""
    with transaction.atomic(), connection.cursor() as cur:
        if staged:
            read_sql.stage(cur, [(line, s[0], s[1]) for line, s in staged.items()])
            facts = read_sql.found(cur, periods=policy.recent_periods)
            outcomes = []
            for line, (serial, read_on, value, code, _route, row) in staged.items():
                why = _refusal(facts[line], serial, read_on, value)
                if why:
                    rejects.append(ReadReject(batch=batch, line=line, serial=serial, reason=why[0], message=why[1], row=_row_text(row)))  # fmt: skip
                    continue
                f = facts[line]
                status, exception, note = outcome(Reading.Kind.ACTUAL, f.facts(value, read_on), policy)
                note = f"{note} Reader's code {code}." if code else note
                outcomes.append((line, f.meter_id, f.installation_id, f.premise_id, read_on, value, Reading.Kind.ACTUAL,
                                 Reading.Source.FILE, status, exception, note.strip()[:250]))  # fmt: skip
            written = {
                (m, d) for _id, m, d in read_sql.write(cur, outcomes, acting_user=acting_user, batch=batch)
            }
            rejects += _on_file(batch, outcomes, written, staged)
        ReadReject.objects.bulk_create(rejects, batch_size=5000)
        batch.rows_read = read
        batch.rejected += len(rejects)
        batch.save(update_fields=["rows_read", "rejected"])


def _refusal(f: read_sql.Found, serial: str, read_on: datetime.date, value: int) -> tuple[str, str] | None:
    if f.meter_id is None:
        return "Unknown meter", f"No meter has serial {serial}."
    if f.installation_id is None:
        return "Not installed", f"Meter {serial} was not installed at a premise on {read_on:%m/%d/%Y}."
    if value >= 10**f.dials:
        return "Read value", f"Read {value:,} has more digits than meter {serial}'s {f.dials} dials."
    return None


def _on_file(batch, outcomes, written, staged) -> list[ReadReject]:
    """The rows whose read was on file already (from another file or by hand): left out."""
    missed = [o for o in outcomes if (o[1], o[4]) not in written]
    if not missed:
        return []
    mine = set(
        Reading.objects.filter(batch=batch, meter_id__in=[o[1] for o in missed]).values_list(
            "meter_id", "read_on"
        )
    )
    return [
        ReadReject(
            batch=batch,
            line=o[0],
            serial=staged[o[0]][0],
            reason="Already on file",
            message=f"Meter {staged[o[0]][0]} already has a read on {o[4]:%m/%d/%Y}: left out.",
            row=_row_text(staged[o[0]][5]),
        )  # fmt: skip
        for o in missed
        if (o[1], o[4]) not in mine
    ]


def reads_import(source, file_name: str = "", *, acting_user, progress=None, chunk: int = CHUNK, profile=None, job=None) -> ReadBatch:  # fmt: skip
    """Import a read file (a path or a binary file object) through `profile`, the built-in
    columns, or the profile the header picks. Raises ReadImportRefused, nothing written, for a
    file that cannot be imported or was already. `progress(read, total, batch)` after each chunk."""
    if not acting_user.has_perm("utility_billing.import_readings"):
        raise core.NotAllowed("Importing read files needs an Account Services Representative's role.")
    file_name = Path(file_name or getattr(source, "name", "") or str(source)).name or "reads.csv"
    f, opened = _open(source)
    try:
        sha256 = _fingerprint(f)
        total, layout = _scan(f, profile)
        _refuse_if_imported(sha256)
        policy = read_policy(core.city_today())
        batch = _start(
            sha256=sha256, file_name=file_name, rows=total, layout=layout, acting_user=acting_user, job=job
        )
        try:
            _run(batch, f, layout, acting_user=acting_user, policy=policy, progress=progress, chunk=chunk)
        except Exception as exc:
            ReadBatch.objects.filter(pk=batch.pk).update(
                status=ReadBatch.Status.FAILED, finished_at=timezone.now(),
                message=f"Stopped ({type(exc).__name__}: {exc}); import the same file again to finish it."[:300],
            )  # fmt: skip
            raise
        _finished(batch, acting_user)
    finally:
        if opened:
            f.close()
    return batch


def _run(batch, f, layout: Layout, *, acting_user, policy, progress, chunk: int) -> None:
    f.seek(0)
    text = io.TextIOWrapper(f, encoding="utf-8-sig", newline="")
    reader = csv.reader(text)
    try:
        core.read_header(reader)
        today, read, seen = core.city_today(), 0, set()
        staged: dict = {}
        rejects: list[ReadReject] = []
        for row in reader:
            if not row:
                continue
            read += 1
            line = reader.line_num
            values: dict[str, str] = {}
            try:
                if len(row) != len(layout.header):
                    raise RowRejected("Row width", f"The row has {core.plural(len(row), 'field')}; the header has {len(layout.header)}.")  # fmt: skip
                values, problems = layout.values(row)
                serial, read_on, value, code, route = check_row(values, problems, today)
                if (serial, read_on) in seen:
                    raise RowRejected("Twice in the file", f"Meter {serial} is read on {read_on:%m/%d/%Y} twice in this file.")  # fmt: skip
                seen.add((serial, read_on))
                staged[line] = (serial, read_on, value, code, route, row)
            except RowRejected as exc:
                rejects.append(ReadReject(batch=batch, line=line, serial=values.get("meter_serial", "")[:40], reason=exc.reason, message=str(exc)[:300], row=_row_text(row)))  # fmt: skip
            if read % chunk == 0:
                _write_chunk(batch, staged, rejects, acting_user=acting_user, policy=policy, read=read)
                staged, rejects = {}, []
                if progress:
                    progress(read, batch.rows, batch)
        _write_chunk(batch, staged, rejects, acting_user=acting_user, policy=policy, read=read)
        if progress:
            progress(read, batch.rows, batch)
    finally:
        text.detach()


def _finished(batch: ReadBatch, acting_user) -> None:
    with transaction.atomic():
        counts = dict(batch.readings.values_list("status").annotate(n=Count("pk")))
        batch.accepted = counts.get(Reading.Status.ACCEPTED, 0) + counts.get(Reading.Status.REPLACED, 0)
        batch.exceptions = counts.get(Reading.Status.EXCEPTION, 0)
        batch.status, batch.finished_at = ReadBatch.Status.FINISHED, timezone.now()
        batch.message = (
            f"{core.plural(batch.accepted + batch.exceptions, 'read')} in ({batch.exceptions:,} held for review), "
            f"{core.plural(batch.rejected, 'row')} left out."
        )
        batch.save(update_fields=["accepted", "exceptions", "status", "finished_at", "message"])
        core.audit(actor=acting_user, action="utility.reads_imported", obj=batch,
                   after={"file": batch.file_name, "sha256": batch.sha256, "rows": batch.rows, "accepted": batch.accepted,
                          "exceptions": batch.exceptions, "rejected": batch.rejected})  # fmt: skip


@core.job_handler("utility_billing.import_reads", permission="utility_billing.import_readings")
def reads_import_job(job, progress) -> str:
    """The upload page's import, run by the job worker; run again after a failure, it takes up
    the same batch and brings in only what is not in yet."""
    path = job.params["path"]
    progress(0, None, "Checking the file")
    done = ReadBatch.objects.filter(job=job, status=ReadBatch.Status.FINISHED).first()
    if done is not None:
        core.upload_discard(path)
        return done.get_absolute_url()
    profile = (
        ImportProfile.objects.filter(pk=job.params.get("profile"), target=TARGET).first()
        if job.params.get("profile")
        else None
    )

    def report(read, total, batch):
        progress(
            read,
            total,
            f"{core.plural(read, 'row')} read, {core.plural(batch.rejected, 'row')} left out so far",
        )

    try:
        batch = reads_import(path, job.params.get("file_name", ""), acting_user=job.created_by, progress=report,
                             profile=profile, job=job)  # fmt: skip
    except FileNotFoundError:
        raise ReadImportRefused("The uploaded file is no longer on the server: upload it again.") from None
    except ReadImportRefused:
        core.upload_discard(path)
        raise
    core.upload_discard(path)
    progress(batch.rows_read, batch.rows, batch.message)
    return batch.get_absolute_url()
