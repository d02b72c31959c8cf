"""The party page's utility accounts (the core's party_panel hook): every account the party has
had, newest first, with its service address and status."""

from revenue.extensions import party_panel

from .models import ServiceAccount


@party_panel
def utility_accounts(party, request):
    if not request.user.has_perm("utility_billing.view_serviceaccount"):
        return None
    rows = list(
        ServiceAccount.objects.filter(party=party).select_related("premise").order_by("-move_in", "-pk")[:50]
    )
    if not rows:
        return None
    return {"title": "Utility accounts", "template": "utility_billing/_party_accounts.html", "accounts": rows}
