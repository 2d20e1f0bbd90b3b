"""Reading the product's PDFs back in tests: their text, and the fonts they use."""

from __future__ import annotations

import io

import pypdf


def pdf_text(pdf: bytes) -> str:
    """The text of every page, in reading order, as a PDF reader extracts it."""
    return "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages)


def pdf_fonts(pdf: bytes) -> list[tuple[str, bool]]:
    """Each font a page uses, with whether its program is in the file (FontFile, FontFile2 or FontFile3)."""
    found = []
    for page in pypdf.PdfReader(io.BytesIO(pdf)).pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            for part in [d.get_object() for d in font.get("/DescendantFonts", [])] or [font]:
                descriptor = part.get("/FontDescriptor")
                embedded = descriptor is not None and any(
                    key in descriptor.get_object() for key in ("/FontFile", "/FontFile2", "/FontFile3")
                )
                found.append((str(part["/BaseFont"]), embedded))
    return found
