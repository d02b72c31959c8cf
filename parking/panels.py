"""The party page's parking panel: a person's permits and payment plans."""

from revenue.extensions import party_panel, search_finder
from revenue.selectors import DocumentHit

from . import selectors
from .models import PaymentPlan, Permit


@party_panel
def parking(party, request):
    if not request.user.has_perm("parking.view_permit"):
        return None
    permits = list(
        Permit.objects.filter(party=party).select_related("permit_type", "serial__permit_type")[:50]
    )
    plans = list(PaymentPlan.objects.filter(party=party)[:20])
    if not permits and not plans and not request.user.has_perm("parking.issue_permit"):
        return None
    return {
        "title": "Parking",
        "template": "parking/_party_parking.html",
        "permits": permits,
        "plans": plans,
        "party": party,
    }


@search_finder
def citations_by_number_or_plate(text: str, *, user, limit: int) -> list[DocumentHit]:
    """A citation's number, or a plate (with or without its state): its citations, newest first."""
    if not user.has_perm("parking.view_citation"):
        return []
    found, _label = selectors.lookup(text)
    return [
        DocumentHit(
            "Citation",
            c.number,
            f"{c.state} {c.plate} · {c.violation} · {c.get_status_display()}",
            None,
            c.get_absolute_url(),
        )
        for c in found[:limit]
    ]
