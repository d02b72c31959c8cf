"""CSV the city writes, safe to open in a spreadsheet: no cell starts a formula.

A text cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage return is read by Excel,
LibreOffice and Google Sheets as a formula (CSV injection: `=HYPERLINK(...)`, `@SUM(...)`).
`writer()` is `csv.writer` with every such text cell prefixed with `'`, which the spreadsheet
shows as the text typed. Numbers (int, Decimal, float) and text that is a plain signed number
(`-12.50`) are written as they are, so amounts stay amounts.

Every CSV the project writes goes through here:

    from revenue import csvsafe
    writer = csvsafe.writer(buffer)        # instead of csv.writer(buffer)

(`defusedcsv` does the same but misses the tab and carriage return, and rewrites `|` inside a
cell; a dozen lines of our own do exactly the rule above.)"""

from __future__ import annotations

import csv
import re
from decimal import Decimal

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?\d[\d,]*(\.\d+)?\Z|[+-]?\.\d+\Z")


def neutralise(value):
    """The value a CSV cell holds: text that a spreadsheet would read as a formula gets a leading
    `'`; everything else is returned unchanged."""
    if value is None or isinstance(value, int | float | Decimal):
        return value
    text = str(value)
    if text.startswith(FORMULA_STARTS) and not _PLAIN_NUMBER.match(text):
        return "'" + text
    return text


class _SafeWriter:
    def __init__(self, writer):
        self._writer = writer

    def writerow(self, row):
        return self._writer.writerow([neutralise(v) for v in row])

    def writerows(self, rows):
        for row in rows:
            self.writerow(row)

    @property
    def dialect(self):
        return self._writer.dialect


def writer(csvfile, dialect="excel", **fmtparams) -> _SafeWriter:
    """`csv.writer` whose every cell goes through `neutralise`."""
    return _SafeWriter(csv.writer(csvfile, dialect, **fmtparams))


class DictWriter(csv.DictWriter):
    """`csv.DictWriter` whose every cell (and header) goes through `neutralise`."""

    def __init__(self, f, fieldnames, *args, **kwargs):
        super().__init__(f, fieldnames, *args, **kwargs)
        self.writer = writer(f, self.writer.dialect)


def row(values, **fmtparams) -> str:
    """One CSV line, without its line end, of neutralised cells: for a file built line by line
    (the DMV hold file)."""
    return writer(Echo(), lineterminator="", **fmtparams).writerow(values)


class Echo:
    """A file-like object whose write returns the line: for a StreamingHttpResponse of CSV rows."""

    def write(self, value):
        return value
