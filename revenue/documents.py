"""The two document helpers: any template to PDF (WeasyPrint), any table to .xlsx (openpyxl)."""

from __future__ import annotations

import datetime
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils import timezone

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MONEY_FORMAT = "#,##0.00;(#,##0.00)"


def render_pdf(template_name: str, context: dict, *, request=None) -> bytes:
    """Render a template under <app>/print/ to PDF bytes. Static files resolve from the project.
    Every document knows the city and the office's contact details in force (`office`), with a
    request or without one (a job)."""
    from weasyprint import HTML  # imported here: WeasyPrint loads Pango on import

    from .services.office import document_context

    html = render_to_string(template_name, {**document_context(), **context}, request=request)
    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf()


def pdf_response(pdf: bytes, filename: str, *, inline: bool = True) -> HttpResponse:
    response = HttpResponse(pdf, content_type="application/pdf")
    disposition = "inline" if inline else "attachment"
    response["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    return response


@dataclass(frozen=True)
class Column:
    title: str
    kind: str = "text"  # text | money | date | int
    width: int = 14


def build_xlsx(
    *,
    title: str,
    columns: list[Column],
    rows: Iterable[Sequence],
    totals: Sequence | None = None,
    subtitle: str = "",
    sheet_name: str = "Report",
) -> bytes:
    """A workbook with a title, a bold frozen header row, typed cells with number formats,
    and a bold totals row (values, so every reader sees the same figures).

    Every str is written as text, never as a formula: a party named `=1+1` or
    `=HYPERLINK(...)` is shown as typed, in every export, because they all come through here.
    Control characters a workbook cannot hold are dropped. The sheet is written in openpyxl's
    write-only mode, one row after the other: the time is linear in the rows."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter

    wb = Workbook(write_only=True)
    ws = wb.create_sheet(sheet_name[:31])
    header_row = 4
    for i, col in enumerate(columns, start=1):
        ws.column_dimensions[get_column_letter(i)].width = col.width
    ws.freeze_panes = f"A{header_row + 1}"
    ws.print_title_rows = f"{header_row}:{header_row}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth = 1

    def cell(value, **style):
        c = WriteOnlyCell(ws, value=_text(value) if isinstance(value, str) else value)
        if isinstance(value, str):
            c.data_type = "s"  # text, even when it starts with "="
        for name, setting in style.items():
            setattr(c, name, setting)
        return c

    ws.append([cell(f"{settings.CITY_NAME} — {title}", font=Font(bold=True, size=14))])
    ws.append([cell(subtitle, font=Font(italic=True))])
    ws.append([])
    fill = PatternFill("solid", fgColor="DDE3EA")
    ws.append(
        [
            cell(
                col.title,
                font=Font(bold=True),
                fill=fill,
                alignment=Alignment(horizontal="right" if col.kind in ("money", "int") else "left"),
            )
            for col in columns
        ]
    )
    formats = [NUMBER_FORMATS.get(col.kind) for col in columns]
    bold, rule = Font(bold=True), Border(top=Side(style="thin"), bottom=Side(style="double"))

    def row_cells(values, *, total=False):
        cells = []
        for value, col, number_format in zip(values, columns, formats, strict=True):
            c = cell(_cell_value(value, col))
            if number_format:
                c.number_format = number_format
            if total:
                c.font, c.border = bold, rule
            cells.append(c)
        return cells

    last_row = header_row
    for row in rows:
        ws.append(row_cells(row))
        last_row += 1
    if totals is not None:
        ws.append(row_cells(totals, total=True))
    ws.auto_filter.ref = f"A{header_row}:{get_column_letter(len(columns))}{last_row}"
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


NUMBER_FORMATS = {"money": MONEY_FORMAT, "date": "mm/dd/yyyy", "int": "#,##0"}


def _text(value: str) -> str:
    """Text a workbook can hold: without the control characters the XML forbids."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    return ILLEGAL_CHARACTERS_RE.sub("", value)


def _cell_value(value, column: Column):
    if value is None:
        return None
    if column.kind == "money" and isinstance(value, Decimal):
        return value  # openpyxl writes Decimal as a number
    if column.kind == "date" and isinstance(value, datetime.datetime):
        # a workbook has no time zones: the city's wall time (TIME_ZONE), not UTC's
        return (timezone.localtime(value) if timezone.is_aware(value) else value).replace(tzinfo=None)
    return value


def xlsx_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX_MIME)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def barcode_svg(text: str) -> str:
    """A Code 128 barcode of a document number as an SVG data URI, for a scanner at the counter."""
    import base64

    import barcode
    from barcode.writer import SVGWriter

    buffer = io.BytesIO()
    barcode.get("code128", text, writer=SVGWriter()).write(
        buffer, options={"module_height": 8.0, "module_width": 0.25, "quiet_zone": 2.0, "write_text": False}
    )
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode()


def qr_svg(text: str) -> str:
    """A QR code as an SVG data URI (the certificate's link to public verification)."""
    import segno

    return segno.make(text, error="m").svg_data_uri(scale=4, border=2)
