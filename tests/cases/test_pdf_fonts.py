"""Every PDF the product issues embeds every font it uses (docs/domain.md §7), checked from the PDF bytes."""

from __future__ import annotations

import io

import pypdf
import pytest

from cases import documents
from tests.factories import open_case


def fonts_of(pdf: bytes) -> list[tuple[str, bool]]:
    """Each font a page uses, with whether its program is in the file (FontFile, FontFile2 or FontFile3)."""
    found = []
    for page in pypdf.PdfReader(io.BytesIO(pdf)).pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descendants = [d.get_object() for d in font.get("/DescendantFonts", [])] or [font]
            for part in descendants:
                descriptor = part.get("/FontDescriptor")
                embedded = descriptor is not None and any(
                    key in descriptor.get_object() for key in ("/FontFile", "/FontFile2", "/FontFile3")
                )
                found.append((str(part["/BaseFont"]), embedded))
    return found


@pytest.fixture
def case(users):
    return open_case(users, status="completed")


@pytest.mark.parametrize("document", ["agreement_pdf", "acceptance_pdf"])
def test_every_document_embeds_its_fonts(case, document):
    fonts = fonts_of(getattr(documents, document)(case, "https://example.org/verify/X/"))
    assert fonts
    assert all(embedded for _name, embedded in fonts), fonts


def test_chinese_text_survives_in_the_embedded_font(case):
    text = "".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(
        documents.agreement_pdf(case, "https://example.org/verify/X/")
    )).pages)
    assert "转移" in text or "协议" in text
    assert case.reference in text


def test_a_font_that_is_only_named_is_caught():
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    buffer = io.BytesIO()
    page = canvas.Canvas(buffer)
    page.setFont("STSong-Light", 12)
    page.drawString(50, 800, "转移")
    page.save()
    assert not all(embedded for _name, embedded in fonts_of(buffer.getvalue()))
