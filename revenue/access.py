"""Role checks for views. A refusal names the role that may do the thing."""

from functools import wraps

from django.core.exceptions import PermissionDenied

from .roles import roles_with


def deny(perm: str) -> PermissionDenied:
    roles = roles_with(perm)
    if roles:
        return PermissionDenied(f"This needs the role {' or '.join(roles)}.")
    return PermissionDenied("Your role does not allow this.")


def require_perm(perm: str):
    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not request.user.has_perm(perm):
                raise deny(perm)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
