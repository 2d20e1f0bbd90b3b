"""issue_agreement: freezes the figures of docs/domain.md §5, numbers the agreement, and is blocked by rules."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from cases import rules
from cases.errors import RuleBlocked
from cases.models import Actor, CaseStatus
from cases.selectors import case_report
from cases.services import CODE_ALPHABET, case_open, case_transition
from regions.models import City, CreditRate
from regions.services import clerk_create, credit_rate_set
from tests.factories import (
    WorkerFactory,
    advance,
    agency,
    frozen_figures,
    latest_agreement,
    make_id_number,
    open_case,
    periods,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english", "reference_data")]
TODAY = dt.date(2026, 11, 24)  # a Tuesday


def issue(case, users, today=TODAY, who="origin_supervisor"):
    return case_transition(case=case, actor=Actor.for_user(users[who]), name="issue_agreement", today=today)


def verifying_case(users, *rows, kind="pension", worker=None, origin="440300", destination="510100",
                   clerk="origin_clerk"):
    worker = worker or WorkerFactory()
    periods(worker, *rows, insurance_type=kind)
    actor = Actor.for_user(users[clerk])
    case = case_open(actor=actor, worker=worker, insurance_type=kind, origin_agency=agency(origin),
                     destination_agency=agency(destination), today=TODAY)
    return case_transition(case=case, actor=actor, name="start_verification", today=TODAY)


def test_the_worked_example_is_frozen_on_the_agreement(users):
    case = verifying_case(users, ("440300", "2013-01", "2014-12", "6000"), ("440300", "2015-01", "2019-12", "8000"),
                          ("440300", "2020-01", "2024-06", "10000"))
    # Provincial rates before 2016 are entered by administrators; until then the agreement is blocked.
    with pytest.raises(RuleBlocked) as caught:
        issue(case, users)
    assert "2013" in caught.value.message
    for year in (2013, 2014, 2015):
        credit_rate_set(year=year, percent=Decimal("3.00"), source="test")
    case = issue(case, users)
    case.refresh_from_db()
    assert frozen_figures(case).pooled_fund_amount == Decimal("139680.00")
    assert frozen_figures(case).contribution_months == 138
    # 24 × 480 + 60 × 640 + 54 × 800 = 11520 + 38400 + 43200
    assert frozen_figures(case).personal_account_principal == Decimal("93120.00")
    assert frozen_figures(case).personal_account_balance > frozen_figures(case).personal_account_principal
    years = frozen_figures(case).years
    assert [line.year for line in years] == list(range(2013, 2026))
    assert years[0] == rules.YearLine(
        year=2013, months=12, base_total=Decimal("72000.00"), credits=Decimal("5760.00"),
        rate_percent=Decimal("3.0000"), interest=Decimal("93.57"),
        closing_balance=Decimal("5853.57"),  # 5760 × 0.03 × 0.5415 = 93.5712
    )


def test_the_balance_by_hand(users):
    # 2024: 12 × 800 = 9600 at 2.62 %: 9600 × 1.0141873 = 9736.19808
    # 2025: 6 × 800 = 4800 at 1.50 % (the tests' placeholder):
    #       9736.19808 × 1.015 = 9882.2410512; 4800 × (1 + 0.015 × 0.5415) = 4838.988 → 14721.2290512
    # Agreement in 2026 → 14721.23
    case = issue(verifying_case(users, ("440300", "2024-01", "2025-06", "10000")), users)
    assert frozen_figures(case).personal_account_balance == Decimal("14721.23")
    assert frozen_figures(case).personal_account_principal == Decimal("14400.00")
    assert frozen_figures(case).pooled_fund_amount == Decimal("21600.00")
    assert frozen_figures(case).contribution_months == 18


def test_the_agreement_is_numbered_coded_and_timed(users):
    first = issue(verifying_case(users, ("440300", "2016-01", "2024-06", "8000")), users)
    second = issue(verifying_case(users, ("440300", "2016-01", "2024-06", "8000")), users)
    assert latest_agreement(first).number == "XY-440300-2026-00001"
    assert latest_agreement(second).number == "XY-440300-2026-00002"
    code = latest_agreement(first).verification_code
    assert len(code) == 12 and set(code) <= set(CODE_ALPHABET)
    assert latest_agreement(first).verification_code != latest_agreement(second).verification_code
    assert latest_agreement(first).issued_at is not None
    # Each origin agency and each year has its own sequence.
    users["wuhan_supervisor"] = clerk_create(username="wuhan_supervisor", agency=agency("420100"), role="supervisor",
                                             password="x")
    users["wuhan_clerk"] = clerk_create(username="wuhan_clerk", agency=agency("420100"), role="clerk", password="x")
    wuhan = verifying_case(users, ("420100", "2016-01", "2024-06", "8000"), origin="420100", destination="440300",
                           clerk="wuhan_clerk")
    assert latest_agreement(issue(wuhan, users, who="wuhan_supervisor")).number == "XY-420100-2026-00001"
    credit_rate_set(year=2026, percent=Decimal("1.00"), source="test")
    next_year = issue(verifying_case(users, ("440300", "2016-01", "2024-06", "8000")), users, today=dt.date(2027, 1, 5))
    assert latest_agreement(next_year).number == "XY-440300-2027-00001"


def test_the_destinations_due_date(users):
    # 15 working days after Tuesday 24 November 2026: 25–27 Nov, 30 Nov–4 Dec, 7–11 Dec, 14, 15 Dec.
    case = issue(verifying_case(users, ("440300", "2016-01", "2024-06", "8000")), users)
    assert (case.due_date, case.due_estimated) == (dt.date(2026, 12, 15), False)
    # Medical insurance: 5 working days in → 25–27 Nov, 30 Nov, 1 Dec.
    medical = issue(verifying_case(users, ("440300", "2016-01", "2024-06", "8000", "160.00"), kind="medical"), users)
    assert medical.due_date == dt.date(2026, 12, 1)
    medical_figures = frozen_figures(medical)
    assert medical_figures.personal_account_balance == medical_figures.personal_account_principal == Decimal("16320.00")


FIGURES = ("contribution_months", "pooled_fund_amount", "personal_account_principal", "personal_account_balance")


def test_frozen_figures_do_not_follow_later_records(users):
    case = issue(verifying_case(users, ("440300", "2016-01", "2024-06", "8000")), users)
    frozen = {name: getattr(frozen_figures(case), name) for name in FIGURES}
    assert frozen["contribution_months"] == 102
    periods(case.worker, ("440300", "2024-07", "2024-12", "8000"))
    case.refresh_from_db()
    assert {name: getattr(frozen_figures(case), name) for name in FIGURES} == frozen
    report = case_report(case, today=TODAY)
    assert report.frozen is True
    assert report.figures.as_dict() == frozen


def test_arrears_at_the_origin_block_the_agreement_naming_the_months(users):
    case = verifying_case(users, ("440300", "2016-01", "2025-06", "8000"), ("440100", "2025-07", "2025-09", "8000",
                                                                             None, False))
    with pytest.raises(RuleBlocked) as caught:
        issue(case, users)
    assert caught.value.code == "issue_agreement"
    assert "2025-07–2025-09" in caught.value.message
    case.refresh_from_db()
    assert case.status == CaseStatus.VERIFYING
    assert latest_agreement(case) is None
    assert not case.events.filter(transition="issue_agreement").exists()


def test_arrears_elsewhere_do_not_block(users):
    case = verifying_case(users, ("440300", "2016-01", "2024-06", "8000"), ("330100", "2025-07", "2025-09", "8000",
                                                                             None, False))
    assert issue(case, users).status == CaseStatus.AGREEMENT_ISSUED


def test_a_missing_rate_blocks_the_agreement_naming_the_year(users):
    case = verifying_case(users, ("440300", "2016-01", "2025-06", "8000"))
    CreditRate.objects.filter(year=2025).delete()
    with pytest.raises(RuleBlocked) as caught:
        issue(case, users)
    assert "The credited interest rate for 2025 in 广东省 is missing" in caught.value.message
    credit_rate_set(year=2025, percent=Decimal("1.50"))
    assert issue(case, users).status == CaseStatus.AGREEMENT_ISSUED


def test_no_rate_is_needed_when_no_funds_move(users):
    wuhan = City.objects.get(code="420100")
    worker = WorkerFactory(id_number=make_id_number(county="420103", birth=dt.date(1970, 1, 20)), hukou_city=wuhan)
    case = verifying_case(users, ("440300", "2016-01", "2025-06", "8000"), worker=worker)
    assert case.outcome == "temporary_account"
    CreditRate.objects.filter(year=2025).delete()
    assert issue(case, users).status == CaseStatus.AGREEMENT_ISSUED


def test_open_case_helper_reaches_every_state(users):
    for state in CaseStatus.values:
        assert open_case(users, status=state).status == state


def test_a_reissued_agreement_takes_a_fresh_number_that_no_other_agreement_takes(users):
    first = issue(verifying_case(users, ("440300", "2016-01", "2024-06", "8000")), users)
    assert latest_agreement(first).number == "XY-440300-2026-00001"
    first = advance(first, users, "register_agreement", "return_to_origin")
    first = issue(first, users)
    second = issue(verifying_case(users, ("440300", "2016-01", "2024-06", "8000")), users)
    assert latest_agreement(first).number != latest_agreement(second).number
    assert {latest_agreement(first).number, latest_agreement(second).number} == {"XY-440300-2026-00002", "XY-440300-2026-00003"}


def test_a_reissued_agreement_freezes_the_corrected_history(users):
    # The destination returns the case because 2024-07..2024-12 is missing; the origin records it and issues again.
    case = issue(verifying_case(users, ("440300", "2016-01", "2024-06", "8000")), users)
    assert frozen_figures(case).contribution_months == 102
    case = advance(case, users, "register_agreement")
    case = case_transition(case=case, actor=Actor.for_user(users["dest_clerk"]), name="return_to_origin",
                           note="2024-07..2024-12 missing", today=TODAY)
    periods(case.worker, ("440300", "2024-07", "2024-12", "8000"))
    report = case_report(case, today=TODAY)
    assert report.frozen is False
    assert report.figures.contribution_months == 108
    # The rules apply again too: a rate withdrawn meanwhile blocks the new agreement.
    CreditRate.objects.filter(year=2025).delete()
    with pytest.raises(RuleBlocked):
        issue(case, users)
    credit_rate_set(year=2025, percent=Decimal("1.50"))
    case = issue(case, users)
    case.refresh_from_db()
    assert frozen_figures(case).contribution_months == 108
    assert frozen_figures(case).pooled_fund_amount == Decimal("103680.00")  # 108 × 8000 × 12 %
