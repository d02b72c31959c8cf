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
from revenue.models import Charge
from revenue.money import ZERO

from . import rules
from .models import (
    Citation,
    Contest,
    ParkingPolicy,
    PaymentPlan,
    Permit,
    PermitSerial,
    PermitTerms,
    PermitType,
    StockReceipt,
    ViolationFine,
)

Status = PermitSerial.Status


def policy_on(on: datetime.date | None = None) -> ParkingPolicy:
    """The parking policy in force on a day (default today); NoPolicyInForce when none is."""
    return core.policy_on(ParkingPolicy, on, related=("citation_party",))


# --------------------------------------------------------------------------- the fine schedule


def fine_schedule(violations=None) -> rules.FineSchedule:
    """The fines of the active violation codes (what a citation may be written for), or of the
    given violations (active or not: a citation already written keeps its code)."""
    fines = ViolationFine.objects.all()
    if violations is None:
        fines = fines.filter(violation__active=True)
    else:
        fines = fines.filter(violation__in=violations)
    return rules.FineSchedule(
        fines.values_list("violation_id", "violation__code", "effective_from", "fine", "late_penalty")
    )


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
    """A violation's fine and late penalty in force on a day (RuleError when none was set)."""
    return fine_schedule([violation]).fine(violation.code, on)


# --------------------------------------------------------------------------- citations


def lookup(text: str) -> tuple[list[Citation], str]:
    """A citation number, or a plate (with or without its state: 'CA 7ABC123', '7ABC123 CA')."""
    text = (text or "").strip().upper()
    if not text:
        return [], ""
    found = list(Citation.objects.filter(number=text).select_related("violation"))
    if found:
        return found, f"Citation {text}"
    words = text.replace(",", " ").split()
    state = None
    if len(words) == 2:
        if words[0] in rules.STATES and len(words[1]) > 2:
            state, words = words[0], [words[1]]
        elif words[1] in rules.STATES:
            state, words = words[1], [words[0]]
    try:
        plate = rules.clean_plate(" ".join(words))
    except rules.RuleError:
        return [], ""
    qs = Citation.objects.filter(plate=plate).select_related("violation").order_by("-issued_at")
    if state:
        qs = qs.filter(state=state)
    return list(qs[:500]), f"Plate {plate}{' ' + state if state else ''}"


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


def late_penalty_owed(
    citation: Citation, on: datetime.date, policy, *, pending: bool, owed: Decimal | None
) -> bool:
    """Does paying the citation on `on` add the late penalty? It is open with none added yet,
    issued on or before the penalty cut-off, has no contest pending, and still owes something
    (`owed` None: not read yet, for a first sift of many that penalty_assess checks again)."""
    return (
        citation.status == Citation.Status.OPEN
        and citation.penalty_on is None
        and (owed is None or owed > ZERO)
        and not pending
        and rules.penalty_due(citation.issued_on, on, policy)
    )


def run_counts(on: datetime.date, policy) -> dict[str, int]:
    """What the batch runs would take on `on`: citations due the late penalty, due a notice, and
    those on DMV hold now."""
    open_ = Citation.objects.filter(status=Citation.Status.OPEN)
    return {
        "penalty_due": open_.filter(
            penalty_on__isnull=True, issued_on__lte=rules.penalty_cutoff(on, policy)
        ).count(),
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
