"""Importing the handheld citation devices' export files.

The file is checked whole before anything is written (UTF-8, a CSV header with the nine columns,
not empty, not too big, not already imported). Then each chunk of rows is validated in Python
(no query per row) and written set-based in one transaction: COPY into a temporary table, one
INSERT … SELECT of the citations (a number already on file becomes a reject), one journal entry
for the chunk's fines, one INSERT … SELECT of the core charges sharing that entry, the rejects,
and the batch's counters. A chunk that commits stays; if a later chunk fails, the batch is
marked failed and importing the same file again finishes it (its citations already in are
skipped, the rest go in)."""

from __future__ import annotations

import bisect
import datetime
import re
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, Sum
from django.utils import timezone

from revenue import services as core
from revenue.dates import add_months
from revenue.exceptions import InvalidAmount, NotAllowed, RevenueError
from revenue.money import ZERO, money

from .. import rules, selectors
from ..models import Citation, ImportBatch, ImportReject, ParkingPolicy
from .import_files import (
    COLUMNS,
    MAX_BYTES,
    ImportRefused,
    _fingerprint,
    _header,
    _open,
    _reader,
    _scan,
    citations_check,
)

CHUNK = 50_000
MAX_YEARS = 3
MAX_REJECTS_SHOWN = 500

HELP = (
    "A CSV file in UTF-8 (a byte-order mark is fine) with a header row naming these columns, in any "
    "order: citation_number (4 to 20 letters and digits), issued_at (city time, 2025-03-14 09:30 or "
    "03/14/2025 09:30), plate, state (CA, NV …), make, violation_code (as on the schedule, e.g. "
    "22500(a)), location, badge, and optionally fine (the schedule's fine on the day of issue, e.g. 65.00, or for a code "
    "whose fine the officer writes, the amount written, within the code's range; blank: the schedule's). "
    f"At most {MAX_BYTES // 1024 // 1024} MB. Rows that fail a check are listed with their line "
    "and left out; the others go in."
)

SAMPLE = (
    "citation_number,issued_at,plate,state,make,violation_code,location,badge,fine\r\n"
    "A1000001,2025-03-14 09:30,7ABC123,CA,TOYT,22500(a),100 ELM ST,B214,65.00\r\n"
    "A1000002,03/14/2025 10:05,8XYZ789,NV,HOND,10.20.030,200 OAK AVE,B214,40.00\r\n"
)


class ImportFailed(RevenueError):
    """The import stopped part-way; the chunks already committed stay."""

    def __init__(self, message: str, batch: ImportBatch):
        super().__init__(message)
        self.batch = batch


_NUMBER = re.compile(r"^[A-Z0-9]{4,20}$")
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})[ T](\d{1,2}):(\d{2})(?::(\d{2}))?$")
_US = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4}) (\d{1,2}):(\d{2})(?::(\d{2}))?$")
_COPY_ESCAPE = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _parse_issued_at(text: str) -> tuple[datetime.datetime, str]:
    """City-local wall time from either format the devices write, and the same as text for COPY.
    Compared with another time of the same zone object, Python compares wall times; PostgreSQL
    turns the wall time into an instant (AT TIME ZONE), so no offset is computed here per row."""
    m = _ISO.match(text)
    if m:
        y, mo, d, h, mi, s = m.groups()
    else:
        m = _US.match(text)
        if not m:
            raise rules.RuleError(
                f"Issued at {text!r} is not a date and time like 2025-03-14 09:30 or 03/14/2025 09:30."
            )
        mo, d, y, h, mi, s = m.groups()
    try:
        when = datetime.datetime(
            int(y), int(mo), int(d), int(h), int(mi), int(s or 0), tzinfo=timezone.get_default_timezone()
        )
    except ValueError:
        raise rules.RuleError(f"Issued at {text!r} is not a real date and time.") from None
    return when, f"{y}-{mo}-{d} {h}:{mi}:{s or '00'}"


# --------------------------------------------------------------------------- rows


class _Checker:
    """Validates rows in Python with what was read once: the fine schedule and the policies."""

    def __init__(self, cols: dict[str, int]):
        self.cols = cols
        self.schedule = selectors.fine_schedule()
        city = timezone.get_default_timezone()  # the city's zone (TIME_ZONE), read when the import runs
        now = timezone.now().astimezone(city).replace(second=0, microsecond=0)
        self.latest = now + datetime.timedelta(minutes=1)  # within the current minute
        first_day = add_months(now.date(), -12 * MAX_YEARS)
        self.earliest = datetime.datetime.combine(first_day, datetime.time(), tzinfo=city)
        self.policies = list(ParkingPolicy.objects.order_by("effective_from"))
        self.policy_from = [p.effective_from for p in self.policies]
        self.seen: dict[str, int] = {}
        self.fines: dict[tuple[str, datetime.date, str], tuple[int, datetime.date, str]] = {}

    def due_on(self, day: datetime.date) -> datetime.date:
        """The day a citation issued on `day` is due, under the policy in force that day (the
        earliest policy for a day before every policy)."""
        i = bisect.bisect_right(self.policy_from, day) - 1
        return rules.deadlines(day, self.policies[max(i, 0)]).due_on

    def fine_of(self, code: str, day: datetime.date, fine_text: str) -> tuple[int, datetime.date, str, bool]:
        """(violation id, due date, fine, written by the officer) for a code, a day and the fine
        as written in the file (blank: the schedule's); a fine other than the schedule's only
        within the code's range. Remembered, since a file repeats the same few combinations."""
        key = (code, day, fine_text)
        known = self.fines.get(key)
        if known is None:
            period = self.schedule.fine(code, day)
            try:
                written = money(fine_text, field="Fine", maximum=rules.MAX_FINE) if fine_text else None
            except InvalidAmount as exc:
                raise rules.RuleError(str(exc)) from None
            if written is not None and written != period.fine and period.fine_min is None:
                raise rules.RuleError(
                    f"Fine {written} does not match the schedule: violation {code} was {period.fine} on "
                    f"{day:%m/%d/%Y}."
                )
            fine, fine_written = period.fine_for(written, day)
            known = self.fines[key] = (period.violation_id, self.due_on(day), f"{fine}", fine_written)
        return known

    def check(self, row: list[str], line: int) -> str:
        """One row as a COPY text line, or RuleError naming every problem of the row (so one
        correction of the file fixes it)."""
        c = self.cols
        if len(row) != c[""]:
            raise rules.RuleError(f"The row has {len(row)} fields; the header has {c['']}.")
        problems: list[str] = []

        def attempt(fn, *args):
            try:
                return fn(*args)
            except rules.RuleError as exc:
                problems.append(str(exc))
                return None

        number = row[c["citation_number"]].strip().upper()
        if not _NUMBER.match(number):
            problems.append(f"Citation number {number!r} must be 4 to 20 letters and digits.")
        elif (first := self.seen.get(number)) is not None:
            problems.append(f"Citation {number} is in the file twice (first on line {first}).")
        else:
            self.seen[number] = line
        parsed = attempt(_parse_issued_at, row[c["issued_at"]].strip())
        issued, stamp = parsed if parsed else (None, "")
        if issued is not None and issued > self.latest:
            problems.append(f"Issued at {issued:%m/%d/%Y %H:%M} is in the future.")
        elif issued is not None and issued < self.earliest:
            problems.append(
                f"Issued on {issued:%m/%d/%Y}: more than {MAX_YEARS} years ago, too old to import."
            )
        plate = attempt(rules.clean_plate, row[c["plate"]])
        state = attempt(rules.clean_state, row[c["state"]])
        make = row[c["make"]].strip().upper()
        if len(make) > 20:
            problems.append(f"Make {make!r} is longer than 20 characters.")
        found = None
        if issued is not None:
            fine_text = row[c["fine"]].strip() if "fine" in c else ""  # optional column
            found = attempt(self.fine_of, row[c["violation_code"]].strip(), issued.date(), fine_text)
        location = row[c["location"]].strip()
        if not location:
            problems.append("The location is blank.")
        elif len(location) > 120:
            problems.append("The location is longer than 120 characters.")
        badge = row[c["badge"]].strip().upper()
        if not badge:
            problems.append("The officer's badge is blank.")
        elif len(badge) > 10:
            problems.append(f"Badge {badge!r} is longer than 10 characters.")
        if problems:
            raise rules.RuleError(" ".join(problems)[:300])
        violation_id, due_on, fine, written = found
        return (
            f"{line}\t{number}\t{stamp}\t{plate}\t{state}\t{make.translate(_COPY_ESCAPE)}\t{violation_id}\t"
            f"{location.translate(_COPY_ESCAPE)}\t{badge.translate(_COPY_ESCAPE)}\t{fine}\t{due_on}\t"
            f"{'t' if written else 'f'}\n"
        )


# --------------------------------------------------------------------------- the import


def _file_lock(sha256: str) -> int:
    """A session advisory lock on the file's hash, held while it is imported: a second import of
    the same file waits for nothing and is refused, and a batch left running by a process that
    died (its lock went with its connection) can be taken up again."""
    key = int(sha256[:15], 16)
    with connection.cursor() as cur:
        cur.execute("SELECT pg_try_advisory_lock(%s)", [key])
        if not cur.fetchone()[0]:
            raise ImportRefused("This file is being imported right now: nothing was changed.")
    return key


def _file_unlock(key: int) -> None:
    with connection.cursor() as cur:
        cur.execute("SELECT pg_advisory_unlock(%s)", [key])


def _start(*, sha256: str, file_name: str, rows: int, acting_user) -> ImportBatch:
    """The batch record, committed at once so the import page shows it running. The same file
    again is refused; a batch of it that failed, or was left running by a process that stopped,
    is taken up again (the caller holds the file's lock, so nobody else is running it)."""
    earlier = ImportBatch.objects.filter(sha256=sha256).first()
    if earlier is not None and earlier.status == ImportBatch.Status.FINISHED:
        raise ImportRefused(
            f"This file was already imported on {timezone.localtime(earlier.started_at):%m/%d/%Y %H:%M} "
            f"(import {earlier.pk}): nothing was changed."
        )
    with transaction.atomic():
        if earlier is not None:
            batch = ImportBatch.objects.select_for_update().get(pk=earlier.pk)
            done = batch.citations.aggregate(n=Count("pk"), amount=Sum("fine"))
            batch.rejects.all().delete()
            batch.status = ImportBatch.Status.RUNNING
            batch.rows_total, batch.rows_read, batch.rows_rejected = rows, 0, 0
            batch.rows_imported, batch.amount = done["n"], done["amount"] or ZERO
            batch.message = f"Resumed by {acting_user.username}: {done['n']:,} citations were already in."
            batch.finished_at = None
            batch.save()
            return batch
        return ImportBatch.objects.create(
            file_name=file_name[:200], sha256=sha256, rows_total=rows, started_by=acting_user
        )


_CREATE_TEMP = """
DROP TABLE IF EXISTS citation_import_rows, citation_import_new;  -- when called inside an outer transaction
CREATE TEMP TABLE citation_import_rows (
    line integer, number text, issued_local timestamp, plate text, state text, make text,
    violation_id integer, location text, badge text, fine numeric(12, 2), due_on date, fine_written boolean
) ON COMMIT DROP;
CREATE TEMP TABLE citation_import_new (
    id bigint, number text, fine numeric(12, 2), issued_on date, violation_id integer, due_on date
) ON COMMIT DROP
"""

_INSERT_CITATIONS = """
WITH ins AS (
    INSERT INTO parking_citation (number, issued_at, issued_on, plate, state, make, violation_id, location,
                                  badge, fine, fine_written, status, batch_id, owner_name, owner_address,
                                  created_at, created_by_id)
    SELECT r.number, r.issued_local AT TIME ZONE %(tz)s, r.issued_local::date, r.plate, r.state, r.make,
           r.violation_id, r.location, r.badge, r.fine, r.fine_written, 'open', %(batch)s, '', '', now(),
           %(user)s
      FROM citation_import_rows r
     ORDER BY r.line
    ON CONFLICT (number) DO NOTHING
    RETURNING id, number, fine, issued_on, violation_id
)
INSERT INTO citation_import_new (id, number, fine, issued_on, violation_id, due_on)
SELECT ins.id, ins.number, ins.fine, ins.issued_on, ins.violation_id, r.due_on
  FROM ins JOIN citation_import_rows r ON r.number = ins.number
"""

# numbers on file already: rejects, except those this batch put in before it failed (a resume)
_REJECT_ON_FILE = """
INSERT INTO parking_importreject (batch_id, line, citation_number, message)
SELECT %(batch)s, r.line, r.number,
       'Citation ' || r.number || ' is already on file' ||
       COALESCE(' (import ' || c.batch_id || ')', ' (entered by hand)') || ': left out.'
  FROM citation_import_rows r
  JOIN parking_citation c ON c.number = r.number
 WHERE NOT EXISTS (SELECT 1 FROM citation_import_new n WHERE n.number = r.number)
   AND c.batch_id IS DISTINCT FROM %(batch)s
"""

_NEW_CHARGES = """
SELECT n.id AS source_id, n.number AS source_number, 'Citation ' || v.code || ' ' || v.description AS description,
       n.fine AS amount, n.issued_on AS assessed_on, n.due_on AS due_on
  FROM citation_import_new n JOIN parking_violation v ON v.id = n.violation_id
 ORDER BY n.id
"""


def _write_chunk(*, batch, lines: list[str], rejects: list[ImportReject], policy, acting_user, read: int):
    """One chunk in one transaction: citations, their journal entry, charges, rejects, counters."""
    with transaction.atomic(), connection.cursor() as cur:
        imported, amount, on_file = 0, ZERO, 0
        if lines:
            cur.execute(_CREATE_TEMP)
            with cur.copy(
                "COPY citation_import_rows (line, number, issued_local, plate, state, make, violation_id, "
                "location, badge, fine, due_on, fine_written) FROM STDIN"
            ) as copy:
                for i in range(0, len(lines), 5000):
                    copy.write("".join(lines[i : i + 5000]))
            params = {"batch": batch.pk, "user": acting_user.pk, "tz": settings.TIME_ZONE}
            cur.execute(_INSERT_CITATIONS, params)
            cur.execute(_REJECT_ON_FILE, params)
            on_file = cur.rowcount
            _entry, imported, amount = core.charges_assess_set(
                rows_sql=_NEW_CHARGES,
                params={},
                party=policy.citation_party,
                receivable_account=policy.citation_receivable_account,
                revenue_account=policy.fine_revenue_account,
                source_model=Citation,
                memo=f"Citations imported from {batch.file_name} (import {batch.pk})",
                noun="citations",
                acting_user=acting_user,
                source=batch,
            )
        ImportReject.objects.bulk_create(rejects, batch_size=5000)
        batch.rows_read = read
        batch.rows_imported += imported
        batch.rows_rejected += len(rejects) + on_file
        batch.amount += amount
        batch.save(update_fields=["rows_read", "rows_imported", "rows_rejected", "amount"])


def citations_import(
    source, file_name: str = "", *, acting_user, progress=None, chunk: int = CHUNK
) -> ImportBatch:
    """Import a handheld export (a path, or a binary file object such as an upload).

    Raises ImportRefused, with nothing written, for a file that cannot be imported (or was
    already); ImportFailed if it stops part-way (the batch is marked failed, the chunks already
    committed stay, and importing the same file again finishes it). `progress(read, total,
    imported, rejected)` is called after each chunk."""
    if not acting_user.has_perm("parking.import_citations"):
        raise NotAllowed("Importing citation files needs the role Account Services Representative II.")
    if chunk < 1:
        raise ValueError("chunk must be at least 1")
    file_name = file_name or (
        Path(source).name if isinstance(source, (str, Path)) else getattr(source, "name", "")
    )
    file_name = Path(file_name or "upload.csv").name
    f, opened = _open(source)
    try:
        sha256, _size = _fingerprint(f)
        total = _scan(f)
        policy = selectors.policy_on()
        lock = _file_lock(sha256)
        try:
            batch = _start(sha256=sha256, file_name=file_name, rows=total, acting_user=acting_user)
        except BaseException:
            _file_unlock(lock)
            raise
        try:
            _run(
                batch=batch,
                f=f,
                total=total,
                policy=policy,
                acting_user=acting_user,
                progress=progress,
                chunk=chunk,
            )
        except Exception as exc:
            message = _failed(batch, exc, total=total, file_name=file_name, acting_user=acting_user)
            raise ImportFailed(f"Import {batch.pk} of {file_name}: {message}", batch) from exc
        else:
            _finished(batch, file_name=file_name, sha256=sha256, rows=total, acting_user=acting_user)
        finally:
            _file_unlock(lock)
    finally:
        if opened:
            f.close()
    return batch


def _failed(batch, exc: Exception, *, total: int, file_name: str, acting_user) -> str:
    """The batch marked failed, with what went in, and its audit row, in one transaction.
    Returns the message saying so."""
    batch.refresh_from_db()
    at = f"after {batch.rows_read:,} of {total:,} rows"
    message = (
        f"Stopped {at} ({type(exc).__name__}: {exc}). The {batch.rows_imported:,} citations already "
        "imported stay; import the same file again to finish it."
    )
    with transaction.atomic():
        ImportBatch.objects.filter(pk=batch.pk).update(
            status=ImportBatch.Status.FAILED, message=message[:300], finished_at=timezone.now()
        )
        batch.refresh_from_db()
        core.audit(
            actor=acting_user,
            action="citations.import_failed",
            obj=batch,
            after={"file": file_name, "read": batch.rows_read, "imported": batch.rows_imported},
            reason=message[:250],
        )
    return message


def _finished(batch, *, file_name: str, sha256: str, rows: int, acting_user) -> None:
    """The batch marked finished and its audit row, in one transaction."""
    with transaction.atomic():
        batch.status = ImportBatch.Status.FINISHED
        batch.finished_at = timezone.now()
        batch.save(update_fields=["status", "finished_at"])
        core.audit(
            actor=acting_user,
            action="citations.imported",
            obj=batch,
            after={
                "file": file_name,
                "sha256": sha256,
                "rows": rows,
                "imported": batch.rows_imported,
                "rejected": batch.rows_rejected,
                "amount": str(batch.amount),
            },
        )


def _run(*, batch, f, total, policy, acting_user, progress, chunk):
    text, reader = _reader(f)
    try:
        checker = _Checker(_header(reader))
        read = 0
        lines: list[str] = []
        rejects: list[ImportReject] = []

        def flush():
            _write_chunk(
                batch=batch, lines=lines, rejects=rejects, policy=policy, acting_user=acting_user, read=read
            )
            lines.clear()
            rejects.clear()
            if progress:
                progress(read, total, batch.rows_imported, batch.rows_rejected)

        for row in reader:
            if not row:
                continue
            read += 1
            line = reader.line_num
            try:
                lines.append(checker.check(row, line))
            except rules.RuleError as exc:
                number = (
                    row[checker.cols["citation_number"]].strip()[:40] if len(row) == checker.cols[""] else ""
                )
                rejects.append(
                    ImportReject(batch=batch, line=line, citation_number=number, message=str(exc)[:300])
                )
            if read % chunk == 0:
                flush()
        if read % chunk or read == 0:
            flush()
    finally:
        text.detach()


def _imported_by(job) -> ImportBatch | None:
    """The finished batch of this job's file, if this job got that far before it stopped."""
    try:
        with open(job.params["path"], "rb") as f:
            sha256, _size = _fingerprint(f)
    except (FileNotFoundError, ImportRefused):
        return None
    return ImportBatch.objects.filter(
        sha256=sha256, status=ImportBatch.Status.FINISHED, started_at__gte=job.created_at
    ).first()


@core.job_handler("parking.import_citations", permission="parking.import_citations")
def citations_import_job(job, progress) -> str:
    """The upload page's import, run by the job worker. Run again (a retry after a failure or a
    worker that died), it takes up the same batch and brings in only what is not in yet."""
    path = job.params["path"]

    def report(read, total, imported, rejected):
        progress(read, total, f"{imported:,} imported, {rejected:,} rejected so far")

    progress(0, None, "Checking the file")
    done = _imported_by(job)
    if done is not None:  # the import finished before the job could record it: nothing to do twice
        core.upload_discard(path)
        return done.get_absolute_url()
    try:
        batch = citations_import(
            path,
            job.params.get("file_name", ""),
            acting_user=job.created_by,
            progress=report,
            chunk=int(job.params.get("chunk", CHUNK)),
        )
    except FileNotFoundError:
        raise ImportRefused("The uploaded file is no longer on the server: upload it again.") from None
    except ImportRefused:
        core.upload_discard(path)  # a file refused whole never imports on a retry: nothing to keep
        raise
    core.upload_discard(path)
    progress(
        batch.rows_read,
        batch.rows_total,
        f"{batch.rows_imported:,} imported (${batch.amount:,}), {batch.rows_rejected:,} rejected",
    )
    return batch.get_absolute_url()


__all__ = [
    "citations_check",
    "citations_import_job",
    "citations_import",
    "ImportRefused",
    "ImportFailed",
    "HELP",
    "COLUMNS",
    "SAMPLE",
    "MAX_REJECTS_SHOWN",
]
