"""The two document helpers: any template to PDF (WeasyPrint), any table to .xlsx (openpyxl)."""

from __future__ import annotations

import datetime
import io
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.http import HttpResponse
from django.template.loader import render_to_string

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MONEY_FORMAT = "#,##0.00;(#,##0.00)"


def render_pdf(template_name: str, context: dict, *, request=None) -> bytes:
    """Render a template under <app>/print/ to PDF bytes. Static files resolve from the project."""
    from weasyprint import HTML  # imported here: WeasyPrint loads Pango on import

    html = render_to_string(template_name, context, request=request)
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
    rows: list[list],
    totals: list | None = None,
    subtitle: str = "",
    sheet_name: str = "Report",
) -> bytes:
    """A workbook with a title, a bold frozen header row, typed cells with number formats,
    and a bold totals row (values, so every reader sees the same figures)."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    ws = wb.active
    ws.title = sheet_name[:31]
    ws.append([f"{settings.CITY_NAME} — {title}"])
    ws["A1"].font = Font(bold=True, size=14)
    ws.append([subtitle])
    ws["A2"].font = Font(italic=True)
    header_row = 4
    ws.append([])
    ws.append([c.title for c in columns])
    fill = PatternFill("solid", fgColor="DDE3EA")
    for i, col in enumerate(columns, start=1):
        cell = ws.cell(row=header_row, column=i)
        cell.font = Font(bold=True)
        cell.fill = fill
        cell.alignment = Alignment(horizontal="right" if col.kind in ("money", "int") else "left")
        ws.column_dimensions[get_column_letter(i)].width = col.width

    def put(row_values, bold=False):
        ws.append([_cell_value(v, c) for v, c in zip(row_values, columns, strict=True)])
        r = ws.max_row
        for i, col in enumerate(columns, start=1):
            cell = ws.cell(row=r, column=i)
            if col.kind == "money":
                cell.number_format = MONEY_FORMAT
            elif col.kind == "date":
                cell.number_format = "mm/dd/yyyy"
            elif col.kind == "int":
                cell.number_format = "#,##0"
            if bold:
                cell.font = Font(bold=True)
                cell.border = Border(top=Side(style="thin"), bottom=Side(style="double"))

    for row in rows:
        put(row)
    if totals is not None:
        put(totals, bold=True)
    ws.freeze_panes = ws.cell(row=header_row + 1, column=1)
    ws.auto_filter.ref = f"A{header_row}:{get_column_letter(len(columns))}{header_row + len(rows)}"
    ws.print_title_rows = f"{header_row}:{header_row}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth = 1
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def _cell_value(value, column: Column):
    if value is None:
        return None
    if column.kind == "money" and isinstance(value, Decimal):
        return value  # openpyxl writes Decimal as a number
    if column.kind == "date" and isinstance(value, datetime.datetime):
        return value.replace(tzinfo=None)
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
