"""The agreement and acceptance PDFs (docs/domain.md §7)."""

from __future__ import annotations

import pytest

from cases.documents import acceptance_pdf, agreement_pdf
from tests.factories import latest_agreement, open_case

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("reference_data")]


def test_the_agreement_pdf_needs_an_agreement(users):
    assert latest_agreement(open_case(users, status="verifying")) is None
    agreement = latest_agreement(open_case(users, status="agreement_issued"))
    for language in ("zh-hans", "en"):
        pdf = agreement_pdf(agreement, f"https://example.org/verify/{agreement.verification_code}", language=language)
        assert pdf.startswith(b"%PDF-") and len(pdf) > 2000


def test_the_acceptance_pdf_needs_a_completed_case(users):
    receiving = open_case(users, status="receiving")
    with pytest.raises(ValueError):
        acceptance_pdf(receiving, latest_agreement(receiving), "https://example.org/verify/X")
    case = open_case(users, status="completed")
    assert acceptance_pdf(case, latest_agreement(case), "https://example.org/verify/X").startswith(b"%PDF-")
