"""Read a PDF's text in tests (the document is real: WeasyPrint made it, pypdf parses it)."""

import io

from pypdf import PdfReader


def pdf_text(content: bytes) -> str:
    assert content.startswith(b"%PDF"), content[:40]
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)
