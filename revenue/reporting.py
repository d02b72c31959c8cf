"""Reports one way. A selector returns a `Report` (title, columns, rows, totals); one
`report_response` serves it as the HTML table, the .xlsx or, where the report has a printable
template, the PDF. Columns are defined once, in the selector, for every format."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.http import Http404
from django.shortcuts import render

from .documents import Column, build_xlsx, pdf_response, render_pdf, xlsx_response

FORMATS = ("html", "xlsx", "pdf")


@dataclass(frozen=True)
class Link:
    """A cell that links to a page on screen and is plain text in a spreadsheet."""

    text: str
    url: str

    def __str__(self) -> str:
        return self.text


@dataclass
class Report:
    """A table: columns (with their kind: text, money, date, int), rows of values in column
    order, and an optional totals row. `filename` names the download (no extension)."""

    title: str
    columns: list[Column]
    rows: Sequence[Sequence]
    totals: Sequence | None = None
    subtitle: str = ""
    filename: str = "report"
    sheet_name: str = "Report"
    notes: list[str] = field(default_factory=list)

    def __post_init__(self):
        width = len(self.columns)
        if self.totals is not None and len(self.totals) != width:
            raise ValueError(f"{self.title}: totals have {len(self.totals)} cells for {width} columns")

    @property
    def row_count(self) -> int:
        return len(self.rows)

    @property
    def table(self):
        """Each row as (value, column) pairs, for the templates."""
        return (list(zip(row, self.columns, strict=True)) for row in self.rows)

    @property
    def total_cells(self):
        return None if self.totals is None else list(zip(self.totals, self.columns, strict=True))


def cell_value(value):
    """What a spreadsheet cell holds for a report value: a link's text, the value otherwise."""
    if isinstance(value, Link):
        return value.text
    return value


def report_xlsx(report: Report) -> bytes:
    return build_xlsx(
        title=report.title,
        subtitle=report.subtitle,
        columns=report.columns,
        rows=[[cell_value(v) for v in row] for row in report.rows],
        totals=None if report.totals is None else [cell_value(v) for v in report.totals],
        sheet_name=report.sheet_name,
    )


def report_format(request, fmt: str | None = None) -> str:
    """The format asked for: the view's own (a .xlsx URL) or ?format=, HTML by default."""
    fmt = fmt or request.GET.get("format") or "html"
    if fmt not in FORMATS:
        raise Http404("Unknown report format.")
    return fmt


def format_url(request, fmt: str) -> str:
    """The current page's URL with ?format= set: the same report in another format."""
    query = request.GET.copy()
    query["format"] = fmt
    return f"{request.path}?{query.urlencode()}"


def report_response(
    request,
    report: Report,
    fmt: str | None = None,
    *,
    template: str = "revenue/report.html",
    pdf_template: str | None = None,
    context: dict | None = None,
):
    """Serve a report as `fmt` (default: ?format=, else HTML): the HTML page (the generic table,
    or an app's own template that gets `report` in its context), the .xlsx, or the PDF when the
    report has a print template. The page gets `xlsx_url` and `pdf_url` unless the view names them."""
    fmt = report_format(request, fmt)
    context = {"report": report, **(context or {})}
    if fmt == "xlsx":
        return xlsx_response(report_xlsx(report), f"{report.filename}.xlsx")
    if fmt == "pdf":
        if pdf_template is None:
            raise Http404("This report has no printed form.")
        return pdf_response(render_pdf(pdf_template, context, request=request), f"{report.filename}.pdf")
    context.setdefault("xlsx_url", format_url(request, "xlsx"))
    if pdf_template:
        context.setdefault("pdf_url", format_url(request, "pdf"))
    return render(request, template, context)


def format_cell(value, column: Column) -> str:
    """A report value as text for the screen (the template tag `report_cell` adds links)."""
    from .templatetags.money import money

    if value is None or value == "":
        return ""
    if column.kind == "money" and isinstance(value, Decimal | int):
        return money(value)
    if column.kind == "date" and isinstance(value, datetime.date):
        return value.strftime("%m/%d/%Y")
    if column.kind == "int" and isinstance(value, int):
        return f"{value:,}"
    return str(value)
