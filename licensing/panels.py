from revenue.extensions import party_panel

from .models import License


@party_panel
def licenses(party, request):
    if not request.user.has_perm("licensing.view_license"):
        return None
    rows = list(License.objects.filter(business__party=party).select_related("business__classification")[:50])
    if not rows:
        return None
    return {"title": "Business licenses", "template": "licensing/_party_licenses.html", "licenses": rows}
