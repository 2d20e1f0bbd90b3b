"""Regional conditions and arrears (docs/domain.md §6): base floor and ceiling, minimum months, unpaid months."""

from __future__ import annotations

from decimal import Decimal

import pytest

from cases import rules
from tests.cases.rulehelpers import period

pytestmark = pytest.mark.usefixtures("english")


def test_arrears_block_the_agreement_naming_the_months():
    history = [
        period("440300", "2020-01", "2025-06", 8000),
        period("440300", "2025-10", "2025-10", 8000, paid=False),
        period("440100", "2025-07", "2025-09", 8000, paid=False),
    ]
    assert [(a.city_code, a.first_month, a.last_month) for a in rules.arrears(history)] == [
        ("440100", rules.month_index(2025, 7), rules.month_index(2025, 9)),
        ("440300", rules.month_index(2025, 10), rules.month_index(2025, 10)),
    ]
    with pytest.raises(rules.RuleViolation) as caught:
        rules.require_no_arrears(history)
    assert caught.value.code == "arrears"
    assert "2025-07–2025-09, 2025-10–2025-10" in caught.value.message


def test_no_arrears_no_block():
    rules.require_no_arrears([period("440300", "2020-01", "2025-06", 8000)])
    assert rules.arrears([]) == []


BOUNDS = {
    2023: rules.BaseBounds(floor=Decimal("3500.00"), ceiling=Decimal("20000.00")),
    2024: rules.BaseBounds(floor=Decimal("2800.00")),
}


def test_a_base_below_the_floor_names_the_year():
    errors = rules.base_bound_errors(period("440300", "2023-07", "2024-06", "3000.00"), BOUNDS)
    assert errors == ["2023: the base is below the floor of 3500.00."]


def test_a_base_above_the_ceiling_names_the_year():
    errors = rules.base_bound_errors(period("440300", "2023-01", "2023-12", "20000.01"), BOUNDS)
    assert errors == ["2023: the base is above the ceiling of 20000.00."]


@pytest.mark.parametrize("base", ["3500.00", "20000.00", "10000"])
def test_bases_within_the_bounds_pass(base):
    assert rules.base_bound_errors(period("440300", "2023-01", "2023-12", base), BOUNDS) == []


def test_years_without_bounds_are_not_checked():
    assert rules.base_bound_errors(period("440300", "2020-01", "2022-12", "1.00"), BOUNDS) == []
    assert rules.base_bound_errors(period("440300", "2024-01", "2024-12", "999999"), BOUNDS) == []


def test_minimum_months_at_the_destination():
    rules.require_minimum_months(6, 6)
    rules.require_minimum_months(7, 6)
    rules.require_minimum_months(0, 0)
    with pytest.raises(rules.RuleViolation) as caught:
        rules.require_minimum_months(5, 6)
    assert caught.value.code == "minimum_months"
    assert "requires 6 months" in caught.value.message and "5 recorded" in caught.value.message


def test_a_destination_without_medical_accounts_for_non_hukou_workers_pays_the_balance_out():
    from cases.rules import medical_account_note

    assert medical_account_note(destination_province="51", hukou_province="42", nonhukou_account=False)
    assert medical_account_note(destination_province="51", hukou_province="51", nonhukou_account=False) == ""
    assert medical_account_note(destination_province="51", hukou_province="42", nonhukou_account=True) == ""


@pytest.mark.parametrize(("kind", "side", "days"), [
    # 66号 Art. 8: 15 working days for each agency's step; 医保办发〔2021〕43号: medical 10 out, 5 in.
    (rules.PENSION, "origin", 15), (rules.PENSION, "destination", 15),
    (rules.UNEMPLOYMENT, "origin", 15), (rules.UNEMPLOYMENT, "destination", 15),
    (rules.MEDICAL, "origin", 10), (rules.MEDICAL, "destination", 5),
])
def test_each_step_has_its_working_days(kind, side, days):
    assert rules.step_working_days(kind, side) == days
