"""The counter's find box: what a typed or scanned text puts in the basket, and who pays.

A document's app is told (the core's charges_requested) that its charges are about to be paid
today, so it can add what paying today owes (a late penalty, interest) before the counter reads
them; a registered finder (a plate) does the same for all it finds, in one go."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Q

from revenue import services as core
from revenue.exceptions import RevenueError
from revenue.extensions import counter_finders
from revenue.models import ZERO, Charge, Party
from revenue.signals import charges_requested

from ..exceptions import NoWalkInParty
from .sessions import policy_on


@dataclass(frozen=True)
class CounterFind:
    """What the find box found: open charges for the basket, or a party (by its number), or a
    warning for the clerk. `matched` is false when nothing answered (the text is then a search)."""

    text: str
    charges: list[Charge] = field(default_factory=list)
    party: Party | None = None
    message: str = ""
    found_numbers: list[str] = field(default_factory=list)  # the documents a finder found
    matched: bool = False

    def added_message(self, added: list[Charge]) -> str:
        """One line telling the clerk what the basket took (those not in it already): a document's
        several charges (a license's tax and add-ons, a penalty) are summed, not listed one by one."""
        total = sum((c.balance for c in added), ZERO)
        plural = "s" if len(added) != 1 else ""
        if self.found_numbers:
            return (
                f"{self.text.upper()}: added {len(added)} open charge{plural} "
                f"of {', '.join(self.found_numbers)}, ${total:,.2f}."
            )
        if not added:
            return "Already in the basket."
        if len(added) == 1:
            c = added[0]
            return f"Added {c.source_number}: {c.description}, balance ${c.balance:,.2f}."
        numbers = list(dict.fromkeys(c.source_number for c in added))
        return f"Added {len(added)} charges of {', '.join(numbers)}: ${total:,.2f} in all."


def charges_bring_up_to_date(*, numbers: list[str], acting_user) -> list[str]:
    """Tell each document's app that its charges are about to be paid today (the core's
    charges_requested), so it can add what paying today owes; an app may answer with further
    numbers whose open charges belong in the same basket (an amended return's). Returns the
    numbers asked for and those, in order, without repeats."""
    out = list(numbers)
    with transaction.atomic():
        for number in numbers:
            for _receiver, answer in charges_requested.send(
                sender=None, number=number, on=core.city_today(), acting_user=acting_user
            ):
                out += [n for n in (answer or []) if n not in out]
    return out


def counter_find(*, text: str, acting_user) -> CounterFind:
    """A document's number finds all its charges (a license has its tax and its add-ons), brought
    up to today first; else a party's number finds the party; else a finder (a plate) may turn
    the text into documents; else nothing matched."""
    numbers = charges_bring_up_to_date(numbers=[text], acting_user=acting_user)
    charges = list(
        Charge.objects.filter(Q(source_number__iexact=text) | Q(source_number__in=numbers)).order_by("pk")
    )
    if charges:
        open_ones = [c for c in charges if not c.is_settled]
        message = "" if open_ones else f"{charges[0].source_number} is already paid in full."
        return CounterFind(text, charges=open_ones, message=message, matched=True)
    party = Party.objects.filter(number__iexact=text).first()
    if party is not None:
        return CounterFind(text, party=party, matched=True)
    try:
        with transaction.atomic():
            found = [
                n for finder in counter_finders for n in finder(text, on=core.city_today(), user=acting_user)
            ]
    except RevenueError as exc:
        return CounterFind(text, message=str(exc), matched=True)
    if not found:
        return CounterFind(text)
    # in the finder's order of documents (a utility account's, oldest first), each in the order assessed
    place = {n: i for i, n in enumerate(found)}
    charges = sorted(
        Charge.objects.filter(source_number__in=found), key=lambda c: (place[c.source_number], c.pk)
    )
    return CounterFind(
        text, charges=[c for c in charges if not c.is_settled], found_numbers=found, matched=True
    )


def counter_pick(*, charge: Charge, acting_user) -> list[Charge]:
    """A charge picked from a customer's list: its document is brought up to today; returns the
    open charges that came with it (a late penalty, interest), in order."""
    if charge.is_settled or not charge.source_number:
        return []
    before = set(Charge.objects.filter(source_number=charge.source_number).values_list("pk", flat=True))
    numbers = charges_bring_up_to_date(numbers=[charge.source_number], acting_user=acting_user)
    new = Charge.objects.filter(source_number__in=numbers).exclude(pk__in=before).order_by("pk")
    return [c for c in new if not c.is_settled]


def walk_in_party(on=None) -> Party:
    """The payer of counter fees for someone the city need not know: named by the counter policy."""
    party = policy_on(on).walk_in_party
    if party is None:
        raise NoWalkInParty(
            "The counter policy names no walk-in customer, and counter fees need a payer: "
            "choose who is paying, or ask a supervisor to set the walk-in customer in Configuration."
        )
    return party
