"""Regional conditions and arrears (docs/domain.md §6): base floor and ceiling, minimum months, unpaid months."""

from __future__ import annotations

from decimal import Decimal

import pytest

from cases import rules
from tests.cases.rulehelpers import facts, period

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
    blockers = rules.assess(facts(*history)).blockers
    assert [b.code for b in blockers] == ["arrears"]
    assert "(2025-07–2025-09, 2025-10)" in blockers[0].text


def test_no_arrears_no_block():
    assert rules.assess(facts(period("440300", "2020-01", "2025-06", 8000))).blockers == ()
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


@pytest.mark.parametrize(("months_there", "met"), [(5, False), (6, True), (7, True)])
def test_minimum_months_at_the_destination_are_reported_never_blocking(months_there, met):
    history = [period("440300", "2016-01", "2024-06", 8000), period("510100", "2025-01", f"2025-{months_there:02d}", 5000)]
    assessment = rules.assess(facts(*history, destination_minimum_months=6))
    assert assessment.minimum_months == rules.MinimumMonths(required=6, recorded=months_there)
    assert assessment.minimum_months.met is met
    assert assessment.blockers == ()
    reported = [m for m in assessment.messages if "requires 6 months" in m]
    assert bool(reported) is not met
    if reported:
        assert f"{months_there} recorded" in reported[0]


def test_a_destination_without_medical_accounts_for_non_hukou_workers_pays_the_balance_out():
    # 12 months × 150.00 recorded = 1800.00: paid to the worker, so nothing of it moves.
    history = [period("440300", "2024-01", "2024-12", 8000, kind=rules.MEDICAL, credit="150.00")]
    elsewhere = rules.assess(facts(*history, insurance_type=rules.MEDICAL, hukou_province="42",
                                   destination_nonhukou_medical_account=False))
    assert elsewhere.figures.personal_account_balance == Decimal("1800.00")
    assert elsewhere.transfer == rules.Transfer(Decimal("0.00"), Decimal("0.00"))
    assert any("paid to the worker" in m for m in elsewhere.messages)
    at_home = rules.assess(facts(*history, insurance_type=rules.MEDICAL, destination_nonhukou_medical_account=False))
    assert at_home.transfer.total == Decimal("1800.00")
    with_account = rules.assess(facts(*history, insurance_type=rules.MEDICAL, hukou_province="42"))
    assert with_account.transfer.total == Decimal("1800.00") and with_account.notes == ()


@pytest.mark.parametrize(("kind", "side", "days"), [
    # 66号 Art. 8: 15 working days for each agency's step; 医保办发〔2021〕43号: medical 10 out, 5 in.
    (rules.PENSION, "origin", 15), (rules.PENSION, "destination", 15),
    (rules.UNEMPLOYMENT, "origin", 15), (rules.UNEMPLOYMENT, "destination", 15),
    (rules.MEDICAL, "origin", 10), (rules.MEDICAL, "destination", 5),
])
def test_each_step_has_its_working_days(kind, side, days):
    assert rules.step_working_days(kind, side) == days
