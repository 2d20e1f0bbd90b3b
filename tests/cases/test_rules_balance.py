"""The personal account balance with yearly credited interest (docs/domain.md §5).

B_y = B_{y-1} × (1 + r_y) + C_y × (1 + r_y × 1.083 / 2) for each complete year before the agreement's
year; the agreement year's credits move without interest; one rounding, half-up, at the very end.
"""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cases import rules
from tests.cases.rulehelpers import NATIONAL_RATES, period

pytestmark = pytest.mark.usefixtures("english")


def test_three_years_by_hand():
    # C_2023 = 1200, C_2024 = 1200, C_2025 = 600; agreement in 2025; r_2023 = 3.97 %, r_2024 = 2.62 %.
    # 2023: 0 × 1.0397 + 1200 × (1 + 0.0397 × 0.5415) = 1200 × 1.02149755 = 1225.79706
    # 2024: 1225.79706 × 1.0262 = 1257.912942972
    #       + 1200 × (1 + 0.0262 × 0.5415) = 1200 × 1.0141873 = 1217.02476
    #       = 2474.937702972
    # 2025 (agreement year): + 600 without interest = 3074.937702972 → 3074.94
    credits = {2023: Decimal(1200), 2024: Decimal(1200), 2025: Decimal(600)}
    balance, lines = rules.account_balance(credits, NATIONAL_RATES, 2025)
    assert balance == Decimal("3074.937702972")  # nothing rounded on the way
    assert [line.closing_balance for line in lines] == [
        Decimal("1225.79706"), Decimal("2474.937702972"), Decimal("3074.937702972"),
    ]
    assert [line.interest for line in lines] == [Decimal("25.79706"), Decimal("49.140642972"), Decimal(0)]
    assert [line.rate_percent for line in lines] == [Decimal("3.97"), Decimal("2.62"), None]
    assert rules.round_money(balance) == Decimal("3074.94")


def test_the_same_by_compute_figures_from_periods():
    # 2023 and 2024 at base 1250 with 100.00 credited a month (recorded), 2025-01..06 the same: the credits above.
    history = [period("440300", "2023-01", "2025-06", 1250, credit="100.00")]
    figures = rules.compute_figures(rules.PENSION, history, NATIONAL_RATES, 2025)
    assert figures.personal_account_balance == Decimal("3074.94")
    assert figures.personal_account_principal == Decimal("3000.00")


def test_years_without_credits_still_earn_interest():
    # 2022: 1000 × (1 + 0.0612 × 0.5415) = 1000 × 1.0331398 = 1033.1398
    # 2023: no credits; 1033.1398 × 1.0397 = 1074.15545006 → agreement in 2024: 1074.16
    balance, lines = rules.account_balance({2022: Decimal(1000)}, NATIONAL_RATES, 2024)
    assert balance == Decimal("1074.15545006")
    assert [line.year for line in lines] == [2022, 2023]


def test_the_agreement_years_credits_move_without_interest():
    balance, lines = rules.account_balance({2024: Decimal(1000)}, NATIONAL_RATES, 2024)
    assert balance == Decimal(1000)
    assert lines[0].interest == 0 and lines[0].rate_percent is None
    # Credits after the agreement year (a later month recorded in advance) move as they are too.
    balance, _ = rules.account_balance({2024: Decimal(1000), 2025: Decimal(10)}, NATIONAL_RATES, 2024)
    assert balance == Decimal(1010)


def test_rounding_is_half_up_once_at_the_end():
    # 1000 × (1 + 0.03 × 0.5415) = 1016.245: half-up gives 1016.25 where banker's rounding would give 1016.24.
    balance, _ = rules.account_balance({2024: Decimal(1000)}, {2024: Decimal(3)}, 2025)
    assert balance == Decimal("1016.245")
    assert balance.quantize(Decimal("0.01"), rounding=ROUND_HALF_EVEN) == Decimal("1016.24")
    assert rules.round_money(balance) == Decimal("1016.25")


def test_a_missing_rate_refuses_naming_the_year():
    with pytest.raises(rules.RuleViolation) as caught:
        rules.account_balance({2015: Decimal(100), 2020: Decimal(100)}, NATIONAL_RATES, 2026)
    assert caught.value.code == "missing_credit_rate"
    # 2015 is the first of the missing years (2015 and 2025): the message names it.
    assert "2015" in caught.value.message
    assert rules.missing_rates({2015: Decimal(1)}, NATIONAL_RATES, 2026) == (2015, 2025)
    with pytest.raises(rules.RuleViolation) as caught:
        rules.account_balance({2024: Decimal(100)}, NATIONAL_RATES, 2026)
    assert "2025" in caught.value.message


def test_no_credits_no_balance_and_no_rate_needed():
    assert rules.account_balance({}, {}, 2026) == (Decimal(0), [])


@given(
    st.dictionaries(
        st.integers(min_value=2016, max_value=2026),
        st.decimals(min_value=0, max_value=100000, places=2, allow_nan=False, allow_infinity=False),
        max_size=11,
    ),
    st.dictionaries(
        st.integers(min_value=2016, max_value=2026),
        st.decimals(min_value=0, max_value=20, places=4, allow_nan=False, allow_infinity=False),
        min_size=11, max_size=11,
    ),
    st.integers(min_value=2016, max_value=2027),
)
def test_the_balance_is_at_least_the_principal_when_rates_are_not_negative(credits, rates, until):
    balance, lines = rules.account_balance(credits, rates, until)
    assert balance >= sum(credits.values(), Decimal(0))
    if lines:
        assert lines[-1].closing_balance == balance


@given(st.decimals(min_value=0, max_value=100000, places=2, allow_nan=False, allow_infinity=False))
def test_zero_rates_give_the_principal(credit):
    rates = {year: Decimal(0) for year in range(2016, 2026)}
    balance, _ = rules.account_balance({2016: credit, 2020: credit}, rates, 2026)
    assert balance == 2 * credit
