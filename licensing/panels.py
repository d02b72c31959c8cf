from django.contrib.contenttypes.models import ContentType
from django.db.models import Q
from django.urls import reverse

from revenue.extensions import charge_describer, party_panel, receipt_offer, search_finder, sources_of
from revenue.selectors import DocumentHit

from .models import License


@charge_describer
def license_period(charges) -> dict[int, str]:
    """What a receipt says a license charge paid for: the license's period and business."""
    return {
        pk: f"License {lic.valid_from:%m/%d/%Y}–{lic.valid_to:%m/%d/%Y}, {lic.business.dba or lic.business.party.name}"
        for pk, lic in sources_of(charges, License, related=("business__party",)).items()
    }


@party_panel
def licenses(party, request):
    if not request.user.has_perm("licensing.view_license"):
        return None
    rows = list(License.objects.filter(business__party=party).select_related("business__classification")[:50])
    if not rows:
        return None
    return {"title": "Business licenses", "template": "licensing/_party_licenses.html", "licenses": rows}


@receipt_offer
def certificates(charges, request):
    """A receipt whose payment issued a license offers its certificate: the counted print for a
    role that prints certificates, a view-only copy for the others who may see licenses."""
    license_type = ContentType.objects.get_for_model(License)
    ids = {c.source_id for c in charges if c.source_type_id == license_type.pk}
    if not ids or not request.user.has_perm("licensing.view_license"):
        return []
    prints = request.user.has_perm("licensing.print_certificate")
    offers = []
    for license in License.objects.filter(pk__in=ids, status=License.Status.ACTIVE).order_by("number"):
        if prints:
            label = f"{'Reprint' if license.prints else 'Print'} certificate {license.number}"
            url, post = reverse("licensing:certificate_print", args=[license.number]), True
        else:
            label = f"View certificate {license.number}"
            url, post = reverse("licensing:certificate", args=[license.number]), False
        offers.append({"label": label, "url": url, "post": post, "id": f"certificate-{license.number}"})
    return offers


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
