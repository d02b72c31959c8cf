"""What every counter screen needs."""

from django.contrib import messages
from django.http import Http404

from .. import services


def record_id(value) -> int:
    """A primary key from a form, or a 404 (never a server error) for anything else."""
    if not (str(value or "").isascii() and str(value or "").isdigit()):
        raise Http404("No such record.")
    return int(value)


def open_session(request):
    """The clerk's open session, or None with a word to open a drawer first."""
    session = services.session_for(request.user)
    if session is None:
        messages.info(request, "Open a drawer to take payments.")
    return session
