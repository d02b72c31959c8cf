"""The one withdraw screen of effective-dated configuration, served under each configuration's
admin page (`/admin/<app>/<model>/<id>/withdraw/`). Supervisors only: anyone else gets 403."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse

from . import services
from .access import deny
from .exceptions import RevenueError


def withdraw(request, model_admin, object_id):
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not request.user.has_perm(services.WITHDRAW_PERMISSION):
        raise deny(services.WITHDRAW_PERMISSION)
    model = model_admin.model
    row = model.all_rows.filter(pk=object_id).first() if str(object_id).isdigit() else None
    if row is None:
        raise Http404("No such row.")
    if request.method == "POST":
        try:
            services.config_withdraw(row=row, acting_user=request.user, reason=request.POST.get("reason", ""))
        except RevenueError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(
                request,
                f"{row} is withdrawn: it is no longer in force, and a corrected row may be added for "
                f"{row.effective_from:%m/%d/%Y}.",
            )
            return redirect(model_admin.withdraw_done_url(row))
    context = {
        **model_admin.admin_site.each_context(request),
        "title": f"Withdraw {row}",
        "opts": model._meta,
        "row": row,
        "why_not": services.config_usage(row),
        "reason": request.POST.get("reason", ""),
        "back": model_admin.withdraw_done_url(row),
    }
    return TemplateResponse(request, "admin/config_withdraw.html", context)
