"""Pooling areas (docs/domain.md §1): pensions per province, medical and unemployment per city unless the province says so."""

from __future__ import annotations

import pytest

from cases import rules
from tests.cases.rulehelpers import period

pytestmark = pytest.mark.usefixtures("english")
PROVINCE_MEDICAL = {"44": {rules.MEDICAL: rules.PROVINCE, rules.UNEMPLOYMENT: rules.CITY}}


@pytest.mark.parametrize(
    ("kind", "origin", "destination", "levels", "same"),
    [
        # Pensions are pooled per province: Shenzhen and Guangzhou share one area, whatever the policy rows say.
        (rules.PENSION, "440300", "440100", {}, True),
        (rules.PENSION, "440300", "440100", {"44": {rules.MEDICAL: rules.CITY}}, True),
        (rules.PENSION, "440300", "510100", {}, False),
        (rules.PENSION, "110000", "120000", {}, False),  # two municipalities, two provinces
        # Medical and unemployment: per city by default.
        (rules.MEDICAL, "440300", "440100", {}, False),
        (rules.UNEMPLOYMENT, "440300", "440100", {}, False),
        (rules.MEDICAL, "440300", "440300", {}, True),
        # ...unless the province's policy row says province-level, for that type only.
        (rules.MEDICAL, "440300", "440100", PROVINCE_MEDICAL, True),
        (rules.UNEMPLOYMENT, "440300", "440100", PROVINCE_MEDICAL, False),
        (rules.MEDICAL, "440300", "510100", PROVINCE_MEDICAL, False),
        # Another province's policy does not matter.
        (rules.MEDICAL, "510100", "511300", PROVINCE_MEDICAL, False),
    ],
)
def test_same_pooling_area(kind, origin, destination, levels, same):
    assert rules.same_pooling_area(kind, origin, destination, levels) is same
    assert rules.same_pooling_area(kind, destination, origin, levels) is same


def test_pooling_area_is_the_province_or_the_city_code():
    assert rules.pooling_area(rules.PENSION, "440300", {}) == "44"
    assert rules.pooling_area(rules.MEDICAL, "440300", {}) == "440300"
    assert rules.pooling_area(rules.MEDICAL, "440300", PROVINCE_MEDICAL) == "44"


def test_no_transfer_within_one_pooling_area():
    with pytest.raises(rules.RuleViolation) as caught:
        rules.require_transfer_needed(rules.PENSION, "440300", "440100", {})
    assert caught.value.code == "same_pooling_area"
    assert "same pooling area" in caught.value.message
    rules.require_transfer_needed(rules.MEDICAL, "440300", "440100", {})


def test_at_the_origin_means_the_origin_pooling_area():
    shenzhen = period("440300", "2020-01", "2020-12", 8000)
    guangzhou = period("440100", "2019-01", "2019-12", 7000)
    chengdu = period("510100", "2018-01", "2018-12", 6000)
    medical_shenzhen = period("440300", "2020-01", "2020-12", 8000, kind=rules.MEDICAL)
    history = [shenzhen, guangzhou, chengdu, medical_shenzhen]
    # A Guangzhou period counts when a pension case leaves Shenzhen…
    assert rules.periods_in_area(history, rules.PENSION, "44", {}) == [shenzhen, guangzhou]
    # …but not for city-pooled medical insurance.
    assert rules.periods_in_area(history, rules.MEDICAL, "440300", {}) == [medical_shenzhen]
