"""Read a PDF's text in tests (the document is real: WeasyPrint made it, pypdf parses it)."""

import io

from pypdf import PdfReader


def pdf_text(content: bytes) -> str:
    assert content.startswith(b"%PDF"), content[:40]
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def text_positions(content: bytes, page: int = 0) -> list[tuple[str, float, float]]:
    """Each piece of text on a page with where it starts: (text, inches from the left edge,
    inches from the top edge), to check that a block prints where an envelope's window is."""
    reader = PdfReader(io.BytesIO(content))
    sheet = reader.pages[page]
    height = float(sheet.mediabox.height)
    found = []

    def visit(text, cm, tm, font_dict, font_size):
        if text.strip():
            # the text matrix within the current transformation: page coordinates, in points
            x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
            y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
            found.append((text.strip(), x / 72, (height - y) / 72))

    sheet.extract_text(visitor_text=visit)
    return found


def position_of(content: bytes, text: str, page: int = 0) -> tuple[float, float]:
    """Where (inches from left, inches from top) the piece of text `text` is (or, failing that,
    the first piece that starts with it)."""
    pieces = text_positions(content, page)
    found = [p for p in pieces if p[0] == text] or [p for p in pieces if p[0].startswith(text)]
    if not found:
        raise AssertionError(f"{text!r} is not on page {page + 1}: {[p for p, _x, _y in pieces]}")
    return found[0][1], found[0][2]
