"""The age rule (66号 Art. 5): older workers moving away from their hukou province get a temporary account."""

from __future__ import annotations

import datetime as dt

import pytest

from cases import rules

pytestmark = pytest.mark.usefixtures("english")


def outcome(*, gender="male", birth=dt.date(1976, 3, 10), applied=dt.date(2026, 3, 10), kind=rules.PENSION,
            destination="51", hukou="42", reference=""):
    return rules.transfer_outcome(
        insurance_type=kind, destination_province=destination, hukou_province=hukou, gender=gender,
        birth_date=birth, application_date=applied, approved_transfer_reference=reference,
    )


@pytest.mark.parametrize(
    ("gender", "birth", "applied", "code"),
    [
        # A man turns 50 on 2026-03-10: the day before he is 49.
        ("male", dt.date(1976, 3, 10), dt.date(2026, 3, 9), rules.FULL_TRANSFER),
        ("male", dt.date(1976, 3, 10), dt.date(2026, 3, 10), rules.TEMPORARY_ACCOUNT),
        ("male", dt.date(1960, 1, 1), dt.date(2026, 3, 10), rules.TEMPORARY_ACCOUNT),
        ("male", dt.date(1986, 3, 10), dt.date(2026, 3, 10), rules.FULL_TRANSFER),  # a man of 40
        # A woman at 40.
        ("female", dt.date(1986, 3, 10), dt.date(2026, 3, 9), rules.FULL_TRANSFER),
        ("female", dt.date(1986, 3, 10), dt.date(2026, 3, 10), rules.TEMPORARY_ACCOUNT),
        # Born on 29 February: the birthday in a common year is 1 March.
        ("female", dt.date(1984, 2, 29), dt.date(2024, 2, 28), rules.FULL_TRANSFER),
        ("female", dt.date(1984, 2, 29), dt.date(2024, 2, 29), rules.TEMPORARY_ACCOUNT),
        ("male", dt.date(1976, 2, 29), dt.date(2026, 2, 28), rules.FULL_TRANSFER),
        ("male", dt.date(1976, 2, 29), dt.date(2026, 3, 1), rules.TEMPORARY_ACCOUNT),
    ],
)
def test_age_on_the_application_date(gender, birth, applied, code):
    assert outcome(gender=gender, birth=birth, applied=applied).code == code


def test_the_reason_names_the_age_and_the_limit():
    result = outcome(gender="female", birth=dt.date(1980, 1, 1), applied=dt.date(2026, 3, 10))
    assert result.code == rules.TEMPORARY_ACCOUNT
    assert "Aged 46" in result.reason and "limit 40" in result.reason
    assert "temporary contribution account" in result.reason


def test_a_return_to_the_hukou_province_is_exempt():
    result = outcome(birth=dt.date(1960, 1, 1), destination="42", hukou="42")
    assert result.code == rules.FULL_TRANSFER
    assert "hukou province" in result.reason


def test_an_approved_transfer_is_exempt():
    result = outcome(birth=dt.date(1960, 1, 1), reference="  人社调〔2026〕12号 ")
    assert result.code == rules.FULL_TRANSFER
    assert "人社调〔2026〕12号" in result.reason
    # Blank is no reference.
    assert outcome(birth=dt.date(1960, 1, 1), reference="   ").code == rules.TEMPORARY_ACCOUNT


@pytest.mark.parametrize("kind", [rules.MEDICAL, rules.UNEMPLOYMENT])
def test_the_age_rule_is_for_pensions_only(kind):
    assert outcome(kind=kind, birth=dt.date(1950, 1, 1)).code == rules.FULL_TRANSFER


def test_age_on():
    assert rules.age_on(dt.date(2000, 6, 15), dt.date(2026, 6, 14)) == 25
    assert rules.age_on(dt.date(2000, 6, 15), dt.date(2026, 6, 15)) == 26
    assert rules.age_on(dt.date(2000, 12, 31), dt.date(2001, 1, 1)) == 0
