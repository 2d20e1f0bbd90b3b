"""rules.assess: one value from the case's facts, and its codec (docs/domain.md §5, §6).

Every expected number is worked out by hand in the comment beside it, not by the code under test.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cases import rules
from tests.cases.rulehelpers import facts, m, period

pytestmark = pytest.mark.usefixtures("english")
JUNE_2024 = dt.date(2024, 6, 20)


def test_the_worked_example_of_docs_domain():
    # Shenzhen 2022-01..2024-05 at 5,000.00, agreement in June 2024 (docs/domain.md §5 "Worked example").
    assessment = rules.assess(facts(period("440300", "2022-01", "2024-05", "5000.00"), as_of=JUNE_2024))
    figures = assessment.figures
    assert figures.contribution_months == 29  # 12 + 12 + 5
    assert figures.pooled_fund_amount == Decimal("17400.00")  # 12 % × 29 × 5,000
    assert figures.personal_account_principal == Decimal("11600.00")  # 4,800 + 4,800 + 2,000
    # 4,800 × 1.0331398 = 4,959.07104; × 1.0397 + 4,800 × 1.02149755 = 10,059.1344; + 2,000 → 12,059.13
    assert figures.personal_account_balance == Decimal("12059.13")
    assert assessment.transfer == rules.Transfer(Decimal("17400.00"), Decimal("12059.13"))
    assert assessment.transfer.total == Decimal("29459.13")
    assert [(y.year, y.credits, y.closing_balance) for y in figures.years] == [
        (2022, Decimal("4800.00"), Decimal("4959.07")),
        (2023, Decimal("4800.00"), Decimal("10059.13")),
        (2024, Decimal("2000.00"), Decimal("12059.13")),
    ]
    assert [(r.year, r.province_code, r.percent) for r in assessment.rates] == [
        (2022, "", Decimal("6.12")), (2023, "", Decimal("3.97")),
    ]
    assert assessment.outcome == rules.FULL_TRANSFER
    assert assessment.blockers == ()


def test_a_temporary_account_moves_nothing_and_says_the_record_stays():
    # Born 1970, hukou in Hubei, moving from Shenzhen to Chengdu at 56: the age rule (66号 Art. 5).
    history = [period("440300", "2016-01", "2024-06", "8000")]
    assessment = rules.assess(facts(
        *history, outcome=rules.TEMPORARY_ACCOUNT, hukou_province="42", birth_date=dt.date(1970, 1, 20),
    ))
    assert assessment.transfer == rules.Transfer(Decimal("0.00"), Decimal("0.00"))
    assert assessment.transfer.total == Decimal("0.00")
    assert assessment.moves_nothing
    assert "Aged 56" in assessment.outcome_reason.text
    assert any("stay at the origin" in message for message in assessment.messages)
    # The record that stays is still reported: 102 months, 12 % × 102 × 8,000 = 97,920.00.
    assert assessment.figures.pooled_fund_amount == Decimal("97920.00")
    # Nothing moves, so a missing rate blocks nothing.
    no_rates = rules.assess(facts(*history, outcome=rules.TEMPORARY_ACCOUNT, hukou_province="42",
                                  birth_date=dt.date(1970, 1, 20), rates=()))
    assert no_rates.blockers == ()


def test_months_before_1998_move_only_recorded_contributions():
    # 1996-01..1998-12 at 1,000.00 and nothing recorded: 36 months; the pooled fund counts 1998 only,
    # 12 × 1,000 × 12 % = 1,440.00; the account gets 1998's 12 × 110.00 (11 % before 2006) = 1,320.00.
    unrecorded = rules.assess(facts(period("440300", "1996-01", "1998-12", "1000.00"), as_of=dt.date(1999, 3, 1),
                                    rates=(rules.RateRow(1998, "44", Decimal("5.00")),)))
    assert unrecorded.figures.contribution_months == 36
    assert unrecorded.figures.pooled_fund_amount == Decimal("1440.00")
    assert unrecorded.figures.personal_account_principal == Decimal("1320.00")
    # 1,320 × (1 + 0.05 × 0.5415) = 1,320 × 1.027075 = 1,355.739 → 1,355.74
    assert unrecorded.transfer.personal_account == Decimal("1355.74")
    assert any("24 months before 1998-01" in m and "0 of those months" in m for m in unrecorded.messages)
    # 36 months with 50.00 recorded each: 36 × 50 = 1,800.00 principal, and 1996 and 1997 need Guangdong's rates.
    recorded_history = [period("440300", "1996-01", "1998-12", "1000.00", credit="50.00")]
    blocked = rules.assess(facts(*recorded_history, as_of=dt.date(1999, 3, 1),
                                 rates=(rules.RateRow(1998, "44", Decimal("5.00")),)))
    assert blocked.figures.personal_account_principal == Decimal("1800.00")
    assert [b.text for b in blocked.blockers] == [
        "The credited interest rate for 1996 in 广东省 is missing; an administrator must enter it."
    ]
    assert any("24 months before 1998-01" in m and "24 of those months" in m for m in blocked.messages)


def test_provincial_rates_before_2016_with_the_national_row_as_fallback():
    # 2015 at 5,000.00: 12 × 400.00 = 4,800.00 credited, agreement in 2016.
    history = [period("440300", "2015-01", "2015-12", "5000.00")]
    guangdong = rules.RateRow(2015, "44", Decimal("4.00"))
    national = rules.RateRow(2015, "", Decimal("2.00"))
    sichuan = rules.RateRow(2015, "51", Decimal("9.00"))
    as_of = dt.date(2016, 6, 1)
    # 4,800 × (1 + 0.04 × 0.5415) = 4,800 × 1.02166 = 4,903.968 → 4,903.97
    own = rules.assess(facts(*history, as_of=as_of, rates=(national, guangdong, sichuan)))
    assert own.figures.personal_account_balance == Decimal("4903.97")
    assert own.rates == (guangdong,)
    # 4,800 × (1 + 0.02 × 0.5415) = 4,800 × 1.01083 = 4,851.984 → 4,851.98
    fallback = rules.assess(facts(*history, as_of=as_of, rates=(national, sichuan)))
    assert fallback.figures.personal_account_balance == Decimal("4851.98")
    missing = rules.assess(facts(*history, as_of=as_of, rates=(sichuan,)))
    assert missing.transfer.total is None
    assert [b.code for b in missing.blockers] == ["missing_credit_rate"]
    assert "2015 in 广东省" in missing.blockers[0].text


def test_a_provinces_row_from_2016_on_is_not_used():
    rows = (rules.RateRow(2016, "", Decimal("8.31")), rules.RateRow(2016, "44", Decimal("1.00")))
    assert rules.rates_for(rows, "44")[2016].percent == Decimal("8.31")


def test_overlaps_within_the_origin_area_block_naming_the_months():
    # Shenzhen 2020-01..2020-12 and Guangzhou 2020-06..2021-03: one pooling area (the province), months twice.
    assessment = rules.assess(facts(period("440300", "2020-01", "2020-12", "8000"),
                                    period("440100", "2020-06", "2021-03", "8000")))
    assert [b.code for b in assessment.blockers] == ["overlap"]
    assert "2020-06–2020-12" in assessment.blockers[0].text
    # A month paid in another province is a duplicate across areas, not a recording error at the origin.
    across = rules.assess(facts(period("440300", "2020-01", "2020-12", "8000"),
                                period("420100", "2020-06", "2021-03", "8000")))
    assert across.blockers == ()


def test_a_place_with_only_a_temporary_account_is_never_the_benefit_place():
    # Hukou in Sichuan; ten years in Hubei (1995–2004), then twelve in Guangdong under a temporary account.
    history = [period("420100", "1995-01", "2004-12", "3000"), period("440300", "2005-01", "2016-12", "6000")]
    plain = rules.assess(facts(*history, origin_city="420100", destination_city="310000"))
    assert plain.benefit_place == rules.BenefitPlace("44", "current_ten_years")
    excluded = rules.assess(facts(*history, origin_city="420100", destination_city="310000",
                                  temporary_account_provinces=frozenset({"44"})))
    assert excluded.benefit_place == rules.BenefitPlace("42", "current_ten_years")


def test_the_codec_reads_back_what_it_wrote_and_old_versions():
    assessment = rules.assess(facts(
        period("440300", "2022-01", "2024-05", "5000.00"), period("440300", "2024-06", "2024-08", "5000.00", paid=False),
        as_of=JUNE_2024, destination_minimum_months=6,
    ))
    assert assessment.blockers and assessment.arrears and assessment.minimum_months
    data = assessment.to_json()
    assert data["version"] == rules.AssessmentCodec.VERSION == 1
    assert rules.Assessment.from_json(data) == assessment
    legacy = {
        "version": 0, "insurance_type": "pension", "outcome": "full_transfer", "as_of": "2025-03-01",
        "contribution_months": 12, "pooled_fund_amount": "1200.00", "personal_account_principal": "800.00",
        "personal_account_balance": "820.50", "years": [],
    }
    old = rules.Assessment.from_json(legacy)
    assert old.transfer.total == Decimal("2020.50")  # 1,200.00 + 820.50
    assert old.figures.contribution_months == 12
    assert rules.Assessment.from_json({**legacy, "outcome": "temporary_account"}).transfer.total == Decimal("0.00")
    with pytest.raises(ValueError):
        rules.Assessment.from_json({"version": 99})


# --- properties ---------------------------------------------------------------------------------------------------

RATES = tuple(rules.RateRow(year, "", Decimal("3.00")) for year in range(1995, 2027))


@st.composite
def histories(draw) -> list[rules.Period]:
    """Non-overlapping Guangdong pension periods from 1995, on bases in whole hundreds (credits in whole cents)."""
    result, month = [], draw(st.integers(min_value=m("1995-01"), max_value=m("2024-01")))
    for _ in range(draw(st.integers(min_value=1, max_value=4))):
        if month > m("2026-06"):
            break
        last = min(month + draw(st.integers(min_value=0, max_value=40)), m("2026-06"))
        base = Decimal(draw(st.integers(min_value=1, max_value=300)) * 100)
        city = draw(st.sampled_from(["440300", "440100"]))
        first, last_label = rules.month_label(month), rules.month_label(last)
        result.append(period(city, first, last_label, base))
        month = last + 1 + draw(st.integers(min_value=0, max_value=12))
    return result


@settings(max_examples=60, deadline=None)
@given(histories(), st.booleans())
def test_what_moves_is_zero_iff_the_outcome_is_a_temporary_account(history, temporary):
    outcome = rules.TEMPORARY_ACCOUNT if temporary else rules.FULL_TRANSFER
    assessment = rules.assess(facts(*history, outcome=outcome, rates=RATES))
    # Every base is positive: any month from 1998 on puts something in the pooled fund.
    moves_something = any(p.last_month >= m("1998-01") for p in history)
    assert (assessment.transfer.total == Decimal("0.00")) == (temporary or not moves_something)


@settings(max_examples=60, deadline=None)
@given(histories())
def test_the_per_year_credits_add_up_to_the_principal(history):
    figures = rules.assess(facts(*history, rates=RATES)).figures
    assert sum((line.credits for line in figures.years), Decimal(0)) == figures.personal_account_principal
