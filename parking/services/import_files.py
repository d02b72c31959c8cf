"""The citation file itself: opened, fingerprinted, its header read and its shape checked,
before any row is looked at. `citations_check` is what the upload page checks while the clerk
waits; the job does the rest. The header decides the layout: the built-in nine columns, or the
import profile chosen (or the one whose columns the header has), through which the core's
`RowMapper` turns each row into the nine canonical values."""

from __future__ import annotations

import codecs
import collections
import csv
import hashlib
import io
from dataclasses import dataclass
from pathlib import Path

from django.utils import timezone

from revenue import services as core
from revenue.models import ImportProfile

from ..models import ImportBatch

COLUMNS = (
    "citation_number",
    "issued_at",
    "plate",
    "state",
    "make",
    "violation_code",
    "location",
    "badge",
    "fine",
)
OPTIONAL = frozenset({"fine"})  # blank or absent: the schedule's fine
MAX_BYTES = 256 * 1024 * 1024  # about two million rows
TARGET = "parking.citations"


class ImportRefused(core.FileRefused):
    """The file cannot be imported; nothing was written."""


def _open(source) -> tuple:
    """A seekable binary file for a path or a file object, and whether we opened it."""
    if isinstance(source, (str, Path)):
        return open(source, "rb"), True  # noqa: SIM115 - closed by the caller
    f = getattr(source, "file", source)  # Django's UploadedFile wraps the real file
    if isinstance(f, io.TextIOBase):
        raise ImportRefused("The file must be opened in binary mode.")
    return f, False


def _fingerprint(f) -> tuple[str, int]:
    """SHA-256 and size; refuses a file that is empty, too big, binary or not UTF-8."""
    f.seek(0)
    digest = hashlib.sha256()
    decoder = codecs.getincrementaldecoder("utf-8")("strict")
    size = 0
    while block := f.read(1 << 20):
        size += len(block)
        if size > MAX_BYTES:
            raise ImportRefused(
                f"The file is larger than {MAX_BYTES // 1024 // 1024} MB: split it into smaller files."
            )
        if b"\x00" in block:
            raise ImportRefused("This is not a text file (it holds binary data): choose the CSV export.")
        digest.update(block)
        try:
            decoder.decode(block)
        except UnicodeDecodeError:
            raise ImportRefused(
                "The file is not UTF-8 text: export it from the device again as CSV (UTF-8)."
            ) from None
    try:
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        raise ImportRefused("The file is not UTF-8 text: it ends in the middle of a character.") from None
    if size == 0:
        raise ImportRefused("The file is empty.")
    return digest.hexdigest(), size


def _row_text(row: list[str]) -> str:
    """A row as one CSV line, as it was in the file (for the rejects file)."""
    out = io.StringIO()
    csv.writer(out, lineterminator="").writerow(row)
    return out.getvalue()


def _reader(f):
    f.seek(0)
    text = io.TextIOWrapper(f, encoding="utf-8-sig", newline="")
    return text, csv.reader(text)


MAX_COLUMNS = 100  # a citation export has nine; a header far wider is not one
MAX_HEADER_CHARS = 10_000


def _header_row(reader) -> list[str]:
    """The header row as written, checked in time linear in its size, which is bounded."""
    for row in reader:
        if any(cell.strip() for cell in row):
            if len(row) > MAX_COLUMNS or sum(len(cell) for cell in row) > MAX_HEADER_CHARS:
                raise ImportRefused(
                    f"The header row has {len(row):,} columns: this is not a citation export "
                    f"(it has {len(COLUMNS)})."
                )
            return row
    raise ImportRefused("The file has no header row (and no citations).")


def _columns(names: list[str]) -> dict[str, int]:
    """The built-in layout: the nine columns by name, in any order."""
    counts = collections.Counter(names)
    doubled = sorted(n for n, k in counts.items() if n and k > 1)
    if doubled:
        raise ImportRefused(f"The header names {', '.join(doubled)} more than once.")
    missing = [c for c in COLUMNS if c not in names and c not in OPTIONAL]
    if missing:
        raise ImportRefused(
            f"The header row lacks {', '.join(missing)}: the file needs the columns {', '.join(COLUMNS)}."
        )
    return {c: names.index(c) for c in COLUMNS if c in names} | {"": len(names)}


CANONICAL = {c: i for i, c in enumerate(COLUMNS)} | {"": len(COLUMNS)}


@dataclass
class Layout:
    """How the file's rows become the nine canonical values: `cols` (the built-in layout's column
    of each) or `mapper` (the profile's). `header` is the header row as written."""

    header: list[str]
    profile: ImportProfile | None
    cols: dict[str, int]
    mapper: core.RowMapper | None = None

    @property
    def width(self) -> int:
        return len(self.header)

    def canonical(self, row: list[str]) -> tuple[list[str], list[core.Problem]]:
        """The row as the checker reads it (with `cols`), and the problems of mapping it."""
        if self.mapper is None:
            return row, []
        values, problems = self.mapper.map(row)
        return [values[c] for c in COLUMNS], problems


def _layout(reader, profile: ImportProfile | None = None) -> Layout:
    """The header read, and the layout it picks: the profile given; else the built-in nine
    columns when the header has them; else the one active profile whose columns it has."""
    header = _header_row(reader)
    names = [" ".join(cell.split()).lower() for cell in header]
    if profile is None and all(c in names for c in COLUMNS if c not in OPTIONAL):
        return Layout(header, None, _columns(names))
    try:
        profile = core.profile_pick(target=TARGET, header=names, profile=profile, builtin=False)
        mapper = core.RowMapper(core.import_target_get(TARGET), profile, names)
    except core.FileRefused as exc:
        raise ImportRefused(str(exc)) from None
    return Layout(header, profile, CANONICAL, mapper)


def _scan(f, profile: ImportProfile | None = None) -> tuple[int, Layout]:
    """Check the file's shape without writing anything: header, rows, column counts. Returns the
    number of data rows and the layout the header picked."""
    text, reader = _reader(f)
    try:
        layout = _layout(reader, profile)
        width = layout.width
        rows = wrong = 0
        for row in reader:
            if not row:
                continue
            rows += 1
            wrong += len(row) != width
    except csv.Error as exc:
        raise ImportRefused(f"Line {reader.line_num} is not valid CSV ({exc}).") from None
    finally:
        text.detach()  # leave the binary file open for the next pass
    if rows == 0:
        raise ImportRefused("The file has a header but no citations.")
    if wrong * 2 > rows:
        raise ImportRefused(
            f"{wrong:,} of {core.plural(rows, 'row')} {'does' if wrong == 1 else 'do'} not have the header's "
            f"{core.plural(width, 'column')}: "
            "this is not a citation export (check the delimiter is a comma)."
        )
    return rows, layout


def citations_check(source, profile: ImportProfile | None = None) -> tuple[str, ImportProfile | None]:
    """What can be checked while the clerk waits, before the file goes to the job queue: text,
    UTF-8, size, the header and the profile it is read through, and whether the same file was
    imported already. Returns the file's SHA-256 and the profile (None: the built-in layout);
    raises ImportRefused, with nothing written."""
    f, opened = _open(source)
    try:
        sha256, _size = _fingerprint(f)
        text, reader = _reader(f)
        try:
            profile = _layout(reader, profile).profile
        except csv.Error as exc:
            raise ImportRefused(f"The header row is not valid CSV ({exc}).") from None
        finally:
            text.detach()
    finally:
        if opened:
            f.close()
    earlier = ImportBatch.objects.filter(sha256=sha256, status=ImportBatch.Status.FINISHED).first()
    if earlier is not None:
        raise ImportRefused(
            f"This file was already imported on {timezone.localtime(earlier.started_at):%m/%d/%Y %H:%M} "
            f"(import {earlier.pk}): nothing was changed."
        )
    return sha256, profile
