"""Reading the query string safely: text through a Django form field (its
ProhibitNullCharactersValidator turns away a NUL byte, which PostgreSQL would refuse with a
500), and a page number only from ASCII digits ('²'.isdigit() is True, int('²') fails)."""

from django import forms
from django.core.exceptions import ValidationError


def query_text(params, name: str, *, max_length: int | None = None) -> str | None:
    """The parameter stripped ("" when absent), or None when it is not text a query can use
    (a NUL byte, or longer than max_length)."""
    field = forms.CharField(required=False, max_length=max_length)
    try:
        return field.clean(params.get(name, ""))
    except ValidationError:
        return None


def query_page(params, name: str, *, last: int, default: int = 1) -> int:
    """A page number from 1 to `last`, or `default` for anything else (absent, not ASCII digits,
    out of range)."""
    value = params.get(name, "")
    if not (value.isascii() and value.isdecimal()):
        return default
    number = int(value)
    return number if 1 <= number <= last else default
