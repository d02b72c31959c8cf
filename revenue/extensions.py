"""How duty apps add to core pages without the core importing them: a duty app registers a
panel for the party page in its AppConfig.ready()."""

from collections.abc import Callable

PartyPanel = Callable[[object, object], dict | None]  # (party, request) -> {"title", "template", ...} or None
party_panels: list[PartyPanel] = []


def party_panel(fn: PartyPanel) -> PartyPanel:
    party_panels.append(fn)
    return fn


# Alerts on a party, shown prominently (role=alert) at the counter and on the party page before a
# tender is chosen: a duty app registers a function giving its alerts for a party (cashiering: no
# checks until a date after a returned check). The core adds the party's notes marked as an alert.
PartyAlerts = Callable[[object], list[str]]  # (party) -> alert texts
party_alert_sources: list[PartyAlerts] = []


def party_alerts(fn: PartyAlerts) -> PartyAlerts:
    party_alert_sources.append(fn)
    return fn


# The counter's find box: after a document number and a party number, each registered finder may
# turn the text into document numbers (a plate into its open citations), having brought them up to
# the day of payment itself (in one go: a plate may have dozens); the counter then adds every open
# charge of those documents. A finder may raise RevenueError with a message for the clerk.
CounterFinder = Callable[..., list[str]]  # (text, *, on, user) -> document numbers
counter_finders: list[CounterFinder] = []


def counter_finder(fn: CounterFinder) -> CounterFinder:
    counter_finders.append(fn)
    return fn


# Search (the header's box and the counter's find box ask the same `selectors.search`): after the
# core's parties and charge, payment and entry numbers, each registered finder may answer with
# documents of its app that the text names (a receipt, a license by number or location, a plate's
# citations), as `DocumentHit`s, only of the kinds the user may open. A finder only reads.
SearchFinder = Callable[..., list]  # (text, *, user, limit) -> [DocumentHit]
search_finders: list[SearchFinder] = []


def search_finder(fn: SearchFinder) -> SearchFinder:
    search_finders.append(fn)
    return fn


# A charge may be kept under a holding account rather than the person who pays it (parking
# citations are kept under "registered owners"): the counter then takes the walk-in customer as
# the payer until the clerk picks someone, instead of the holding account.
HoldingCheck = Callable[[object], bool]  # (charge) -> True when its party is only a holding account
holding_checks: list[HoldingCheck] = []


def holding_check(fn: HoldingCheck) -> HoldingCheck:
    holding_checks.append(fn)
    return fn


# A duty app may refuse an exception the core would otherwise allow on its charges, and say what
# to do instead (an invoice is reduced by a credit memo; a citation by a review's decision).
ExceptionGuard = Callable[[str, object], str | None]  # (kind, target) -> refusal message or None
exception_guards: list[ExceptionGuard] = []


def exception_guard(fn: ExceptionGuard) -> ExceptionGuard:
    exception_guards.append(fn)
    return fn


# Segregation of duties: a duty app names the people who handled the money an exception touches
# (a receipt's clerk). Nobody does such an exception on their own authority or approves it; it
# goes to another supervisor. The core itself knows who took the payments on a charge.
InvolvementCheck = Callable[[str, object, object], str | None]  # (kind, target, user) -> reason or None
involvement_checks: list[InvolvementCheck] = []


def involvement_check(fn: InvolvementCheck) -> InvolvementCheck:
    involvement_checks.append(fn)
    return fn


# A receipt page offers the documents its payment brought about (a license issued by it offers its
# certificate): each offer is {"label", "url", "post": True for a counted print (a POST form)}.
ReceiptOffer = Callable[[list, object], list[dict]]  # (the receipt's charges, request) -> offers
receipt_offers: list[ReceiptOffer] = []


def receipt_offer(fn: ReceiptOffer) -> ReceiptOffer:
    receipt_offers.append(fn)
    return fn


# What a charge paid for, as a receipt prints it under the charge's line: a citation's plate, a
# license's period, a utility account's service address. A describer gets the receipt's charges
# at once (one query per app, however many lines) and answers for those that are its own.
ChargeDescriber = Callable[[list], dict[int, str]]  # (charges) -> {charge pk: "Plate 7ABC123 (CA)"}
charge_describers: list[ChargeDescriber] = []


def charge_describer(fn: ChargeDescriber) -> ChargeDescriber:
    charge_describers.append(fn)
    return fn


# A page of the core that shows an approval request may show its target as its app sees it (a
# receipt's lines and tenders), so the supervisor decides on the thing itself.
ApprovalPanel = Callable[
    [object, object], dict | None
]  # (approval request, request) -> {"title", "template", ...}
approval_panels: list[ApprovalPanel] = []


def approval_panel(fn: ApprovalPanel) -> ApprovalPanel:
    approval_panels.append(fn)
    return fn


def sources_of(charges: list, model, *, related=()) -> dict[int, object]:
    """For a describer: {charge pk: its source object} for the charges whose source is a `model`,
    in one query."""
    from django.contrib.contenttypes.models import ContentType

    type_id = ContentType.objects.get_for_model(model).pk
    mine = [c for c in charges if c.source_type_id == type_id and c.source_id]
    objects = model._default_manager.select_related(*related).in_bulk({c.source_id for c in mine})
    return {c.pk: objects[c.source_id] for c in mine if c.source_id in objects}
