"""Bank deposits: gather signed-off sessions, print the slip, mark it deposited."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from revenue.access import require_perm
from revenue.documents import barcode_svg, pdf_response, render_pdf
from revenue.exceptions import RevenueError

from .. import selectors, services
from ..models import DENOMINATIONS, Deposit


def _bundles(counts: dict):
    """Per denomination: count, full straps or rolls, loose, and amount, for the deposit slip."""
    rows = []
    for d in DENOMINATIONS:
        n = int(counts.get(d.key, 0))
        if n:
            rows.append(
                {"d": d, "count": n, "bundles": n // d.bundle, "loose": n % d.bundle, "amount": d.value * n}
            )
    return rows


@require_perm("cashiering.make_deposit")
@require_http_methods(["GET", "POST"])
def deposit_list(request):
    ready = selectors.sessions_ready_to_deposit()
    if request.method == "POST":
        chosen = [s for s in ready if str(s.pk) in request.POST.getlist("sessions")]
        try:
            deposit = services.deposit_prepare(sessions=chosen, acting_user=request.user)
        except RevenueError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(
                request, f"Deposit {deposit.number} prepared: print the slip, take it to the bank."
            )
            return redirect(deposit)
    return render(
        request,
        "cashiering/deposit_list.html",
        {
            "ready": ready,
            "deposits": Deposit.objects.select_related("prepared_by", "deposited_by")[:50],
        },
    )


@require_perm("cashiering.view_deposit")
def deposit_detail(request, number, fmt="html"):
    deposit = get_object_or_404(
        Deposit.objects.select_related("prepared_by", "deposited_by", "entry"), number=number
    )
    checks = list(services.deposit_checks(deposit))
    suspense_checks = list(services.deposit_suspense_checks(deposit))
    context = {
        "deposit": deposit,
        "bundles": _bundles(deposit.cash_counts),
        "checks": checks,
        "suspense_checks": suspense_checks,
        "check_count": len(checks) + len(suspense_checks),
        "sessions": deposit.sessions.select_related("drawer", "clerk"),
    }
    if fmt == "pdf":
        context["barcode"] = barcode_svg(deposit.number)
        return pdf_response(
            render_pdf("cashiering/print/deposit_slip.html", context, request=request),
            f"{deposit.number}.pdf",
        )
    return render(request, "cashiering/deposit_detail.html", context)


@require_perm("cashiering.make_deposit")
@require_POST
def deposit_confirm(request, number):
    deposit = get_object_or_404(Deposit, number=number)
    try:
        services.deposit_confirm(
            deposit=deposit, bank_reference=request.POST.get("bank_reference", ""), acting_user=request.user
        )
    except RevenueError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"Deposit {deposit.number} marked deposited.")
    return redirect(deposit)
