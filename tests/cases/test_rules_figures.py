"""Figures that move (docs/domain.md §5): contribution months, pooled fund, personal account credits and principal."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cases import rules
from tests.cases.rulehelpers import NATIONAL_RATES, facts, m, period

pytestmark = pytest.mark.usefixtures("english")


# --- contribution months --------------------------------------------------------------------


def test_contribution_months_are_distinct_paid_months():
    history = [
        period("440300", "2020-01", "2020-12", 8000),  # 12
        period("440100", "2020-07", "2021-06", 7000),  # 12, of which 6 overlap Shenzhen: +6
        period("440300", "2022-01", "2022-03", 8000, paid=False),  # arrears do not count
    ]
    assert rules.contribution_months(history) == 18
    assert rules.contribution_months([]) == 0


def test_a_single_month_period_counts_one():
    assert rules.contribution_months([period("440300", "2020-02", "2020-02", 8000)]) == 1


def test_year_totals_split_paid_months_and_arrears_by_calendar_year():
    history = [
        period("440300", "2019-11", "2020-02", "8000.50"),  # 2 months in 2019, 2 in 2020
        period("440100", "2020-02", "2020-03", 7000),  # the same month in two cities counts in both totals
        period("440300", "2021-05", "2021-07", 8000, paid=False),
    ]
    assert [(t.year, t.months, t.base_total, t.unpaid_months) for t in rules.year_totals(history)] == [
        (2019, 2, Decimal("16001.00"), 0),
        (2020, 4, Decimal("30001.00"), 0),
        (2021, 0, Decimal(0), 3),
    ]
    assert rules.year_totals([]) == []


# --- pooled fund ----------------------------------------------------------------------------


def test_pooled_fund_worked_example():
    # 24 × 6000 = 144000; 60 × 8000 = 480000; 54 × 10000 = 540000 → 1164000 × 12% = 139680.00
    history = [
        period("440300", "2013-01", "2014-12", 6000),
        period("440300", "2015-01", "2019-12", 8000),
        period("440300", "2020-01", "2024-06", 10000),
    ]
    assert rules.pooled_fund(history) == Decimal("139680.00")
    figures = rules.compute_figures(rules.PENSION, history, {y: Decimal(1) for y in range(2013, 2026)}, 2026)
    assert figures.pooled_fund_amount == Decimal("139680.00")
    assert figures.contribution_months == 138


def test_pooled_fund_counts_months_from_1998_01_only():
    # 1997-07..1998-06 at 1000: only 1998-01..1998-06 count, 6 × 1000 × 12% = 720.00
    assert rules.pooled_fund([period("440300", "1997-07", "1998-06", 1000)]) == Decimal("720.00")
    assert rules.pooled_fund([period("440300", "1995-01", "1997-12", 1000)]) == Decimal("0.00")
    assert rules.pooled_fund([period("440300", "1998-01", "1998-01", 1000)]) == Decimal("120.00")


def test_pooled_fund_ignores_arrears():
    history = [period("440300", "2020-01", "2020-12", 5000), period("440300", "2021-01", "2021-12", 5000, paid=False)]
    assert rules.pooled_fund(history) == Decimal("7200.00")  # 12 × 5000 × 12%


def test_pooled_fund_keeps_full_precision_until_the_end():
    # 7 months at 0.07: rounding each month (0.0084 → 0.01) would give 0.07; once at the end, 0.49 × 12% = 0.0588 → 0.06.
    assert rules.pooled_fund([period("440300", "2020-01", "2020-07", "0.07")]) == Decimal("0.06")
    # 3 × 1234.57 = 3703.71; × 12% = 444.4452 → 444.45
    assert rules.pooled_fund([period("440300", "2020-01", "2020-03", "1234.57")]) == Decimal("444.45")


# --- personal account credits ---------------------------------------------------------------


def test_credit_is_11_percent_before_2006_and_8_percent_from_2006():
    p = period("440300", "2005-07", "2006-06", 1000)
    assert p.credit_for(m("2005-12")) == Decimal("110.00")
    assert p.credit_for(m("2006-01")) == Decimal("80.00")
    # 6 × 110 + 6 × 80 = 1140.00
    assert rules.personal_account_principal([p]) == Decimal("1140.00")
    assert rules.credits_by_year([p]) == {2005: Decimal("660.00"), 2006: Decimal("480.00")}


def test_the_recorded_credit_wins():
    p = period("440300", "2005-07", "2006-06", 1000, credit="95.50")
    assert p.credit_for(m("2005-12")) == p.credit_for(m("2006-01")) == Decimal("95.50")
    assert rules.personal_account_principal([p]) == Decimal("1146.00")  # 12 × 95.50
    # A recorded zero is a recorded amount, not a missing one.
    assert rules.personal_account_principal([period("440300", "2020-01", "2020-12", 1000, credit="0")]) == Decimal("0.00")


def test_principal_is_rounded_once_half_up():
    # 1.50 × 11% = 0.165 per month: one month rounds half-up to 0.17; two months are 0.33, not 2 × 0.17.
    assert rules.personal_account_principal([period("440300", "2005-01", "2005-01", "1.50")]) == Decimal("0.17")
    assert rules.personal_account_principal([period("440300", "2005-01", "2005-02", "1.50")]) == Decimal("0.33")


def test_principal_ignores_arrears():
    history = [period("440300", "2020-01", "2020-12", 5000), period("440300", "2021-01", "2021-12", 5000, paid=False)]
    assert rules.personal_account_principal(history) == Decimal("4800.00")  # 12 × 400


# --- compute_figures per insurance type ------------------------------------------------------


def test_unemployment_moves_months_only():
    figures = rules.compute_figures(rules.UNEMPLOYMENT, [period("440300", "2020-01", "2020-12", 5000)], {}, 2026)
    assert figures.as_dict() == {
        "contribution_months": 12, "pooled_fund_amount": None, "personal_account_principal": None,
        "personal_account_balance": None,
    }


def test_medical_moves_the_recorded_balance_without_interest():
    history = [period("440300", "2020-01", "2021-12", 6000, kind=rules.MEDICAL, credit="180.00")]
    figures = rules.compute_figures(rules.MEDICAL, history, {}, 2026)
    assert figures.contribution_months == 24
    assert figures.pooled_fund_amount is None
    assert figures.personal_account_principal == figures.personal_account_balance == Decimal("4320.00")


def test_medical_moves_only_what_was_recorded():
    # The pension shares (11% / 8% of the base) are no medical personal account: a period without a recorded
    # amount adds months but no balance.
    history = [
        period("440300", "2020-01", "2020-12", 6000, kind=rules.MEDICAL),
        period("440300", "2021-01", "2021-06", 6000, kind=rules.MEDICAL, credit="150.50"),
        period("440300", "2021-07", "2021-09", 6000, kind=rules.MEDICAL, credit="150.50", paid=False),
    ]
    figures = rules.compute_figures(rules.MEDICAL, history, {}, 2026)
    assert figures.contribution_months == 18
    assert figures.personal_account_principal == figures.personal_account_balance == Decimal("903.00")  # 6 × 150.50


def test_pension_figures_with_year_lines():
    # 2024: 12 × 10000 × 8% = 9600 credits at 2.62%; 2025 (agreement year): 6 × 800 = 4800 without interest.
    history = [period("440300", "2024-01", "2025-06", 10000)]
    figures = rules.compute_figures(rules.PENSION, history, NATIONAL_RATES, 2025)
    # 9600 × (1 + 0.0262 × 1.083 / 2) = 9600 × 1.0141873 = 9736.19808; + 4800 = 14536.19808 → 14536.20
    assert figures.personal_account_balance == Decimal("14536.20")
    assert figures.personal_account_principal == Decimal("14400.00")
    assert figures.pooled_fund_amount == Decimal("21600.00")  # 18 × 10000 × 12%
    assert figures.contribution_months == 18
    assert [(y.year, y.months, y.base_total, y.credits, y.rate_percent, y.interest, y.closing_balance)
            for y in figures.years] == [
        (2024, 12, Decimal("120000.00"), Decimal("9600.00"), Decimal("2.62"), Decimal("136.20"), Decimal("9736.20")),
        (2025, 6, Decimal("60000.00"), Decimal("4800.00"), None, Decimal("0.00"), Decimal("14536.20")),
    ]
    assert figures.missing_rate_years == ()


def test_pension_figures_with_a_missing_rate_quote_no_balance():
    history = [period("440300", "2024-01", "2025-06", 10000)]
    figures = rules.compute_figures(rules.PENSION, history, NATIONAL_RATES, 2026)  # 2025 has no rate
    assert figures.personal_account_balance is None
    assert figures.missing_rate_years == (2025,)
    assert figures.pooled_fund_amount == Decimal("21600.00")
    blockers = rules.assess(facts(*history, rates=tuple(
        rules.RateRow(year, "", rate) for year, rate in NATIONAL_RATES.items()
    ))).blockers
    assert [b.code for b in blockers] == ["missing_credit_rate"]
    assert "2025 in 广东省" in blockers[0].text


# --- invariants -----------------------------------------------------------------------------

money = st.decimals(min_value=0, max_value=100000, places=2, allow_nan=False, allow_infinity=False)


@st.composite
def periods(draw) -> list[rules.Period]:
    result = []
    for _ in range(draw(st.integers(min_value=0, max_value=5))):
        first = draw(st.integers(min_value=rules.month_index(1990, 1), max_value=rules.month_index(2025, 12)))
        length = draw(st.integers(min_value=1, max_value=60))
        result.append(rules.Period(
            insurance_type=rules.PENSION,
            city_code=draw(st.sampled_from(["440300", "440100"])),
            first_month=first, last_month=first + length - 1,
            monthly_base=draw(money),
            credit=draw(st.none() | money),
            paid=draw(st.booleans()),
        ))
    return result


@given(periods())
def test_pooled_fund_is_12_percent_of_the_bases_from_1998(history):
    expected = sum(
        (p.monthly_base for p in history if p.paid for month in p.months() if month >= rules.month_index(1998, 1)),
        Decimal(0),
    ) * Decimal("0.12")
    assert rules.pooled_fund(history) == expected.quantize(Decimal("0.01"), rounding="ROUND_HALF_UP")
    assert rules.pooled_fund(history) >= 0


@given(periods())
def test_contribution_months_never_exceed_the_sum_of_period_lengths(history):
    months = rules.contribution_months(history)
    assert months <= sum(p.month_count for p in history if p.paid)
    assert months == len({month for p in history if p.paid for month in p.months()})


@given(periods())
def test_principal_is_the_sum_of_monthly_credits(history):
    expected = sum((p.credit_for(month) for p in history if p.paid for month in p.months()), Decimal(0))
    assert rules.personal_account_principal(history) == expected.quantize(Decimal("0.01"), rounding="ROUND_HALF_UP")
