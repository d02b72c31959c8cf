"""Error pages that say what happened and never show a stack trace."""

from django.contrib.auth.decorators import login_not_required
from django.shortcuts import render


@login_not_required
def permission_denied(request, exception=None):
    message = str(exception) if exception and str(exception) else "Your role does not allow this."
    return render(request, "403.html", {"message": message}, status=403)


@login_not_required
def page_not_found(request, exception=None):
    return render(request, "404.html", status=404)


@login_not_required
def server_error(request):
    # no context processors that could fail again; a plain page
    from django.http import HttpResponseServerError
    from django.template import loader

    return HttpResponseServerError(loader.get_template("500.html").render({}))
