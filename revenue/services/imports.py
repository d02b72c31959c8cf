"""Import profiles: how one source's file layout becomes the fields of a registered import target.

A duty app registers each kind of file it imports as a target (`import_target`): its fields
(name, label, kind, required) and an optional row check of its own. A supervisor defines a
profile per source on the profile screens; `RowMapper` turns a raw CSV row into the target's
canonical text values (dates as 2025-03-14, times as 2025-03-14 21:30:00, amounts as 1234.50,
codes translated) and names each problem, and the target's own import checks and writes the
canonical values as it always did. With no profile, the target's field names are its columns
(the built-in layout)."""

from __future__ import annotations

import codecs
import csv
import datetime
import io
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import NamedTuple

from django.db import IntegrityError, transaction

from ..exceptions import NotAllowed, RevenueError
from ..models import ImportProfile
from .audit import audit, snapshot


class FileRefused(RevenueError):
    """The file cannot be read as the target (through its profile) needs; nothing was written."""


class ProfileInvalid(RevenueError):
    """A profile that does not fit its target; nothing was saved."""


class Problem(NamedTuple):
    """One problem of a row: `reason` groups rejects for the summary (a short label), `message`
    names the value and what is wrong with it."""

    reason: str
    message: str


# --------------------------------------------------------------------------- targets

KINDS = ("text", "code", "date", "datetime", "money")


@dataclass(frozen=True)
class TargetField:
    name: str
    label: str
    kind: str = "text"  # one of KINDS: how a profile reads it
    required: bool = True
    help: str = ""


@dataclass(frozen=True)
class ImportTarget:
    """What a duty app imports: its fields, the permission to import, and `checker`, a factory
    (called once per file) of a row check `(values, line) -> [Problem]` run by the preview on the
    mapped values (the import itself runs the same checks)."""

    key: str
    title: str
    fields: tuple[TargetField, ...]
    permission: str
    checker: Callable[[], Callable[[dict[str, str], int], list[Problem]]] | None = None
    url_name: str = ""

    def field(self, name: str) -> TargetField:
        return next(f for f in self.fields if f.name == name)

    @property
    def names(self) -> list[str]:
        return [f.name for f in self.fields]


_TARGETS: dict[str, ImportTarget] = {}


def import_target(key: str, **kwargs) -> ImportTarget:
    """Register (or replace, on a reload) an import target. Duty apps call it when loaded."""
    for f in kwargs["fields"]:
        if f.kind not in KINDS:
            raise ValueError(f"{key}.{f.name}: kind {f.kind!r} is not one of {KINDS}")
    target = _TARGETS[key] = ImportTarget(key=key, **kwargs)
    return target


def import_targets() -> list[ImportTarget]:
    return sorted(_TARGETS.values(), key=lambda t: t.title)


def import_target_get(key: str) -> ImportTarget:
    try:
        return _TARGETS[key]
    except KeyError:
        raise ProfileInvalid(f"There is no import target {key!r}.") from None


# --------------------------------------------------------------------------- formats

DATE_PRESETS = ["%Y-%m-%d", "%m/%d/%Y", "%m/%d/%y", "%d/%m/%Y", "%d.%m.%Y", "%Y%m%d", "%d-%b-%Y"]
TIME_PRESETS = ["%H:%M", "%H:%M:%S", "%I:%M %p", "%I:%M:%S %p", "%I:%M%p", "%H%M"]
_DATE_DIRECTIVES = {"d", "m", "Y", "y", "b", "B"}
_TIME_DIRECTIVES = {"H", "I", "M", "S", "p"}
_LITERALS = set(" /-.:,T")
_EXAMPLE = datetime.datetime(2025, 3, 14, 21, 30, 5)  # noqa: DTZ001 - shows a pattern, no instant


def _check_pattern(pattern: str, allowed: set[str], needs: list[set[str]], what: str) -> None:
    directives = re.findall(r"%(.)", pattern)
    rest = re.sub(r"%.", "", pattern)
    if not pattern or any(d not in allowed for d in directives) or set(rest) - _LITERALS:
        raise ProfileInvalid(
            f"The {what} format {pattern!r} is not a pattern this system reads: use "
            f"{' '.join('%' + d for d in sorted(allowed))} and / - . : , T between them."
        )
    for one_of in needs:
        if not one_of & set(directives):
            raise ProfileInvalid(
                f"The {what} format {pattern!r} lacks {' or '.join('%' + d for d in sorted(one_of))}."
            )
    if ("I" in directives) != ("p" in directives):
        raise ProfileInvalid(f"The {what} format {pattern!r}: a 12-hour hour (%I) goes with AM/PM (%p).")


def check_formats(date_format: str, time_format: str) -> None:
    if date_format:
        _check_pattern(date_format, _DATE_DIRECTIVES, [{"d"}, {"m", "b", "B"}, {"Y", "y"}], "date")
    if time_format:
        if not date_format:
            raise ProfileInvalid("A time format needs a date format too.")
        _check_pattern(time_format, _TIME_DIRECTIVES, [{"H", "I"}, {"M"}], "time")


# --------------------------------------------------------------------------- saving a profile

EDITABLE = [
    "name",
    "mapping",
    "constants",
    "date_format",
    "time_format",
    "decimal_separator",
    "thousands_separator",
    "currency_symbol",
    "code_table",
    "active",
]
MAX_CODES = 2000
MAX_COLUMN_NAME = 100


def _validate(target: ImportTarget, values: dict) -> None:
    mapping, constants = values["mapping"], values["constants"]
    unknown = sorted((set(mapping) | set(constants)) - set(target.names))
    if unknown:
        raise ProfileInvalid(f"{target.title} has no field {', '.join(unknown)}.")
    for name, columns in mapping.items():
        if (
            not isinstance(columns, list)
            or not columns
            or not all(isinstance(c, str) and c.strip() and len(c) <= MAX_COLUMN_NAME for c in columns)
        ):
            raise ProfileInvalid(
                f"{target.field(name).label}: name the file's column(s), each at most 100 characters."
            )
    missing = [
        f.label for f in target.fields if f.required and f.name not in mapping and not constants.get(f.name)
    ]
    if missing:
        raise ProfileInvalid(f"Say which column (or which constant) feeds {', '.join(missing)}.")
    check_formats(values["date_format"], values["time_format"])
    kinds = {target.field(n).kind for n in mapping}
    if "datetime" in kinds and bool(values["date_format"]) != bool(values["time_format"]):
        raise ProfileInvalid("A date-and-time field needs both a date format and a time format (or neither).")
    if values["decimal_separator"] not in (".", ","):
        raise ProfileInvalid("The decimal separator is a point or a comma.")
    if values["thousands_separator"] not in ("", ",", ".", " ", "'"):
        raise ProfileInvalid("The thousands separator is a comma, a point, a space, an apostrophe or none.")
    if values["decimal_separator"] == values["thousands_separator"]:
        raise ProfileInvalid("The decimal and thousands separators must differ.")
    symbol = values["currency_symbol"]
    if len(symbol) > 5 or any(ch.isdigit() or ch in ".,'- " for ch in symbol):
        raise ProfileInvalid(
            "The currency symbol is at most 5 characters, none of them a digit or a separator."
        )
    table = values["code_table"]
    if table and not any(f.kind == "code" for f in target.fields):
        raise ProfileInvalid(f"{target.title} has no coded field to translate.")
    if len(table) > MAX_CODES or any(not k or not v or len(k) > 40 or len(v) > 40 for k, v in table.items()):
        raise ProfileInvalid(
            f"The translation table holds at most {MAX_CODES:,} codes of up to 40 characters each."
        )


def header_signature(mapping: dict[str, list[str]]) -> str:
    return ",".join(sorted({_norm(c) for columns in mapping.values() for c in columns}))[:2000]


def profile_save(
    *, acting_user, profile: ImportProfile | None = None, target: str = "", **values
) -> ImportProfile:
    """Create a profile (`target` and every EDITABLE value) or change one, validated against its
    target's fields, with its audit row (before and after) in the same transaction."""
    perm = "revenue.change_importprofile" if profile else "revenue.add_importprofile"
    if not acting_user.has_perm(perm):
        raise NotAllowed("Import profiles are defined by a Revenue Supervisor.")
    the_target = import_target_get(profile.target if profile else target)
    current = {k: getattr(profile, k) for k in EDITABLE} if profile else {}
    merged = {**current, **{k: v for k, v in values.items() if k in EDITABLE}}
    for k, default in (
        ("mapping", {}),
        ("constants", {}),
        ("code_table", {}),
        ("date_format", ""),
        ("time_format", ""),
    ):
        merged.setdefault(k, default)
    merged.setdefault("decimal_separator", ".")
    merged.setdefault("thousands_separator", ",")
    merged.setdefault("currency_symbol", "$")
    merged.setdefault("active", True)
    merged["constants"] = {k: str(v).strip() for k, v in merged["constants"].items() if str(v).strip()}
    merged["currency_symbol"] = str(merged["currency_symbol"]).strip()
    merged["name"] = str(merged.get("name", "")).strip()
    if not merged["name"] or len(merged["name"]) > 100:
        raise ProfileInvalid(
            "Give the profile a name of at most 100 characters (the source, e.g. 'Handheld vendor A')."
        )
    _validate(the_target, merged)
    try:
        return _write(the_target, profile, merged, acting_user)
    except IntegrityError:  # the same name saved by someone else meanwhile
        raise ProfileInvalid(f"{the_target.title} already has a profile named {merged['name']!r}.") from None


def _write(
    the_target: ImportTarget, profile: ImportProfile | None, merged: dict, acting_user
) -> ImportProfile:
    with transaction.atomic():
        if profile is None:
            if ImportProfile.objects.filter(target=the_target.key, name=merged["name"]).exists():
                raise ProfileInvalid(f"{the_target.title} already has a profile named {merged['name']!r}.")
            profile = ImportProfile(target=the_target.key, created_by=acting_user)
            before = None
        else:
            profile = ImportProfile.objects.select_for_update().get(pk=profile.pk)
            before = snapshot(profile, EDITABLE)
            if (
                ImportProfile.objects.filter(target=profile.target, name=merged["name"])
                .exclude(pk=profile.pk)
                .exists()
            ):
                raise ProfileInvalid(f"{the_target.title} already has a profile named {merged['name']!r}.")
        for k in EDITABLE:
            setattr(profile, k, merged[k])
        profile.header_signature = header_signature(profile.mapping)
        profile.changed_by = acting_user
        profile.save()
        audit(
            actor=acting_user,
            action=f"importprofile.{'created' if before is None else 'changed'}",
            obj=profile,
            before=before,
            after=snapshot(profile, EDITABLE),
        )
    return profile


# --------------------------------------------------------------------------- reading a file

MAX_COLUMNS = 100
MAX_HEADER_CHARS = 10_000


def _norm(name: str) -> str:
    return " ".join(name.split()).lower()


def read_header(reader) -> list[str]:
    """The header row's names (trimmed, lower case), checked in time linear in its bounded size."""
    for row in reader:
        if any(cell.strip() for cell in row):
            if len(row) > MAX_COLUMNS or sum(len(cell) for cell in row) > MAX_HEADER_CHARS:
                raise FileRefused(
                    f"The header row has {len(row):,} columns: this is not an export this system reads."
                )
            return [_norm(cell) for cell in row]
    raise FileRefused("The file has no header row.")


def profile_pick(
    *, target: str, header: list[str], profile: ImportProfile | None = None, builtin: bool = True
):
    """The profile a file is read through: the one chosen (active, of this target); else none
    when the header has every field of the built-in layout (`builtin`); else the one active
    profile whose mapped columns are all in the header. Refuses, naming what to do, when none or
    several fit."""
    the_target = import_target_get(target)
    if profile is not None:
        if profile.target != target or not profile.active:
            raise FileRefused(f"Profile {profile.name} is not an active profile for {the_target.title}.")
        return profile
    names = set(header)
    if builtin and all(f.name in names for f in the_target.fields if f.required):
        return None
    fits = [
        p
        for p in ImportProfile.objects.filter(target=target, active=True).exclude(header_signature="")
        if set(p.header_signature.split(",")) <= names
    ]
    if len(fits) > 1:
        raise FileRefused(
            f"The header fits several import profiles ({', '.join(p.name for p in fits)}): choose one."
        )
    if not fits:
        lacking = [f.name for f in the_target.fields if f.required and f.name not in names]
        raise FileRefused(
            f"The header row lacks {', '.join(lacking)}, and no import profile matches it: choose a profile, "
            f"or ask a supervisor to define one for this source (the built-in layout needs the columns "
            f"{', '.join(the_target.names)})."
        )
    return fits[0]


class RowMapper:
    """Turns raw rows of a file with `header` into the target's canonical text values."""

    def __init__(self, target: ImportTarget, profile: ImportProfile | None, header: list[str]):
        self.target, self.profile, self.width = target, profile, len(header)
        mapping = (
            profile.mapping if profile else {f.name: [f.name] for f in target.fields if f.name in header}
        )
        self.constants = profile.constants if profile else {}
        index = {name: i for i, name in reversed(list(enumerate(header)))}
        lacking = sorted({c for cols in mapping.values() for c in cols if _norm(c) not in index})
        if lacking:
            raise FileRefused(
                f"The header row lacks {', '.join(lacking)}, which profile {profile.name if profile else '(built-in)'} reads."
            )
        self.columns = {name: [index[_norm(c)] for c in cols] for name, cols in mapping.items()}
        self.date_format = profile.date_format if profile else ""
        self.time_format = profile.time_format if profile else ""
        self.codes = {
            k.strip().upper(): v.strip() for k, v in (profile.code_table if profile else {}).items()
        }
        self._amount = self._amount_pattern()

    def _amount_pattern(self):
        if self.profile is None:
            return None
        dec, sep = re.escape(self.profile.decimal_separator), re.escape(self.profile.thousands_separator)
        grouped = rf"\d{{1,3}}(?:{sep}\d{{3}})+" if sep else r"(?!)"
        return re.compile(rf"^-?(?:{grouped}|\d+)(?:{dec}\d+)?$")

    def map(self, row: list[str]) -> tuple[dict[str, str], list[Problem]]:
        values: dict[str, str] = {}
        problems: list[Problem] = []
        for f in self.target.fields:
            cols = self.columns.get(f.name)
            raw = " ".join(row[i].strip() for i in cols if i < len(row)).strip() if cols else ""
            if not raw:
                raw = self.constants.get(f.name, "")
            try:
                values[f.name] = self._convert(f, raw) if raw else ""
            except ValueError as exc:
                problems.append(Problem(f.label, str(exc)))
                values[f.name] = raw
        return values, problems

    def _convert(self, f: TargetField, raw: str) -> str:
        if f.kind == "code":
            return self.codes.get(raw.upper(), raw)
        if f.kind == "date" and self.date_format:
            return self._parse(raw, self.date_format, f).strftime("%Y-%m-%d")
        if f.kind == "datetime" and self.date_format:
            return self._parse(raw, f"{self.date_format} {self.time_format}", f).strftime("%Y-%m-%d %H:%M:%S")
        if f.kind == "money" and self.profile is not None:
            text = (
                raw.replace(self.profile.currency_symbol, "").strip() if self.profile.currency_symbol else raw
            )
            text = text.replace(" ", "") if self.profile.thousands_separator != " " else text
            if not self._amount.match(text):
                sample = f"1{self.profile.thousands_separator}234{self.profile.decimal_separator}50"
                raise ValueError(f"{f.label} {raw!r} is not an amount written like {sample}.")
            text = (
                text.replace(self.profile.thousands_separator, "")
                if self.profile.thousands_separator
                else text
            )
            return text.replace(self.profile.decimal_separator, ".")
        return raw

    @staticmethod
    def _parse(raw: str, pattern: str, f: TargetField) -> datetime.datetime:
        try:
            return datetime.datetime.strptime(" ".join(raw.split()), pattern)  # noqa: DTZ007 - wall time, as text
        except ValueError:
            shown = _EXAMPLE.strftime(pattern)
            raise ValueError(
                f"{f.label} {raw!r} is not written as the profile says (like {shown})."
            ) from None


# --------------------------------------------------------------------------- preview


@dataclass
class PreviewRow:
    line: int
    values: list[str]
    problems: list[Problem] = field(default_factory=list)


@dataclass
class Preview:
    target: ImportTarget
    profile: ImportProfile | None
    header: list[str]
    rows: list[PreviewRow]
    more: bool

    @property
    def bad(self) -> int:
        return sum(1 for r in self.rows if r.problems)


PREVIEW_ROWS = 20
PREVIEW_BYTES = 1024 * 1024


def profile_preview(*, profile: ImportProfile, source, rows: int = PREVIEW_ROWS) -> Preview:
    """The first `rows` rows of a sample file (an upload or binary file object), mapped through
    the profile and checked by the target's own row check, each problem named. Writes nothing."""
    target = import_target_get(profile.target)
    f = getattr(source, "file", source)
    f.seek(0)
    head = f.read(PREVIEW_BYTES)
    if b"\x00" in head:
        raise FileRefused("This is not a text file (it holds binary data): choose the CSV export.")
    text = codecs.getincrementaldecoder("utf-8-sig")("replace").decode(head)
    if "\ufffd" in text:
        raise FileRefused("The file is not UTF-8 text: export it again as CSV (UTF-8).")
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = read_header(reader)
        mapper = RowMapper(target, profile, header)
        check = target.checker() if target.checker else None
        shown: list[PreviewRow] = []
        more = False
        for row in reader:
            if not row:
                continue
            if len(shown) == rows:
                more = True
                break
            line = reader.line_num
            values, problems = mapper.map(row)
            if len(row) != len(header):
                problems.insert(
                    0,
                    Problem(
                        "Row width", f"The row has {plural(len(row), 'field')}; the header has {len(header)}."
                    ),
                )
            elif check is not None:
                problems += [p for p in check(values, line) if p.reason not in {q.reason for q in problems}]
            shown.append(PreviewRow(line, [values[n] for n in target.names], problems))
    except csv.Error as exc:
        raise FileRefused(f"Line {reader.line_num} is not valid CSV ({exc}).") from None
    return Preview(target, profile, header, shown, more)


def plural(n: int, word: str, words: str | None = None) -> str:
    """'1 row', '2 rows', '1,000 citations': the count with its noun, for every import message."""
    return f"{n:,} {word if n == 1 else (words or word + 's')}"
