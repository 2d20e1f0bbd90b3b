"""The benchmark's seeder writes what the services would: a case's funds status follows its agreement's assessment."""

from __future__ import annotations

import datetime as dt

import pytest

from bench.seed import seed_assessment, seed_funds_status
from cases import rules
from cases.models import CaseStatus, FundsStatus

DAY = dt.date(2026, 6, 1)


def assessment(insurance_type: str, outcome: str = "full_transfer") -> rules.Assessment:
    return seed_assessment(insurance_type, outcome, "440300", DAY, [], 24, 200_000)


@pytest.mark.parametrize(("status", "insurance_type", "outcome", "expected"), [
    (CaseStatus.RECEIVING, rules.PENSION, "full_transfer", FundsStatus.AWAITING_REMITTANCE),
    (CaseStatus.AGREEMENT_ISSUED, rules.PENSION, rules.TEMPORARY_ACCOUNT, FundsStatus.NOT_REQUIRED),
    # The seeded assessment moves money for pensions only: a medical agreement awaits nothing.
    (CaseStatus.RECEIVING, rules.MEDICAL, "full_transfer", FundsStatus.NOT_REQUIRED),
    (CaseStatus.COMPLETED, rules.PENSION, "full_transfer", ""),
    (CaseStatus.COMPLETED, rules.UNEMPLOYMENT, "full_transfer", FundsStatus.NOT_REQUIRED),
])
def test_the_funds_status_follows_the_agreements_assessment(status, insurance_type, outcome, expected):
    frozen = assessment(insurance_type, outcome)
    assert seed_funds_status(status, frozen) == expected
    assert (expected == FundsStatus.AWAITING_REMITTANCE) == (
        status != CaseStatus.COMPLETED and rules.remittable(frozen).funds_required
    )


def test_a_case_without_an_agreement_has_no_funds_status():
    assert seed_funds_status(CaseStatus.VERIFYING, None) == ""
