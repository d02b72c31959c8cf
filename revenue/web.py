"""Helpers shared by the apps' views."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction

from . import services
from .exceptions import DuplicateSubmission, RevenueError


class Repeated:
    """What post_once returns when the form was already posted: where its result is, if known."""

    def __init__(self, url: str = ""):
        self.url = url


def post_once(request, form, work):
    """Run `work()` with the form's one-time token claimed in the same transaction.
    Returns the work's result; None after putting a refusal on the form; a Repeated (with a
    message) when this form was already posted."""
    try:
        with transaction.atomic():
            services.submission_claim(key=form.cleaned_data["token"], user=request.user)
            result = work()
            if hasattr(result, "get_absolute_url"):
                services.submission_result(
                    key=form.cleaned_data["token"], result_url=result.get_absolute_url()
                )
            return result
    except DuplicateSubmission as exc:
        messages.info(request, str(exc))
        return Repeated(exc.result_url)
    except (RevenueError, ValidationError) as exc:
        form.add_error(None, exc.messages if isinstance(exc, ValidationError) else str(exc))
        return None


def repeated_submission(request) -> Repeated | None:
    """If the posted form's token was already used, say so and return where its result is."""
    import uuid

    from .models import SubmissionToken

    try:
        key = uuid.UUID(str(request.POST.get("token", "")))
    except ValueError:
        return None
    prior = SubmissionToken.objects.filter(key=key).first()
    if prior is None:
        return None
    messages.info(request, "This form was already submitted; it was not posted twice.")
    return Repeated(prior.result_url)
