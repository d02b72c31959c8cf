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

from pathlib import Path

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, Sum
from django.utils import timezone

from revenue import services as core
from revenue.exceptions import NotAllowed, RevenueError
from revenue.models import ImportProfile
from revenue.money import ZERO

from .. import selectors
from ..models import Citation, ImportBatch, ImportReject
from .import_files import (
    COLUMNS,
    MAX_BYTES,
    TARGET,
    ImportRefused,
    _fingerprint,
    _layout,
    _open,
    _reader,
    _row_text,
    _scan,
    citations_check,
)
from .import_rows import ON_FILE, RowRejected, _Checker

CHUNK = 50_000

HELP = (
    "A CSV file in UTF-8 (a byte-order mark is fine) with a header row naming these columns, in any "
    "order: citation_number (4 to 20 letters and digits), issued_at (city time, 2025-03-14 09:30 or "
    "03/14/2025 09:30), plate, state (CA, NV …), make, violation_code (as on the schedule, e.g. "
    "22500(a)), location, badge, and optionally fine (the schedule's fine on the day of issue, e.g. "
    "65.00, or for a code whose fine the officer writes, the amount written, within the code's range; "
    "blank: the schedule's). "
    "A file laid out another way (a vendor's own columns, AM/PM times, its own violation codes) is "
    "read through its import profile: choose it, or leave the choice to the header. "
    f"At most {MAX_BYTES // 1024 // 1024} MB. Rows that fail a check are left out and summarised by "
    "reason; the others go in."
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


def _start(
    *, sha256: str, file_name: str, rows: int, acting_user, profile=None, header: str = ""
) -> ImportBatch:
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
            already = core.plural(done["n"], "citation")
            batch.message = f"Resumed by {acting_user.username}: {already} {'was' if done['n'] == 1 else 'were'} already in."
            batch.finished_at = None
            batch.profile, batch.header = profile, header
            batch.save()
            return batch
        return ImportBatch.objects.create(
            file_name=file_name[:200],
            sha256=sha256,
            rows_total=rows,
            started_by=acting_user,
            profile=profile,
            header=header,
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

# numbers on file already: rejects, except those this batch put in before it failed (a resume);
# read back so each reject carries its row as it was in the file
_REJECT_ON_FILE = """
SELECT r.line, r.number,
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


def _write_chunk(
    *, batch, lines: list[str], rejects: list[ImportReject], policy, acting_user, read: int, raw=None
):
    """One chunk in one transaction: citations, their journal entry, charges, rejects, counters.
    `raw` gives a line's row as it was in the file, for a number found already on file."""
    with transaction.atomic(), connection.cursor() as cur:
        imported, amount = 0, ZERO
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
            rejects = rejects + [
                ImportReject(
                    batch=batch,
                    line=line,
                    citation_number=number,
                    message=message[:300],
                    reasons=[ON_FILE],
                    row=_row_text(raw(line)) if raw else "",
                )
                for line, number, message in cur.fetchall()
            ]
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
        batch.rows_rejected += len(rejects)
        batch.amount += amount
        batch.save(update_fields=["rows_read", "rows_imported", "rows_rejected", "amount"])


def citations_import(
    source, file_name: str = "", *, acting_user, progress=None, chunk: int = CHUNK, profile=None
) -> ImportBatch:
    """Import a handheld export (a path, or a binary file object such as an upload), read
    through `profile` (an ImportProfile), or the built-in nine columns, or the profile the header
    picks (see `_layout`).

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
        total, layout = _scan(f, profile)
        policy = selectors.policy_on()
        lock = _file_lock(sha256)
        try:
            batch = _start(
                sha256=sha256,
                file_name=file_name,
                rows=total,
                acting_user=acting_user,
                profile=layout.profile,
                header=_row_text(layout.header),
            )
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
                profile=layout.profile,
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
    at = f"after {batch.rows_read:,} of {core.plural(total, 'row')}"
    message = (
        f"Stopped {at} ({type(exc).__name__}: {exc}). The {core.plural(batch.rows_imported, 'citation')} "
        "already imported stay; import the same file again to finish it."
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


def _run(*, batch, f, total, policy, acting_user, progress, chunk, profile=None):
    text, reader = _reader(f)
    try:
        layout = _layout(reader, profile)
        checker = _Checker(layout.cols)
        read = 0
        lines: list[str] = []
        good: dict[int, list[str]] = {}  # the chunk's rows as in the file, for numbers on file already
        rejects: list[ImportReject] = []

        def flush():
            _write_chunk(
                batch=batch,
                lines=lines,
                rejects=rejects,
                policy=policy,
                acting_user=acting_user,
                read=read,
                raw=good.get,
            )
            lines.clear()
            rejects.clear()
            good.clear()
            if progress:
                progress(read, total, batch.rows_imported, batch.rows_rejected)

        for row in reader:
            if not row:
                continue
            read += 1
            line = reader.line_num
            try:
                lines.append(_check_row(layout, checker, row, line))
                good[line] = row
            except RowRejected as exc:
                rejects.append(_reject(batch, layout, row, line, exc))
            if read % chunk == 0:
                flush()
        if read % chunk or read == 0:
            flush()
    finally:
        text.detach()


def _check_row(layout, checker: _Checker, row: list[str], line: int) -> str:
    """The row's COPY line: mapped through the profile if there is one, then checked."""
    if layout.mapper is None:
        return checker.check(row, line)
    if len(row) != layout.width:
        message = f"The row has {core.plural(len(row), 'field')}; the header has {layout.width}."
        raise RowRejected([core.Problem("Row width", message)])
    canonical, problems = layout.canonical(row)
    return checker.check(canonical, line, problems)


def _reject(batch, layout, row: list[str], line: int, exc: RowRejected) -> ImportReject:
    number = ""
    if len(row) == layout.width:
        number = (layout.canonical(row)[0] if layout.mapper else row)[layout.cols["citation_number"]]
    return ImportReject(
        batch=batch,
        line=line,
        citation_number=number.strip()[:40],
        message=str(exc)[:300],
        reasons=list(dict.fromkeys(p.reason[:60] for p in exc.problems)),
        row=_row_text(row),
    )


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
        progress(
            read,
            total,
            f"{core.plural(imported, 'citation')} imported, {core.plural(rejected, 'row')} rejected so far",
        )

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
            profile=_job_profile(job),
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
        f"{core.plural(batch.rows_imported, 'citation')} imported (${batch.amount:,}), "
        f"{core.plural(batch.rows_rejected, 'row')} rejected",
    )
    return batch.get_absolute_url()


def _job_profile(job) -> ImportProfile | None:
    """The profile the upload page read the file through (checked again by the import)."""
    pk = job.params.get("profile")
    if not pk:
        return None
    try:
        return ImportProfile.objects.get(pk=pk, target=TARGET)
    except ImportProfile.DoesNotExist:
        raise ImportRefused("The import profile chosen for this file is gone: upload it again.") from None


__all__ = [
    "TARGET",
    "citations_check",
    "citations_import_job",
    "citations_import",
    "ImportRefused",
    "ImportFailed",
    "HELP",
    "COLUMNS",
    "SAMPLE",
]
