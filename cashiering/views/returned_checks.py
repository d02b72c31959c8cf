"""Returned checks: record one the bank sent back, and its notice to the payer."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from revenue import services as core
from revenue.access import require_perm
from revenue.documents import pdf_response, render_pdf
from revenue.exceptions import RevenueError
from revenue.models import ZERO

from .. import services
from ..forms import ReturnCheckForm
from ..models import ReturnedCheck, Tender


@require_perm("cashiering.return_check")
@require_http_methods(["GET", "POST"])
def check_return(request, tender_id):
    tender = get_object_or_404(
        Tender.objects.select_related("receipt__party", "receipt__session__deposit"),
        pk=tender_id,
        kind=Tender.Kind.CHECK,
    )
    form = ReturnCheckForm(request.POST or None, initial={"returned_on": core.city_today()})
    if request.method == "POST" and form.is_valid():
        try:
            returned = services.check_return(
                tender=tender,
                reason=form.cleaned_data["reason"],
                returned_on=form.cleaned_data["returned_on"],
                acting_user=request.user,
            )
        except RevenueError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request, f"{returned} recorded: charges re-opened, fee assessed. Print the notice."
            )
            return redirect(returned)
    return render(request, "cashiering/check_return.html", {"tender": tender, "form": form})


@require_perm("cashiering.view_returnedcheck")
def returned_check_detail(request, number, fmt="html"):
    returned = get_object_or_404(
        ReturnedCheck.objects.select_related(
            "tender", "receipt__party", "deposit", "fee_charge", "restriction"
        ),
        number=number,
    )
    reopened = [
        line for line in returned.receipt.lines.select_related("charge") if not line.charge.is_settled
    ]
    context = {
        "returned": returned,
        "party": returned.receipt.party,
        "reopened": reopened,
        "total_due": sum((ln.charge.balance for ln in reopened), ZERO)
        + (returned.fee_charge.balance if returned.fee_charge else ZERO)
        + (returned.credit_charge.balance if returned.credit_charge else ZERO),
    }
    if fmt == "pdf":
        return pdf_response(
            render_pdf("cashiering/print/returned_check_notice.html", context, request=request),
            f"{returned.number}-notice.pdf",
        )
    return render(request, "cashiering/returned_check_detail.html", context)
