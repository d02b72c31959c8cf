from revenue.extensions import charge_describer, party_panel, sources_of

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
