"""The party page's parking panel: a person's permits and payment plans; and what a receipt
says a citation or permit charge paid for."""

from django.utils.timezone import localtime

from revenue.extensions import charge_describer, party_panel, search_finder, sources_of
from revenue.selectors import DocumentHit

from . import selectors
from .models import Citation, PaymentPlan, Permit


@charge_describer
def citations_and_permits(charges) -> dict[int, str]:
    said = {
        pk: f"Plate {c.plate} ({c.state}), issued {localtime(c.issued_at):%m/%d/%Y}"
        for pk, c in sources_of(charges, Citation).items()
    }
    said |= {
        pk: f"Plate {p.plate} ({p.plate_state}), {p.address}, {p.valid_from:%m/%d/%Y}–{p.valid_to:%m/%d/%Y}"
        for pk, p in sources_of(charges, Permit).items()
    }
    return said


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
