"""Tags every page uses (a builtin, so no `{% load %}`): a report's table and cells, and the
status badge of any object with a status."""

from django import template
from django.utils.html import format_html

from ..reporting import Link, format_cell

register = template.Library()

# The colour of a status word, the same on every page. A model may name its own colours for
# words that mean something else there, as `STATUS_BADGES = {"active": "primary"}`.
STATUS_COLOURS = {
    "open": "warning",
    "pending": "warning",
    "submitted": "warning",
    "in_review": "warning",
    "renewal": "warning",
    "running": "warning",
    "prepared": "warning",
    "paid": "success",
    "issued": "success",
    "active": "success",
    "approved": "success",
    "performed": "success",
    "posted": "success",
    "deposited": "success",
    "completed": "success",
    "current": "success",
    "finished": "success",
    "denied": "danger",
    "defaulted": "danger",
    "failed": "danger",
    "revoked": "danger",
    "voided": "danger",
    "returned": "danger",
    "suspended": "secondary",
}


def badge_colour(obj, status: str) -> str:
    own = getattr(type(obj), "STATUS_BADGES", {})
    return own.get(status) or STATUS_COLOURS.get(status, "secondary")


@register.simple_tag
def status_badge(obj, id="", field="status", label=""):
    """`{% status_badge license id="license-status" %}`: the object's status as a coloured badge
    with its display name (or `label`, when the page words it differently)."""
    status = getattr(obj, field, "") or ""
    display = getattr(obj, f"get_{field}_display", None)
    text = label or (display() if callable(display) else str(status))
    colour = badge_colour(obj, str(status))
    if id:
        return format_html('<span class="badge text-bg-{}" id="{}">{}</span>', colour, id, text)
    return format_html('<span class="badge text-bg-{}">{}</span>', colour, text)


@register.simple_tag
def report_cell(value, column):
    """A report value formatted for its column (money, date, whole number), a link when it is one."""
    text = format_cell(value, column)
    if isinstance(value, Link):
        return format_html('<a href="{}">{}</a>', value.url, text)
    return text


@register.inclusion_tag("revenue/_report_table.html")
def report_table(report, table_id="report", empty="Nothing to show."):
    """The standard table of a report: header, rows, totals."""
    return {"report": report, "table_id": table_id, "empty": empty}
