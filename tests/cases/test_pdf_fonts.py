"""Every PDF the product issues embeds every font it uses (docs/domain.md §7), checked from the PDF bytes."""

from __future__ import annotations

import io

import pytest

from cases import documents
from tests.factories import latest_agreement, open_case
from tests.pdf import pdf_fonts, pdf_text


@pytest.fixture
def case(users):
    return open_case(users, status="completed")


def render(document: str, case) -> bytes:
    agreement = latest_agreement(case)
    if document == "agreement_pdf":
        return documents.agreement_pdf(agreement, "https://example.org/verify/X/")
    return documents.acceptance_pdf(case, agreement, "https://example.org/verify/X/")


@pytest.mark.parametrize("document", ["agreement_pdf", "acceptance_pdf"])
def test_every_document_embeds_its_fonts(case, document):
    fonts = pdf_fonts(render(document, case))
    assert fonts
    assert all(embedded for _name, embedded in fonts), fonts


def test_chinese_text_survives_in_the_embedded_font(case):
    text = pdf_text(render("agreement_pdf", case))
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
    assert not all(embedded for _name, embedded in pdf_fonts(buffer.getvalue()))
