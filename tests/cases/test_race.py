"""Concurrent transitions of one case on PostgreSQL: two connections, exactly one wins."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from cases.errors import BatchInvalid, RuleBlocked, StateConflict
from cases.models import Actor, Agreement, CaseEvent, CaseStatus, ContributionPeriod, TransferCase
from cases.services import case_open, case_transition, contribution_correct, contributions_record
from regions.services import clerk_create
from tests.concurrency import race
from tests.factories import WorkerFactory, agency, open_case, periods

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def transition(case: TransferCase, user, name: str, note: str = "") -> Callable[[], object]:
    return lambda: case_transition(case=case, actor=Actor.for_user(user), name=name, note=note)


def winners_and_losers(results: list[object]) -> tuple[list[TransferCase], list[object]]:
    won = [r for r in results if isinstance(r, TransferCase)]
    lost = [r for r in results if not isinstance(r, TransferCase)]
    return won, lost


def test_issue_agreement_against_reject_by_two_supervisors(users):
    second = clerk_create(username="origin_supervisor_2", agency=agency("440300"), role="supervisor", password="x")
    case = open_case(users, status="verifying")
    results = race(
        transition(case, users["origin_supervisor"], "issue_agreement"),
        transition(case, second, "reject", note="no local record"),
    )
    won, lost = winners_and_losers(results)
    assert len(won) == 1 and len(lost) == 1, results
    assert isinstance(lost[0], StateConflict), lost
    case.refresh_from_db()
    assert case.status == won[0].status
    assert case.status in (CaseStatus.AGREEMENT_ISSUED, CaseStatus.REJECTED)
    assert CaseEvent.objects.filter(case=case, transition__in=["issue_agreement", "reject"]).count() == 1
    assert case.events.count() == 3  # open, start_verification, the winner


def test_the_same_start_verification_twice(users):
    case = open_case(users)
    results = race(
        transition(case, users["origin_clerk"], "start_verification"),
        transition(case, users["origin_supervisor"], "start_verification"),
    )
    won, lost = winners_and_losers(results)
    assert len(won) == 1 and len(lost) == 1, results
    assert isinstance(lost[0], StateConflict)
    assert CaseEvent.objects.filter(case=case, transition="start_verification").count() == 1
    case.refresh_from_db()
    assert case.status == CaseStatus.VERIFYING


def test_two_agreements_issued_at_once_take_two_numbers(users):
    first, second = open_case(users, status="verifying"), open_case(users, status="verifying")
    results = race(
        transition(first, users["origin_supervisor"], "issue_agreement"),
        transition(second, users["origin_supervisor"], "issue_agreement"),
    )
    assert all(isinstance(r, TransferCase) for r in results), results
    numbers = sorted(Agreement.objects.values_list("number", flat=True))
    assert numbers[0][:-5] == numbers[1][:-5] and {numbers[0][-5:], numbers[1][-5:]} == {"00001", "00002"}


def test_two_applications_for_one_worker_and_type(users):
    worker = WorkerFactory()
    periods(worker, ("440300", "2016-01", "2024-06", "8000"))

    def apply(user, destination: str) -> Callable[[], object]:
        return lambda: case_open(actor=Actor.for_user(user), worker=worker, insurance_type="pension",
                                 origin_agency=agency("440300"), destination_agency=agency(destination))

    results = race(apply(users["origin_clerk"], "510100"), apply(users["origin_supervisor"], "330100"))
    won, lost = winners_and_losers(results)
    assert len(won) == 1 and len(lost) == 1, results
    assert isinstance(lost[0], RuleBlocked) and lost[0].code == "already_open"
    assert TransferCase.objects.filter(worker=worker).count() == 1


def test_two_overlapping_batches_for_one_worker(users):
    worker = WorkerFactory()
    row = {"insurance_type": "pension", "city_code": "440300", "start_month": "2020-01", "end_month": "2020-12",
           "monthly_base": "8000.00"}

    def record(start: str) -> Callable[[], object]:
        return lambda: contributions_record(actor=None, worker=worker, records=[{**row, "start_month": start}])

    results = race(record("2020-01"), record("2020-06"))
    assert sum(isinstance(r, list) for r in results) == 1, results
    assert sum(isinstance(r, BatchInvalid) for r in results) == 1, results
    assert ContributionPeriod.objects.filter(worker=worker).count() == 1


def test_two_corrections_that_would_overlap_cannot_both_pass(users):
    # Two periods a month apart; each correction alone is fine, together they would overlap.
    worker = WorkerFactory()
    periods(worker, ("440300", "2016-01", "2016-06", "8000"), ("440300", "2016-08", "2016-12", "8000"))
    first, second = worker.periods.order_by("start_month")
    actor = Actor.for_user(users["origin_clerk"])

    def correct(period, changes):
        return lambda: contribution_correct(actor=actor, worker=worker, period_id=period.pk, changes=changes, reason="r")

    results = race(correct(first, {"end_month": "2016-07"}), correct(second, {"start_month": "2016-07"}))
    assert sum(isinstance(r, ContributionPeriod) for r in results) == 1, results
    refused = next(r for r in results if not isinstance(r, ContributionPeriod))
    assert "start_month" in refused.message_dict
    assert ContributionPeriod.history.filter(history_type="~").count() == 1
