"""Parking's pages, by subject: citations (lookup, entry, contests, notices, plans, the citation
report), permits (permits, the tag inventory, the permits-issued report) and citation imports.
Each module keeps its urlpatterns beside its views."""

import datetime
from collections.abc import Callable

from revenue import services as core
from revenue.forms import DateRangeForm


def report_period(request, first_day: Callable[[datetime.date], datetime.date]):
    """(form, start, end): the period a report's ?start=&end= names, else `first_day(today)` to
    today (the unbound form then shows that period)."""
    form = DateRangeForm(request.GET or None)
    if form.is_valid():
        return form, form.cleaned_data["start"], form.cleaned_data["end"]
    end = core.city_today()
    start = first_day(end)
    if not form.is_bound:
        form = DateRangeForm(initial={"start": start, "end": end})
    return form, start, end
