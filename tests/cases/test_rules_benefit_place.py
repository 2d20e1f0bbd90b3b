"""Benefit-receipt place (66号 Art. 6), all four branches."""

from __future__ import annotations

import pytest

from cases import rules
from tests.cases.rulehelpers import period


def place(hukou, *history):
    return rules.benefit_receipt_province(hukou_province=hukou, pension_periods=list(history))


def test_the_hukou_province_when_the_relationship_is_there():
    result = place("51", period("440300", "2010-01", "2019-12", 8000), period("510100", "2020-01", "2021-12", 8000))
    assert result == rules.BenefitPlace("51", "hukou")


def test_where_the_relationship_is_with_ten_years_there():
    # 120 months in Guangdong (two cities of one province add up), the relationship is there now.
    result = place("51", period("440100", "2010-01", "2014-12", 6000), period("440300", "2015-01", "2019-12", 8000))
    assert result == rules.BenefitPlace("44", "current_ten_years")


def test_ten_years_means_120_distinct_months():
    # 119 months, and overlapping months of two cities count once.
    result = place("51", period("440100", "2010-01", "2014-12", 6000), period("440300", "2014-12", "2019-11", 8000))
    assert result.reason != "current_ten_years"
    assert result == rules.BenefitPlace("51", "hukou_fallback")


def test_else_the_last_earlier_place_with_ten_years():
    result = place(
        "51",
        period("420100", "1995-01", "2004-12", 3000),  # Hubei: 10 years
        period("330100", "2005-01", "2014-12", 5000),  # Zhejiang: 10 years, later
        period("440300", "2015-01", "2020-12", 8000),  # Guangdong now: 6 years
    )
    assert result == rules.BenefitPlace("33", "earlier_ten_years")


def test_else_the_hukou_province():
    result = place("51", period("420100", "2000-01", "2004-12", 3000), period("440300", "2015-01", "2020-12", 8000))
    assert result == rules.BenefitPlace("51", "hukou_fallback")


def test_no_history_is_the_hukou_province():
    assert place("51") == rules.BenefitPlace("51", "no_history")


def test_arrears_do_not_make_the_relationship():
    # The last period is unpaid: the relationship is where the last paid months are.
    result = place("44", period("440300", "2010-01", "2019-12", 8000), period("510100", "2020-01", "2020-06", 8000, paid=False))
    assert result == rules.BenefitPlace("44", "hukou")


@pytest.mark.parametrize("hukou", ["44", "51"])
def test_a_worker_always_has_a_place(hukou):
    assert place(hukou, period("330100", "2020-01", "2020-01", 1)).province_code in {hukou, "33"}


@pytest.mark.parametrize("reason", rules.BENEFIT_REASONS)
def test_every_benefit_reason_explains_itself(reason):
    assert rules.BenefitPlace("44", reason).explanation
