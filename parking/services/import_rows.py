"""A citation file's rows checked in Python, with what was read once (the fine schedule and the
policies), and the citation import registered as a core import target so profiles can feed it.
A row's problems are core `Problem`s: a reason (for the batch's summary) and a message naming
the value; a row with any problem is rejected whole."""

from __future__ import annotations

import bisect
import datetime
import re

from django.utils import timezone

from revenue import services as core
from revenue.dates import add_months
from revenue.exceptions import InvalidAmount
from revenue.money import money

from .. import rules, selectors
from ..models import ParkingPolicy
from .import_files import CANONICAL, COLUMNS, TARGET

MAX_YEARS = 3

UNKNOWN_CODE = "Unknown violation code"
ON_FILE = "Already on file"
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


class RowRejected(rules.RuleError):
    """A row with problems: each a core `Problem` (reason for the summary, message naming it)."""

    def __init__(self, problems: list[core.Problem]):
        self.problems = problems
        super().__init__(" ".join(p.message for p in problems)[:300])


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
        self.fines: dict[tuple[str, datetime.date, str], tuple[int, datetime.date, str, bool]] = {}

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
            try:
                period = self.schedule.fine(code, day)
            except rules.RuleError as exc:
                unknown = str(exc).startswith("Unknown violation code")
                reason = UNKNOWN_CODE if unknown else "No fine in force on the day"
                raise RowRejected([core.Problem(reason, str(exc))]) from None
            scheduled, violation_id = period.fine, period.violation_id
            try:
                written = money(fine_text, field="Fine", maximum=rules.MAX_FINE) if fine_text else None
            except InvalidAmount as exc:
                raise RowRejected([core.Problem("Fine", str(exc))]) from None
            if written is not None and written != scheduled and period.fine_min is None:
                message = f"Fine {written} does not match the schedule: violation {code} was {scheduled} on {day:%m/%d/%Y}."
                raise RowRejected([core.Problem("Fine does not match the schedule", message)])
            try:
                fine, fine_written = period.fine_for(written, day)
            except rules.RuleError as exc:
                raise RowRejected([core.Problem("Fine outside its range", str(exc))]) from None
            known = self.fines[key] = (violation_id, self.due_on(day), f"{fine}", fine_written)
        return known

    def check(self, row: list[str], line: int, problems: list[core.Problem] | None = None) -> str:
        """One row as a COPY text line, or RowRejected naming every problem of the row (so one
        correction of the file fixes it). `problems` are those found mapping it (a profile's)."""
        c = self.cols
        if len(row) != c[""]:
            raise RowRejected(
                [
                    core.Problem(
                        "Row width", f"The row has {core.plural(len(row), 'field')}; the header has {c['']}."
                    )
                ]
            )
        problems = list(problems or [])
        said = {p.reason for p in problems}  # a field the mapping could not read is not checked again

        def attempt(reason, fn, *args):
            if reason in said:
                return None
            try:
                return fn(*args)
            except RowRejected as exc:
                problems.extend(exc.problems)
            except rules.RuleError as exc:
                problems.append(core.Problem(reason, str(exc)))
            return None

        number = row[c["citation_number"]].strip().upper()
        if not _NUMBER.match(number):
            problems.append(
                core.Problem(
                    "Citation number", f"Citation number {number!r} must be 4 to 20 letters and digits."
                )
            )
        elif (first := self.seen.get(number)) is not None:
            problems.append(
                core.Problem(
                    "Twice in the file", f"Citation {number} is in the file twice (first on line {first})."
                )
            )
        else:
            self.seen[number] = line
        parsed = attempt("Issued at", _parse_issued_at, row[c["issued_at"]].strip())
        issued, stamp = parsed if parsed else (None, "")
        if issued is not None and issued > self.latest:
            problems.append(
                core.Problem("Issued in the future", f"Issued at {issued:%m/%d/%Y %H:%M} is in the future.")
            )
        elif issued is not None and issued < self.earliest:
            message = f"Issued on {issued:%m/%d/%Y}: more than {MAX_YEARS} years ago, too old to import."
            problems.append(core.Problem("Too old to import", message))
        plate = attempt("Plate", rules.clean_plate, row[c["plate"]])
        state = attempt("State", rules.clean_state, row[c["state"]])
        make = row[c["make"]].strip().upper()
        if len(make) > 20:
            problems.append(core.Problem("Make", f"Make {make!r} is longer than 20 characters."))
        found = None
        if issued is not None and not said & {"Violation code", "Fine"}:
            fine_text = row[c["fine"]].strip() if "fine" in c else ""  # optional column
            found = attempt("Fine", self.fine_of, row[c["violation_code"]].strip(), issued.date(), fine_text)
        location = row[c["location"]].strip()
        if not location:
            problems.append(core.Problem("Location", "The location is blank."))
        elif len(location) > 120:
            problems.append(core.Problem("Location", "The location is longer than 120 characters."))
        badge = row[c["badge"]].strip().upper()
        if not badge:
            problems.append(core.Problem("Badge", "The officer's badge is blank."))
        elif len(badge) > 10:
            problems.append(core.Problem("Badge", f"Badge {badge!r} is longer than 10 characters."))
        if problems:
            raise RowRejected(problems)
        violation_id, due_on, fine, written = found
        return (
            f"{line}\t{number}\t{stamp}\t{plate}\t{state}\t{make.translate(_COPY_ESCAPE)}\t{violation_id}\t"
            f"{location.translate(_COPY_ESCAPE)}\t{badge.translate(_COPY_ESCAPE)}\t{fine}\t{due_on}\t"
            f"{'t' if written else 'f'}\n"
        )


# --------------------------------------------------------------------------- the core's target

_FIELDS = (
    core.TargetField("citation_number", "Citation number", help="4 to 20 letters and digits"),
    core.TargetField("issued_at", "Issued at", "datetime", help="city time"),
    core.TargetField("plate", "Plate"),
    core.TargetField("state", "State", help="CA, NV …"),
    core.TargetField("make", "Make", required=False),
    core.TargetField("violation_code", "Violation code", "code", help="as on the fine schedule"),
    core.TargetField("location", "Location"),
    core.TargetField("badge", "Badge", help="the officer's"),
    core.TargetField(
        "fine",
        "Fine",
        "money",
        required=False,
        help="blank: the schedule's fine on the day of issue; for a code whose fine the officer writes, the amount written",
    ),
)


def _preview_check():
    """The import's own row check, for the profile preview: the same checker, on one file."""
    checker = _Checker(CANONICAL)

    def check(values: dict[str, str], line: int) -> list[core.Problem]:
        try:
            checker.check([values[c] for c in COLUMNS], line)
        except RowRejected as exc:
            return exc.problems
        return []

    return check


core.import_target(
    TARGET,
    title="Parking citations (handheld exports)",
    fields=_FIELDS,
    permission="parking.import_citations",
    checker=_preview_check,
    url_name="parking:import_list",
)
