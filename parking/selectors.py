"""Parking's reads: the policy and the fine schedule in force, citations found by number or plate
and what they owe, payment plans' balances, permits' charges and status words, and the tag
inventory. Nothing here writes."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.models import Count, F, Q, Sum

from revenue import services as core
from revenue.models import AuditEvent, Charge, charge_balance_sql
from revenue.money import ZERO

from . import rules
from .models import (
    Citation,
    Contest,
    ParkingPolicy,
    PaymentPlan,
    PenaltyTier,
    Permit,
    PermitSerial,
    PermitTerms,
    PermitType,
    StockReceipt,
    Violation,
    ViolationFine,
)

Status = PermitSerial.Status


def policy_on(on: datetime.date | None = None) -> ParkingPolicy:
    """The parking policy in force on a day (default today); NoPolicyInForce when none is."""
    return core.policy_on(ParkingPolicy, on, related=("citation_party",))


# --------------------------------------------------------------------------- the fine schedule


def fine_schedule(violations=None) -> rules.FineSchedule:
    """The fines of the active violation codes (what a citation may be written for), or of the
    given violations (active or not: a citation already written keeps its code), with their
    ranges and penalty tiers (two queries)."""
    fines = ViolationFine.objects.all()
    if violations is None:
        fines = fines.filter(violation__active=True)
    else:
        fines = fines.filter(violation__in=violations)
    rows = list(
        fines.values_list(
            "pk",
            "violation_id",
            "violation__code",
            "effective_from",
            "fine",
            "late_penalty",
            "fine_min",
            "fine_max",
        )
    )
    tiers: dict[int, list] = {}
    for fine_id, days, amount in PenaltyTier.objects.filter(fine_id__in=[r[0] for r in rows]).values_list(
        "fine_id", "after_days", "amount"
    ):
        tiers.setdefault(fine_id, []).append((days, amount))
    return rules.FineSchedule([(*r[1:], tuple(sorted(tiers.get(r[0], [])))) for r in rows])


def fine_schedule_rows(limit: int = 500):
    """The schedule as it stands, newest first per code: (code, description, from, fine, penalty)."""
    return list(
        ViolationFine.objects.select_related("violation")
        .order_by("violation__code", "-effective_from")
        .values_list("violation__code", "violation__description", "effective_from", "fine", "late_penalty")[
            :limit
        ]
    )


def fine_on(violation, on: datetime.date) -> rules.FinePeriod:
    """A violation's fine, penalties and range in force on a day (RuleError when none was set)."""
    return fine_schedule([violation]).fine(violation.code, on)


def penalty_step_params(on: datetime.date, policy, violations=None) -> dict[str, list]:
    """Every fine period's late penalties as SQL array parameters (`_PENALTY_STEPS`), each with
    its cut-off on `on` from parking.rules; of every violation (a citation keeps its code)."""
    periods = fine_schedule(violations if violations is not None else Violation.objects.all()).periods()
    steps = [(p, step) for p in periods for step in p.penalty_steps(policy)]
    return {
        "s_violation": [p.violation_id for p, _s in steps],
        "s_starts": [p.starts for p, _s in steps],
        "s_ends": [p.ends for p, _s in steps],
        "s_number": [s.number for _p, s in steps],
        "s_days": [s.after_days for _p, s in steps],
        "s_cutoff": [rules.tier_cutoff(on, s.after_days) for _p, s in steps],
        "s_amount": [s.amount for _p, s in steps],
    }


# The open citations that owe late penalties they have not had (`reached` of them in all), with
# no contest pending and something still owed. The penalty run marks and charges these; the
# notices page counts them. Parameters: penalty_step_params, "ct" (the citation content type).
PENALTY_STEPS_OWED = """
WITH steps AS (
    SELECT * FROM unnest(%(s_violation)s::bigint[], %(s_starts)s::date[], %(s_ends)s::date[],
                         %(s_number)s::int[], %(s_days)s::int[], %(s_cutoff)s::date[], %(s_amount)s::numeric[])
             AS s(violation_id, starts, ends, number, after_days, cutoff, amount)
), reached AS (
    SELECT c.id, c.penalty_tiers AS before, max(s.number) AS reached
      FROM parking_citation c
      JOIN steps s ON s.violation_id = c.violation_id AND s.starts <= c.issued_on
                  AND (s.ends IS NULL OR c.issued_on < s.ends)
                  AND c.issued_on <= s.cutoff AND s.number > c.penalty_tiers
     WHERE c.status = 'open'
       AND NOT EXISTS (SELECT 1 FROM parking_contest k WHERE k.citation_id = c.id AND k.decision = 'pending')
       AND EXISTS (SELECT 1 FROM revenue_charge ch
                    WHERE ch.source_type_id = %(ct)s AND ch.source_id = c.id AND {balance} > 0)
     GROUP BY c.id, c.penalty_tiers
)
"""


def penalties_owed(
    citation: Citation, on: datetime.date, policy, *, pending: bool, owed: Decimal | None, period=None
) -> list[rules.PenaltyStep]:
    """The late penalties paying the citation on `on` adds: those whose day has passed and that it
    has not had yet, while it is open, has no contest pending, and still owes something (`owed`
    None: not read yet, for a first sift of many that penalty_assess checks again). `period`: its
    fine (read when not given)."""
    if citation.status != Citation.Status.OPEN or pending or (owed is not None and owed <= ZERO):
        return []
    if (
        citation.penalty_tiers == 0
        and not rules.penalty_due(citation.issued_on, on, policy)
        and period is None
    ):
        return []  # not late yet (no tier comes before the first penalty): no need to read the fine
    steps = (period or fine_on(citation.violation, citation.issued_on)).penalty_steps(policy)
    return steps[citation.penalty_tiers : rules.steps_reached(citation.issued_on, on, steps)]


# --------------------------------------------------------------------------- citations


@dataclass(frozen=True)
class PlateReading:
    """One way to read what was typed: a plate, in one state or in any (`state` None)."""

    plate: str
    state: str | None

    @property
    def typed(self) -> str:
        """What to type for this reading alone: 'HI/MOM' (state, slash, plate) or 'HIMOM'."""
        return f"{self.state}/{self.plate}" if self.state else self.plate

    @property
    def label(self) -> str:
        return f"Plate {self.plate}{' ' + self.state if self.state else ''}"

    def citations(self):
        qs = Citation.objects.filter(plate=self.plate)
        return qs.filter(state=self.state) if self.state else qs


def _plate_or_none(text: str) -> str | None:
    try:
        return rules.clean_plate(text)
    except rules.RuleError:
        return None


def plate_readings(text: str) -> list[PlateReading]:
    """The readings of a typed plate that exist on file (the first when none does). 'HI MOM' may be
    plate MOM of Hawaii or the vanity plate HIMOM: a two-letter state before (or after) the plate
    is taken as a state only when the plate left over has citations in that state, else the
    whole text is the plate; when both have citations, both readings are returned and the caller
    asks. 'HI/MOM' names the state for certain."""
    text = (text or "").strip().upper().replace(",", " ")
    if "/" in text:
        state, _slash, plate = (part.strip() for part in text.partition("/"))
        plate = _plate_or_none(plate)
        return [PlateReading(plate, state)] if state in rules.STATES and plate else []
    words = text.split()
    whole = _plate_or_none(text)
    stated = None
    if len(words) == 2 and words[0] in rules.STATES:
        stated = words[0], _plate_or_none(words[1])
    elif len(words) == 2 and words[1] in rules.STATES:
        stated = words[1], _plate_or_none(words[0])
    readings = []
    if stated and stated[1]:
        readings.append(PlateReading(stated[1], stated[0]))
    if whole:
        readings.append(PlateReading(whole, None))
    on_file = [r for r in readings if r.citations().exists()] if len(readings) > 1 else readings
    return on_file or readings[:1]


def lookup(text: str) -> tuple[list[Citation], str]:
    """A citation number, or a plate (with or without its state: 'CA 7ABC123', '7ABC123 CA',
    'CA/7ABC123'). A plate that reads two ways finds nothing: see `plate_readings`."""
    text = (text or "").strip().upper()
    if not text:
        return [], ""
    found = list(Citation.objects.filter(number=text).select_related("violation"))
    if found:
        return found, f"Citation {text}"
    readings = plate_readings(text)
    if len(readings) != 1:
        return [], ""
    (reading,) = readings
    return list(reading.citations().select_related("violation").order_by("-issued_at")[:500]), reading.label


def citation_owed(citation: Citation) -> Decimal:
    """What is owed on a citation now (its charges' balances; a plan's installments are the plan's)."""
    return citation.charges().balance_total()


def owed_by_citation(citations) -> dict[int, Decimal]:
    """What is owed on each of many citations, in one query: {citation pk: owed}."""
    ids = [c.pk for c in citations]
    rows = (
        Charge.objects.filter(source_type=ContentType.objects.get_for_model(Citation), source_id__in=ids)
        .with_balance()
        .values("source_id")
        .annotate(owed=Sum("open_balance"))
    )
    owed = {pk: ZERO for pk in ids}
    owed.update({r["source_id"]: r["owed"] for r in rows})
    return owed


def has_pending_contest(citation: Citation) -> bool:
    return citation.contests.filter(decision=Contest.Decision.PENDING).exists()


def pending_contests(citations) -> set[int]:
    """The pks of those of `citations` with a contest pending, in one query."""
    return set(
        Contest.objects.filter(citation__in=citations, decision=Contest.Decision.PENDING).values_list(
            "citation_id", flat=True
        )
    )


def run_counts(on: datetime.date, policy) -> dict[str, int]:
    """What the batch runs would take on `on`: citations owing a late penalty (the first or a
    tier), due a notice, and those on DMV hold now."""
    open_ = Citation.objects.filter(status=Citation.Status.OPEN)
    params = {**penalty_step_params(on, policy), "ct": ContentType.objects.get_for_model(Citation).pk}
    with connection.cursor() as cur:
        cur.execute(
            PENALTY_STEPS_OWED.format(balance=charge_balance_sql("ch")) + "SELECT count(*) FROM reached",
            params,
        )
        penalty_due = cur.fetchone()[0]
    return {
        "penalty_due": penalty_due,
        "notice_due": open_.filter(
            notice_on__isnull=True, issued_on__lte=rules.notice_cutoff(on, policy)
        ).count(),
        "on_hold": Citation.objects.filter(hold_on__isnull=False, hold_released_on__isnull=True).count(),
    }


def plan_owed(plan: PaymentPlan) -> Decimal:
    return plan.installments().balance_total()


PLAN_FEE_DESCRIPTION = "Payment plan processing fee"


@dataclass(frozen=True)
class PlanPayment:
    """One number the counter collects on a plan: its installment and, on the first, the fee."""

    number: str
    due_on: datetime.date
    installment: Decimal
    fee: Decimal
    owed: Decimal

    @property
    def amount(self) -> Decimal:
        return self.installment + self.fee


def plan_payments(plan: PaymentPlan, installments=None) -> list[PlanPayment]:
    """What the counter collects on each of the plan's numbers (scanning `PL…-01` brings the first
    installment and the processing fee together), in order."""
    rows: dict[str, dict] = {}
    for c in installments if installments is not None else plan.installments():
        row = rows.setdefault(
            c.source_number, {"due_on": c.due_on, "installment": ZERO, "fee": ZERO, "owed": ZERO}
        )
        row["fee" if c.description.startswith(PLAN_FEE_DESCRIPTION) else "installment"] += c.amount
        row["owed"] += c.balance
        row["due_on"] = min(row["due_on"], c.due_on)
    return [PlanPayment(number=n, **r) for n, r in rows.items()]


# --------------------------------------------------------------------------- permits


def permit_charges(permit: Permit):
    return Charge.objects.filter(
        source_type=ContentType.objects.get_for_model(Permit), source_id=permit.pk
    ).order_by("pk")


def is_paid(permit: Permit) -> bool:
    return all(c.is_settled for c in permit_charges(permit))


def awaiting_tag(permit: Permit) -> bool:
    """Paid (or free) but no tag was on the shelf when it was."""
    return permit.status == Permit.Status.PENDING and permit.serial_id is None and is_paid(permit)


def permit_status_word(permit: Permit, on: datetime.date | None = None) -> str:
    """What the clerk needs to read: 'Issued', 'Expired', 'Paid — waiting for a tag' …"""
    on = on or core.city_today()
    if permit.status == Permit.Status.ISSUED:
        if permit.valid_to < on:
            return "Expired"
        if permit.valid_from > on:
            return "Issued (starts later)"
    if permit.status == Permit.Status.PENDING and awaiting_tag(permit):
        return "Paid — waiting for a tag"
    return permit.get_status_display()


def permit_terms_on(permit_type: PermitType, on: datetime.date) -> PermitTerms | None:
    """A permit type's fee, term and limit in force on a day (None when none is set)."""
    return core.in_force(permit_type.terms.all(), on)


def permit_types_with_terms(on: datetime.date | None = None) -> list[tuple]:
    """The active permit types, each with its terms in force (None when no fee is set)."""
    on = on or core.city_today()
    return [(ptype, permit_terms_on(ptype, on)) for ptype in PermitType.objects.filter(active=True)]


# --------------------------------------------------------------------------- tag stock


@dataclass
class InventoryRow:
    permit_type: PermitType
    received: int
    in_stock: int
    issued: int
    returned: int
    void: int
    lost: int
    stolen: int

    @property
    def expected_on_hand(self) -> int:
        return self.received - self.issued - self.returned - self.void - self.lost - self.stolen

    @property
    def difference(self) -> int:
        return self.in_stock - self.expected_on_hand

    @property
    def reconciles(self) -> bool:
        return self.expected_on_hand == self.in_stock


INVENTORY_FIELDS = ("received", "issued", "returned", "void", "lost", "stolen", "in_stock")


def inventory() -> list[InventoryRow]:
    """Per type: tags received (from the receipts' ranges) and where each one is now."""
    received = dict(
        StockReceipt.objects.values_list("permit_type").annotate(n=Sum(F("last") - F("first") + 1)).order_by()
    )
    counts = {
        row["permit_type"]: row
        for row in PermitSerial.objects.values("permit_type")
        .annotate(**{s: Count("pk", filter=Q(status=s)) for s in Status.values})
        .order_by()
    }
    rows = []
    for ptype in PermitType.objects.order_by("name"):
        c = counts.get(ptype.pk, {})
        rows.append(
            InventoryRow(
                permit_type=ptype,
                received=received.get(ptype.pk) or 0,
                in_stock=c.get(Status.IN_STOCK, 0),
                issued=c.get(Status.ISSUED, 0),
                returned=c.get(Status.RETURNED, 0),
                void=c.get(Status.VOID, 0),
                lost=c.get(Status.LOST, 0),
                stolen=c.get(Status.STOLEN, 0),
            )
        )
    return rows


def inventory_totals(rows: list[InventoryRow]) -> dict[str, int]:
    return {f: sum(getattr(r, f) for r in rows) for f in INVENTORY_FIELDS}


def serial_find(text: str) -> PermitSerial | None:
    """A tag by its printed label ('R001000') or type code and number ('RES 1000')."""
    text = (text or "").strip().upper().replace(" ", "").replace("-", "")
    if not text:
        return None
    qs = PermitSerial.objects.select_related("permit_type")
    for ptype in PermitType.objects.all():
        for prefix in (ptype.code.upper(), ptype.serial_prefix.upper()):
            rest = text[len(prefix) :]
            if text.startswith(prefix) and rest.isascii() and rest.isdigit() and len(rest) <= 9:
                found = qs.filter(permit_type=ptype, number=int(rest)).first()
                if found is not None:
                    return found
    return None


# --------------------------------------------------------------------------- imports

REJECTS_SHOWN = 100


def reject_summary(batch) -> list[tuple[str, int]]:
    """An import's rejects by reason, most first (one GROUP BY; a row with two problems counts
    under each of them)."""
    with connection.cursor() as cur:
        cur.execute(
            """SELECT reason, count(*) FROM parking_importreject r CROSS JOIN LATERAL unnest(r.reasons) AS reason
                WHERE r.batch_id = %s GROUP BY reason ORDER BY count(*) DESC, reason""",
            [batch.pk],
        )
        return [(reason, n) for reason, n in cur.fetchall()]


def rejects_shown(batch, reason: str = ""):
    """The first rejects of an import, of one reason when one is named."""
    rejects = batch.rejects.all()
    if reason:
        rejects = rejects.filter(reasons__contains=[reason[:60]])
    return list(rejects[:REJECTS_SHOWN])


# --------------------------------------------------------------------------- the fine schedule pages


def violations_listed(q: str = "", limit: int = 200) -> list[tuple]:
    """Violation codes by their number ("3" before "28"), each with its fine in force today (None
    when none is), at most `limit`; `q` finds by code or description. Three queries."""
    found = Violation.objects.all()
    if q:
        found = found.filter(Q(code__istartswith=q) | Q(description__icontains=q))
    found = list(found[:limit])
    schedule = fine_schedule(found)
    today = core.city_today()
    rows = []
    for v in found:
        try:
            rows.append((v, schedule.fine(v.code, today)))
        except rules.RuleError:
            rows.append((v, None))
    return rows


def violation_fines(violation) -> list[tuple]:
    """A violation's fine rows, newest first, each with its tiers and whether it is the one in
    force today (a later one is still to come; an earlier one is replaced)."""
    fines = list(
        violation.fines.select_related("created_by").prefetch_related("tiers").order_by("-effective_from")
    )
    today = core.city_today()
    current = next((f.pk for f in fines if f.effective_from <= today), None)
    return [
        (
            f,
            list(f.tiers.all()),
            "in force" if f.pk == current else "to come" if f.effective_from > today else "replaced",
        )
        for f in fines
    ]


def violation_history(violation):
    """The audit trail of a violation code and of its fine rows, newest first."""
    fines = ContentType.objects.get_for_model(ViolationFine)
    return (
        AuditEvent.objects.filter(
            Q(object_type=ContentType.objects.get_for_model(Violation), object_id=violation.pk)
            | Q(object_type=fines, object_id__in=violation.fines.values("pk"))
        )
        .select_related("actor")
        .order_by("-at", "-pk")
    )
