"""Duplicate contributions (人社部发〔2009〕187号): months paid in two pooling areas, and the refund."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cases import rules
from tests.cases.rulehelpers import NATIONAL_RATES, m, period

pytestmark = pytest.mark.usefixtures("english")


def test_an_overlap_across_pooling_areas_is_a_duplicate():
    history = [period("440300", "2016-01", "2019-12", 8000), period("510100", "2019-07", "2020-06", 5000)]
    found = rules.find_duplicates(history, rules.PENSION, {}, origin_area="44")
    assert found == [rules.Duplicate("440300", "510100", m("2019-07"), m("2019-12"))]
    assert found[0].month_count == 6


def test_the_origin_side_comes_first():
    history = [period("440300", "2016-01", "2019-12", 8000), period("510100", "2019-07", "2020-06", 5000)]
    found = rules.find_duplicates(history, rules.PENSION, {}, origin_area="51")
    assert found == [rules.Duplicate("510100", "440300", m("2019-07"), m("2019-12"))]


def test_no_duplicate_within_one_pooling_area():
    # Shenzhen and Guangzhou share the pension pooling area: no duplicate.
    history = [period("440300", "2016-01", "2019-12", 8000), period("440100", "2019-07", "2020-06", 5000)]
    assert rules.find_duplicates(history, rules.PENSION, {}, origin_area="44") == []
    # For city-pooled medical insurance they are two areas…
    medical = [period(p.city_code, "2016-01", "2019-12", 8000, kind=rules.MEDICAL) for p in history]
    assert len(rules.find_duplicates(medical, rules.MEDICAL, {}, origin_area="440300")) == 1
    # …unless the province pools medical insurance itself.
    levels = {"44": {rules.MEDICAL: rules.PROVINCE}}
    assert rules.find_duplicates(medical, rules.MEDICAL, levels, origin_area="44") == []


def test_arrears_other_types_and_adjacent_months_are_not_duplicates():
    history = [
        period("440300", "2016-01", "2019-12", 8000),
        period("510100", "2020-01", "2020-06", 5000),  # adjacent, no overlap
        period("420100", "2018-01", "2018-12", 5000, paid=False),  # unpaid
        period("330100", "2018-01", "2018-12", 5000, kind=rules.MEDICAL),  # another type
    ]
    assert rules.find_duplicates(history, rules.PENSION, {}, origin_area="44") == []


def test_several_duplicates_are_sorted_by_month():
    history = [
        period("440300", "2016-01", "2019-12", 8000),
        period("510100", "2019-07", "2019-09", 5000),
        period("420100", "2017-03", "2017-04", 5000),
    ]
    found = rules.find_duplicates(history, rules.PENSION, {}, origin_area="44")
    assert [(d.first_city, d.second_city, d.first_month) for d in found] == [
        ("440300", "420100", m("2017-03")), ("440300", "510100", m("2019-07")),
    ]


def test_the_refund_is_the_released_credits_for_those_months_with_interest():
    # Chengdu released for 2019-07..2019-12 at base 5000: 6 × 400 = 2400 credited in 2019.
    # Refund in 2020: 2400 × (1 + 0.0761 × 0.5415) = 2400 × 1.04120815 = 2498.89956 → 2498.90
    released = [period("510100", "2019-07", "2020-06", 5000)]
    assert rules.duplicate_refund(released, m("2019-07"), m("2019-12"), NATIONAL_RATES, 2020) == Decimal("2498.90")
    # Refunded within 2019 itself: the credits without interest.
    assert rules.duplicate_refund(released, m("2019-07"), m("2019-12"), NATIONAL_RATES, 2019) == Decimal("2400.00")
    # The pooled part stays where it was paid: only credits are refunded, and only for the duplicated months.
    assert rules.duplicate_refund(released, m("2019-07"), m("2019-07"), NATIONAL_RATES, 2019) == Decimal("400.00")


def test_a_medical_refund_is_the_recorded_credits_without_interest_or_rates():
    # Six months at 176.00 recorded: 1056.00, whatever the year and with no credited rate at all.
    released = [period("510100", "2019-07", "2020-06", 5000, kind=rules.MEDICAL, credit="176.00")]
    assert rules.duplicate_refund(released, m("2019-07"), m("2019-12"), {}, 2026) == Decimal("1056.00")
    # Months without a recorded amount refund nothing: no pension share stands in for them.
    unrecorded = [period("510100", "2019-07", "2020-06", 5000, kind=rules.MEDICAL)]
    assert rules.duplicate_refund(unrecorded, m("2019-07"), m("2019-12"), {}, 2026) == Decimal("0.00")


def test_the_refund_needs_the_rates():
    released = [period("510100", "2019-07", "2020-06", 5000)]
    with pytest.raises(rules.RuleViolation) as caught:
        rules.duplicate_refund(released, m("2019-07"), m("2019-12"), NATIONAL_RATES, 2026)
    assert "2025" in caught.value.message


@given(
    st.lists(
        st.tuples(st.sampled_from(["440300", "440100", "510100", "420100"]), st.integers(0, 36), st.integers(0, 24)),
        max_size=5,
    ),
    st.sampled_from(["44", "51", "42"]),
)
def test_duplicates_are_months_paid_in_two_areas(rows, origin_area):
    history = [
        rules.Period(rules.PENSION, city, rules.month_index(2018, 1) + first, rules.month_index(2018, 1) + first + length,
                     Decimal(1000))
        for city, first, length in rows
    ]
    found = rules.find_duplicates(history, rules.PENSION, {}, origin_area=origin_area)
    paid_in: dict[int, set[str]] = {}
    for p in history:
        for month in p.months():
            paid_in.setdefault(month, set()).add(p.province_code)
    duplicated = {month for d in found for month in range(d.first_month, d.last_month + 1)}
    assert duplicated == {month for month, areas in paid_in.items() if len(areas) > 1}
    for d in found:
        assert d.first_city[:2] != d.second_city[:2]
        if origin_area in (d.first_city[:2], d.second_city[:2]):
            assert d.first_city[:2] == origin_area


def every_pair(periods, insurance_type, levels, origin_area):
    """The definition, pair by pair: the oracle for the sweep that find_duplicates runs."""
    relevant = [p for p in periods if p.insurance_type == insurance_type and p.paid]
    found = set()
    for i, a in enumerate(relevant):
        for b in relevant[i + 1:]:
            if rules.pooling_area(insurance_type, a.city_code, levels) == rules.pooling_area(insurance_type, b.city_code, levels):
                continue
            first, last = max(a.first_month, b.first_month), min(a.last_month, b.last_month)
            if first > last:
                continue
            one, other = sorted((a.city_code, b.city_code))
            if rules.pooling_area(insurance_type, other, levels) == origin_area:
                one, other = other, one
            found.add(rules.Duplicate(one, other, first, last))
    return sorted(found, key=lambda d: (d.first_month, d.first_city, d.second_city, d.last_month))


@given(
    rows=st.lists(st.tuples(
        st.sampled_from(["440300", "440100", "510100", "330100"]), st.integers(0, 40), st.integers(0, 18),
        st.sampled_from([rules.PENSION, rules.MEDICAL]), st.booleans(),
    ), max_size=14),
    insurance_type=st.sampled_from([rules.PENSION, rules.MEDICAL]),
    origin_area=st.sampled_from(["44", "440300", "51"]),
)
def test_the_sweep_finds_what_every_pair_finds(rows, insurance_type, origin_area):
    start = rules.month_index(2015, 1)
    history = [
        rules.Period(kind, city, start + first, start + first + length, Decimal(5000), paid=paid)
        for city, first, length, kind, paid in rows
    ]
    levels = {"44": {rules.MEDICAL: "province"}}
    assert rules.find_duplicates(history, insurance_type, levels, origin_area) == every_pair(
        history, insurance_type, levels, origin_area
    )


def test_two_spans_of_one_pair_that_start_together_are_listed_shortest_first_whatever_the_input_order():
    start = rules.month_index(2020, 1)
    long_span = rules.Period(rules.PENSION, "440300", start, start + 8, Decimal(5000))
    short_span = rules.Period(rules.PENSION, "440300", start, start + 3, Decimal(5000))
    other = rules.Period(rules.PENSION, "510100", start, start + 10, Decimal(5000))
    expected = [
        rules.Duplicate("440300", "510100", start, start + 3), rules.Duplicate("440300", "510100", start, start + 8),
    ]
    for history in ([long_span, short_span, other], [short_span, long_span, other], [other, long_span, short_span]):
        assert rules.find_duplicates(history, rules.PENSION, {}, "44") == expected
