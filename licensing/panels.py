from django.db.models import Q

from revenue.extensions import party_panel, search_finder
from revenue.selectors import DocumentHit

from .models import License


@party_panel
def licenses(party, request):
    if not request.user.has_perm("licensing.view_license"):
        return None
    rows = list(License.objects.filter(business__party=party).select_related("business__classification")[:50])
    if not rows:
        return None
    return {"title": "Business licenses", "template": "licensing/_party_licenses.html", "licenses": rows}


@search_finder
def license_by_number_or_location(text: str, *, user, limit: int) -> list[DocumentHit]:
    """A license's number, or its business's location (every word in the street address)."""
    if not user.has_perm("licensing.view_license"):
        return []
    where = Q()
    for word in text.split():
        where &= Q(business__location_address__icontains=word)
    found = (
        License.objects.filter(Q(number__iexact=text.strip()) | where)
        .select_related("business__party")
        .order_by("-tax_year", "number")[:limit]
    )
    return [
        DocumentHit(
            "License",
            lic.number,
            f"{lic.business} at {lic.business.location} — {lic.get_status_display()}, {lic.tax_year}",
            lic.business.party,
            lic.get_absolute_url(),
        )
        for lic in found
    ]
