"""Requests refused before any view sees them."""

from django.http import HttpResponseBadRequest

NUL = "\x00"

NUL_REFUSED = (
    "Bad request: the address or the form contains a NUL character (%00), which no page of "
    "this system accepts. Go back, retype the entry and send it again.\n"
)


def _has_nul(querydict) -> bool:
    return any(NUL in key or any(NUL in value for value in values) for key, values in querydict.lists())


class RefuseNulMiddleware:
    """A NUL byte (`\\x00`, `%00` once decoded) in the path, a query parameter or a posted form
    value (names too) is answered 400 with a plain page, for everyone, signed in or not.

    PostgreSQL text cannot hold NUL, so one that reaches a query or a save is a server error;
    refusing it here fixes every view at once. Uploaded files' content is not inspected (a file
    is read by its own import, which checks it); their names are, as form values."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if self._refused(request):
            return HttpResponseBadRequest(NUL_REFUSED, content_type="text/plain; charset=utf-8")
        return self.get_response(request)

    @staticmethod
    def _refused(request) -> bool:
        if NUL in request.path or NUL in request.path_info or _has_nul(request.GET):
            return True
        if request.method == "POST" and request.content_type in (
            "application/x-www-form-urlencoded",
            "multipart/form-data",
        ):
            if _has_nul(request.POST):
                return True
            return any(NUL in (f.name or "") for _, files in request.FILES.lists() for f in files)
        return False
