"""The fine schedule from a file (a vendor's or the council's table), read through an import
profile or the built-in columns: violation code, description, fine, effective date and, where
the file has it, the late penalty. Supervisor only; the whole file is checked first and goes in
whole or not at all, each new fine with its audit row.

To carry more of a fine's columns (penalty tiers, an override range), add a `TargetField` to
`FIELDS`, check it in `_ScheduleRow.check` and set it in `_fine`: profiles, the preview and the
upload page follow the field list."""

from __future__ import annotations

import csv
import datetime
import io
import re
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import IntegrityError, transaction

from revenue import services as core
from revenue.exceptions import InvalidAmount, NotAllowed
from revenue.models import ImportProfile
from revenue.money import ZERO, money

from .. import rules, selectors
from ..models import Violation, ViolationFine

TARGET = "parking.fine_schedule"
MAX_BYTES = 1024 * 1024
MAX_ROWS = 2000

FIELDS = (
    core.TargetField("violation_code", "Violation code", "code", help="the city's, e.g. 22500(a)"),
    core.TargetField("description", "Description", required=False, help="needed for a new code"),
    core.TargetField("fine", "Fine", "money"),
    core.TargetField("effective_from", "Effective from", "date", help="today or later"),
    core.TargetField(
        "late_penalty", "Late penalty", "money", required=False, help="blank: the code's penalty so far"
    ),
)
_ISO = re.compile(r"^\d{4}-\d{1,2}-\d{1,2}$")


class ScheduleRefused(core.FileRefused):
    """The file has problems: `rows` are (line, values, problems) of the rows with any; nothing
    was written."""

    def __init__(self, message: str, rows=()):
        super().__init__(message)
        self.rows = list(rows)


@dataclass
class ScheduleRow:
    line: int
    values: dict[str, str]
    problems: list[core.Problem] = field(default_factory=list)
    parsed: dict = field(default_factory=dict)

    @property
    def cells(self) -> list[str]:
        return [self.values[f.name] for f in FIELDS]


class _ScheduleRow:
    """Checks canonical rows against the schedule read once (and the rows before it in the file)."""

    def __init__(self):
        self.schedule = selectors.fine_schedule(Violation.objects.all())
        self.violations = {v.code.upper(): v for v in Violation.objects.all()}
        self.taken = set(ViolationFine.objects.values_list("violation__code", "effective_from"))
        self.taken = {(code.upper(), day) for code, day in self.taken}
        self.seen: dict[tuple[str, datetime.date], int] = {}
        self.today = core.city_today()

    def check(self, values: dict[str, str], line: int) -> tuple[dict, list[core.Problem]]:
        problems: list[core.Problem] = []
        code = values["violation_code"].strip()
        if not code or len(code) > 20:
            problems.append(
                core.Problem("Violation code", f"Violation code {code!r} must be 1 to 20 characters.")
            )
        description = values["description"].strip()
        if len(description) > 150:
            problems.append(core.Problem("Description", "The description is longer than 150 characters."))
        elif code and code.upper() not in self.violations and not description:
            problems.append(
                core.Problem("Description", f"{code} is a new violation code: give its description.")
            )
        fine = self._amount(values["fine"], "Fine", problems)
        day = self._day(values["effective_from"], problems)
        penalty = None
        if values["late_penalty"].strip():
            penalty = self._amount(values["late_penalty"], "Late penalty", problems, zero=True)
        elif code and day and not problems:
            try:
                penalty = self.schedule.fine(code, day).late_penalty
            except rules.RuleError:
                problems.append(core.Problem("Late penalty", f"{code} has no late penalty yet: give one."))
        if code and day:
            key = (code.upper(), day)
            if key in self.taken:
                problems.append(
                    core.Problem("Already on the schedule", f"{code} already has a fine from {day:%m/%d/%Y}.")
                )
            elif (first := self.seen.get(key)) is not None:
                message = f"{code} from {day:%m/%d/%Y} is in the file twice (first on line {first})."
                problems.append(core.Problem("Twice in the file", message))
            else:
                self.seen[key] = line
        parsed = {"code": code, "description": description, "fine": fine, "day": day, "penalty": penalty}
        return parsed, problems

    def _amount(self, text: str, label: str, problems, *, zero: bool = False) -> Decimal | None:
        text = text.strip()
        if zero and text.replace("$", "").strip() in {"0", "0.0", "0.00"}:
            return ZERO
        try:
            return money(text, field=label, maximum=rules.MAX_FINE)
        except InvalidAmount as exc:
            problems.append(core.Problem(label, str(exc)))
            return None

    def _day(self, text: str, problems) -> datetime.date | None:
        text = text.strip()
        try:
            if _ISO.match(text):
                day = datetime.date.fromisoformat("-".join(f"{int(p):02d}" for p in text.split("-")))
            else:
                day = datetime.datetime.strptime(text, "%m/%d/%Y").date()  # noqa: DTZ007 - a date
        except ValueError:
            problems.append(
                core.Problem("Effective from", f"Effective from {text!r} is not a date like 2027-07-01.")
            )
            return None
        if day < self.today:
            message = f"Effective from {day:%m/%d/%Y} is in the past: a fine takes effect today or later."
            problems.append(core.Problem("Effective date in the past", message))
            return None
        if day.year > 2199:
            problems.append(
                core.Problem("Effective from", f"Effective from {day:%m/%d/%Y} is too far ahead.")
            )
            return None
        return day


def _preview_check():
    checker = _ScheduleRow()
    return lambda values, line: checker.check(values, line)[1]


core.import_target(
    TARGET,
    title="Parking fine schedule",
    fields=FIELDS,
    permission="parking.add_violationfine",
    checker=_preview_check,
    url_name="parking:fine_schedule_import",
)


def _read(source, profile: ImportProfile | None) -> tuple[ImportProfile | None, list[ScheduleRow]]:
    """Every row of the file mapped and checked; refuses a file that is not one."""
    f = getattr(source, "file", source)
    f.seek(0)
    data = f.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise ScheduleRefused(f"A fine schedule is at most {MAX_BYTES // 1024:,} KB: this file is larger.")
    if b"\x00" in data:
        raise ScheduleRefused("This is not a text file (it holds binary data): choose the CSV export.")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ScheduleRefused("The file is not UTF-8 text: export it again as CSV (UTF-8).") from None
    reader = csv.reader(io.StringIO(text, newline=""))
    target = core.import_target_get(TARGET)
    try:
        header = core.read_header(reader)
        profile = core.profile_pick(target=TARGET, header=header, profile=profile)
        mapper = core.RowMapper(target, profile, header)
        checker = _ScheduleRow()
        rows = []
        for raw in reader:
            if not raw:
                continue
            if len(rows) == MAX_ROWS:
                raise ScheduleRefused(f"A fine schedule has at most {MAX_ROWS:,} rows.")
            values, problems = mapper.map(raw)
            row = ScheduleRow(reader.line_num, values, problems)
            if len(raw) != len(header):
                message = f"The row has {core.plural(len(raw), 'field')}; the header has {len(header)}."
                row.problems.append(core.Problem("Row width", message))
            elif not problems:
                row.parsed, more = checker.check(values, row.line)
                row.problems += more
            rows.append(row)
    except csv.Error as exc:
        raise ScheduleRefused(f"Line {reader.line_num} is not valid CSV ({exc}).") from None
    except core.FileRefused as exc:
        raise ScheduleRefused(str(exc)) from None
    if not rows:
        raise ScheduleRefused("The file has a header but no fines.")
    return profile, rows


def _fine(row: ScheduleRow, violation: Violation, acting_user) -> ViolationFine:
    p = row.parsed
    return ViolationFine(
        violation=violation,
        effective_from=p["day"],
        fine=p["fine"],
        late_penalty=p["penalty"],
        created_by=acting_user,
    )


def fine_schedule_import(source, *, acting_user, profile: ImportProfile | None = None) -> list[ViolationFine]:
    """Add the file's fines to the schedule (new codes too), all or none, each audited. Raises
    ScheduleRefused, naming every row's problems, with nothing written."""
    if not (
        acting_user.has_perm("parking.add_violationfine") and acting_user.has_perm("parking.add_violation")
    ):
        raise NotAllowed("The fine schedule is changed by a Revenue Supervisor.")
    profile, rows = _read(source, profile)
    bad = [r for r in rows if r.problems]
    if bad:
        raise ScheduleRefused(
            f"{core.plural(len(bad), 'row')} of {len(rows):,} {'has' if len(bad) == 1 else 'have'} a problem: "
            "nothing was added. Correct the file and upload it again.",
            bad,
        )
    try:
        return _write(rows, profile=profile, acting_user=acting_user)
    except IntegrityError:
        raise ScheduleRefused(
            "The schedule was changed by someone else meanwhile: nothing was added; upload the file again."
        ) from None


def _write(rows: list[ScheduleRow], *, profile, acting_user) -> list[ViolationFine]:
    """New codes, then the fines, in one transaction, each with its audit row."""
    with transaction.atomic():
        known = {v.code.upper(): v for v in Violation.objects.select_for_update().all()}
        new = {}
        for r in rows:
            code = r.parsed["code"]
            if code.upper() not in known and code.upper() not in new:
                new[code.upper()] = Violation(code=code, description=r.parsed["description"])
        for v in Violation.objects.bulk_create(new.values()):
            known[v.code.upper()] = v
            core.audit(
                actor=acting_user, action="violation.created", obj=v, after={"description": v.description}
            )
        fines = ViolationFine.objects.bulk_create(
            [_fine(r, known[r.parsed["code"].upper()], acting_user) for r in rows]
        )
        for fine in fines:
            core.audit(
                actor=acting_user,
                action="violationfine.imported",
                obj=fine,
                after={
                    "violation": fine.violation.code,
                    "effective_from": fine.effective_from,
                    "fine": fine.fine,
                    "late_penalty": fine.late_penalty,
                    "profile": profile.name if profile else "",
                },
            )
    return fines
