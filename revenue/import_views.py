"""Import profiles on screen (supervisors only): the list, a new profile for a target, a
profile's settings with its audit trail, and a preview of a sample file read through it."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from . import services
from .access import require_perm
from .exceptions import RevenueError
from .forms import ImportProfileForm, SampleFileForm
from .models import ImportProfile
from .services.imports import DATE_PRESETS, TIME_PRESETS


@require_perm("revenue.view_importprofile")
@require_GET
def import_profile_list(request):
    profiles = ImportProfile.objects.select_related("changed_by").order_by("target", "name")[:500]
    targets = {t.key: t for t in services.import_targets()}
    return render(
        request,
        "revenue/import_profile_list.html",
        {"profiles": [(p, targets.get(p.target)) for p in profiles], "targets": targets.values()},
    )


def _form_page(request, form, *, target, profile=None, sample=None, preview=None, status=200):
    return render(
        request,
        "revenue/import_profile_form.html",
        {
            "form": form,
            "target": target,
            "profile": profile,
            "sample": sample or SampleFileForm(),
            "preview": preview,
            "date_presets": DATE_PRESETS,
            "time_presets": TIME_PRESETS,
            "events": services.audit_trail(profile)[:50] if profile else [],
        },
        status=status,
    )


def _save(request, form, *, target, profile=None):
    """The profile saved from a valid form, or the form with the service's refusal on it."""
    try:
        saved = services.profile_save(
            acting_user=request.user, profile=profile, target=target.key, **form.profile_values()
        )
    except RevenueError as exc:
        form.add_error(None, str(exc))
        return None
    messages.success(request, f"Import profile {saved.name} saved.")
    return saved


@require_perm("revenue.add_importprofile")
@require_http_methods(["GET", "POST"])
def import_profile_new(request):
    targets = {t.key: t for t in services.import_targets()}
    target = targets.get(request.GET.get("target", ""))
    if target is None:
        messages.info(request, "Choose what the new profile imports.")
        return redirect("import_profile_list")
    form = ImportProfileForm(request.POST or None, target=target)
    if request.method == "POST" and form.is_valid():
        saved = _save(request, form, target=target)
        if saved:
            return redirect(saved)
    return _form_page(request, form, target=target, status=400 if form.errors else 200)


@require_perm("revenue.change_importprofile")
@require_http_methods(["GET", "POST"])
def import_profile_edit(request, pk):
    profile = get_object_or_404(ImportProfile, pk=pk)
    try:
        target = services.import_target_get(profile.target)
    except RevenueError as exc:
        messages.error(request, str(exc))
        return redirect("import_profile_list")
    initial = ImportProfileForm.initial_from(profile)
    form = ImportProfileForm(request.POST or None, initial=initial, target=target)
    if request.method == "POST" and form.is_valid() and _save(request, form, target=target, profile=profile):
        return redirect(profile)
    return _form_page(request, form, target=target, profile=profile, status=400 if form.errors else 200)


@require_perm("revenue.change_importprofile")
@require_http_methods(["GET", "POST"])
def import_profile_preview(request, pk):
    """A sample file's first rows read through the profile as saved, each problem marked.
    Reads only; a reload (GET) goes back to the profile."""
    profile = get_object_or_404(ImportProfile, pk=pk)
    if request.method == "GET":
        return redirect(profile)
    try:
        target = services.import_target_get(profile.target)
    except RevenueError as exc:
        messages.error(request, str(exc))
        return redirect("import_profile_list")
    form = ImportProfileForm(initial=ImportProfileForm.initial_from(profile), target=target)
    sample = SampleFileForm(request.POST, request.FILES)
    preview = None
    if sample.is_valid():
        try:
            preview = services.profile_preview(profile=profile, source=sample.cleaned_data["file"])
        except RevenueError as exc:
            sample.add_error("file", str(exc))
    status = 200 if preview else 400
    return _form_page(
        request, form, target=target, profile=profile, sample=sample, preview=preview, status=status
    )
