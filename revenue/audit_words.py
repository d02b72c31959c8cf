"""An audit event's changes in plain words for the history panels: a field's name as words
("received_on" -> "Received on"), dates as 12/01/2026, times in the city's time, lists as
"T0000001, T0000002", yes/no for flags, code words as words ("in_plan" -> "in plan"). The stored
before/after stay as they were written (JSON); only their reading changes."""

from __future__ import annotations

import datetime
import re

from django.utils import timezone

ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
ISO_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")
CODE_WORD = re.compile(r"^[a-z]+(?:_[a-z]+)+$")
LABELS = {"id": "Record", "pk": "Record", "qty": "Quantity"}


def label(key: str) -> str:
    """A stored key as words: 'first_due_on' -> 'First due on', 'party_id' -> 'Party'."""
    key = str(key)
    if key in LABELS:
        return LABELS[key]
    words = re.sub(r"_id$", "", key).replace("_", " ").strip()
    return words[:1].upper() + words[1:]


def text(value) -> str:
    """A stored value as a person reads it."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list | tuple):
        return ", ".join(text(v) for v in value) if value else "none"
    if isinstance(value, dict):
        return "; ".join(f"{label(k)}: {text(v)}" for k, v in value.items()) if value else "none"
    if isinstance(value, str):
        return _string(value)
    return str(value)


def _string(value: str) -> str:
    if ISO_DATE.match(value):
        try:
            return f"{datetime.date.fromisoformat(value):%m/%d/%Y}"
        except ValueError:
            return value
    if ISO_DATETIME.match(value):
        try:
            moment = datetime.datetime.fromisoformat(value)
        except ValueError:
            return value
        if timezone.is_aware(moment):
            moment = timezone.localtime(moment)
        return f"{moment:%m/%d/%Y %H:%M}"
    if CODE_WORD.match(value):
        return value.replace("_", " ")
    return value


def changes(before: dict | None, after: dict | None) -> list[tuple[str, str | None, str]]:
    """(label, old or None when there was none, new) for each value that changed."""
    before, after = before or {}, after or {}
    keys = list(dict.fromkeys([*before.keys(), *after.keys()]))

    def empty(value):
        return value is None or value == ""

    return [
        (label(k), None if empty(before.get(k)) else text(before[k]), text(after.get(k)))
        for k in keys
        if before.get(k) != after.get(k) and not (empty(before.get(k)) and empty(after.get(k)))
    ]


def person(user) -> str:
    """A person's name as the pages show it: full name, else the user name; 'system' for none."""
    if user is None:
        return "system"
    return user.get_full_name() or user.get_username()
