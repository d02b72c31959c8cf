"""Money in suspense: the worklist of unresolved items, an item's page (apply it to a party or
return it), and the return letter."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Sum
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from revenue import services as core
from revenue.access import deny, require_perm
from revenue.documents import pdf_response, render_pdf
from revenue.forms import int_param
from revenue.models import ZERO, Party
from revenue.web import Repeated, post_once

from .. import services
from ..forms import SuspenseApplyForm, SuspenseReturnForm
from ..models import SuspenseItem

PER_PAGE = 50


@require_perm("cashiering.view_suspenseitem")
def suspense_list(request):
    """Unresolved money in suspense, oldest first (50 a page; the total from SQL)."""
    show = "all" if request.GET.get("show") == "all" else "open"
    items = SuspenseItem.objects.select_related("session__drawer", "party_hint", "created_by")
    if show == "open":
        items = items.filter(status=SuspenseItem.Status.OPEN)
    total = items.aggregate(total=Sum("amount"))["total"] or ZERO
    page = Paginator(items.order_by("created_at", "pk"), PER_PAGE).get_page(
        int_param(request, "page", default=1, min=1, max=100_000)
    )
    return render(request, "cashiering/suspense_list.html", {"page": page, "total": total, "show": show})


@require_perm("cashiering.view_suspenseitem")
@require_http_methods(["GET", "POST"])
def suspense_detail(request, number):
    item = get_object_or_404(
        SuspenseItem.objects.select_related(
            "session__drawer",
            "remittance__batch",
            "party",
            "party_hint",
            "payment",
            "created_by",
            "resolved_by",
        ),
        number=number,
    )
    action = request.POST.get("action") if request.method == "POST" else None
    apply_form = SuspenseApplyForm(
        request.POST if action == "apply" else None,
        initial={"party_number": item.party_hint.number if item.party_hint else ""},
    )
    return_form = SuspenseReturnForm(request.POST if action == "return" else None)
    if request.method == "POST" and not request.user.has_perm("cashiering.resolve_suspense"):
        raise deny("cashiering.resolve_suspense")
    done = None
    if action == "apply" and apply_form.is_valid():
        party = Party.objects.filter(number__iexact=apply_form.cleaned_data["party_number"].strip()).first()
        if party is None:
            apply_form.add_error("party_number", "No party has this number.")
        else:
            done = post_once(
                request,
                apply_form,
                lambda: services.suspense_apply(
                    item=item, party=party, note=apply_form.cleaned_data["note"], acting_user=request.user
                ),
            )
    elif action == "return" and return_form.is_valid():
        done = post_once(
            request,
            return_form,
            lambda: services.suspense_return(
                item=item, reason=return_form.cleaned_data["reason"], acting_user=request.user
            ),
        )
    if isinstance(done, Repeated):
        return redirect(item)
    if done:
        messages.success(request, f"{done}: {done.get_status_display().lower()}.")
        return redirect(item)
    return render(
        request,
        "cashiering/suspense_detail.html",
        {
            "item": item,
            "apply_form": apply_form,
            "return_form": return_form,
            "can_resolve": request.user.has_perm("cashiering.resolve_suspense")
            and item.status == SuspenseItem.Status.OPEN,
            "audit_events": core.audit_trail(item),
        },
    )


@require_perm("cashiering.view_suspenseitem")
def suspense_letter(request, number):
    """The letter that goes with money returned out of suspense (a refund: the check was deposited)."""
    item = get_object_or_404(
        SuspenseItem.objects.select_related("party_hint"), number=number, status=SuspenseItem.Status.RETURNED
    )
    context = {
        "amount": item.amount,
        "check_number": item.check_number,
        "name": item.name_on_check,
        "party": item.party_hint,
        "reason": item.resolution_note,
        "reference": item.number,
        "on": item.resolved_at,
        "refund": True,
    }
    pdf = render_pdf("cashiering/print/return_letter.html", context, request=request)
    return pdf_response(pdf, f"{item.number}-letter.pdf")
