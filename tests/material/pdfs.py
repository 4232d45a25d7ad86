"""Small PDFs made in the tests: real ones (pypdfium2), a locked one, a broken one."""

from __future__ import annotations

import io
import re


def make_pdf(pages: int = 3, size: tuple[float, float] = (960, 540)) -> bytes:
    """A real PDF of ``pages`` blank pages (pypdfium2 writes it)."""
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument.new()
    for _ in range(pages):
        document.new_page(*size)
    out = io.BytesIO()
    document.save(out)
    document.close()
    return out.getvalue()


def encrypted_pdf() -> bytes:
    """A PDF whose trailer names a standard security handler with an unknown user password:
    PDFium asks for the password."""
    data = make_pdf(1).decode("latin-1")
    encrypt = ("/Encrypt << /Filter /Standard /V 1 /R 2 /O <" + "11" * 32 + "> /U <"
               + "22" * 32 + "> /P -4 >>")
    data = re.sub(r"trailer\s*<<", "trailer\n<< " + encrypt, data, count=1)
    return data.encode("latin-1")


def png(width: int = 64, height: int = 48) -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (width, height), (20, 90, 160)).save(out, format="PNG")
    return out.getvalue()
