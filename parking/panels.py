"""The party page's parking panel: a person's permits and payment plans."""

from revenue.extensions import party_panel

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
