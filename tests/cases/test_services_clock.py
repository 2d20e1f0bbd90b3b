"""The step clock in working days (docs/domain.md §4): info_requested pauses it, provide_info resumes it."""

from __future__ import annotations

import datetime as dt

import pytest

from cases.models import Actor, CaseStatus, TransferCase
from cases.services import case_open, case_transition
from tests.factories import WorkerFactory, agency, periods

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english", "reference_data")]
D = dt.date


def run(case, users, name, day, who=None, note="reason"):
    actor = Actor.worker() if who == "worker" else Actor.for_user(users[who or {
        "start_verification": "origin_clerk", "request_info": "origin_clerk", "provide_info": "dest_clerk",
        "issue_agreement": "origin_supervisor", "register_agreement": "dest_clerk", "return_to_origin": "dest_clerk",
    }[name]])
    return case_transition(case=case, actor=actor, name=name, note=note, today=day)


OPENED = D(2026, 9, 1)


def opened(users, kind="pension", day=OPENED):
    worker = WorkerFactory()
    periods(worker, ("440300", "2016-01", "2024-06", "8000", "640.00"), insurance_type=kind)
    case = case_open(actor=Actor.for_user(users["origin_clerk"]), worker=worker, insurance_type=kind,
                     origin_agency=agency("440300"), destination_agency=agency("510100"), today=day)
    return run(case, users, "start_verification", day)


def test_pause_and_resume_keep_the_remaining_working_days(users):
    # Opened Tuesday 1 Sep 2026: 15 working days → Monday 21 Sep (Sunday 20 Sep is a make-up working day).
    case = opened(users)
    assert case.due_date == D(2026, 9, 21)
    # Paused Tuesday 8 Sep: left are 9–11, 14–18, 20, 21 Sep = 10 working days.
    case = run(case, users, "request_info", D(2026, 9, 8))
    assert (case.status, case.due_date, case.paused_days_left) == (CaseStatus.INFO_REQUESTED, None, 10)
    # A paused case is never overdue, however long the worker takes.
    assert not case.is_overdue(D(2026, 9, 30))
    assert not TransferCase.objects.overdue(D(2026, 9, 30)).filter(pk=case.pk).exists()
    # Resumed Friday 25 Sep: 28–30 Sep, (1–7 Oct National Day), 8, 9, 10 (make-up Saturday), 12–15 Oct → 15 Oct.
    case = run(case, users, "provide_info", D(2026, 9, 25))
    assert (case.status, case.due_date, case.paused_days_left) == (CaseStatus.VERIFYING, D(2026, 10, 15), None)
    case.refresh_from_db()
    assert (case.due_date, case.paused_days_left, case.due_estimated) == (D(2026, 10, 15), None, False)


def test_a_pause_and_resume_on_the_same_day_changes_nothing(users):
    case = opened(users)
    due = case.due_date
    for day in (D(2026, 9, 2), D(2026, 9, 5), D(2026, 9, 20)):  # a weekday, a Saturday, a make-up Sunday
        case = run(case, users, "request_info", day)
        case = run(case, users, "provide_info", day, who="worker")
        assert case.due_date == due, day


def test_medical_cases_keep_their_shorter_clock(users):
    # Medical: 10 working days out → Tuesday 15 Sep; paused 8 Sep with 9–11, 14, 15 Sep = 5 days left;
    # resumed 25 Sep → 28, 29, 30 Sep, 8, 9 Oct.
    case = opened(users, kind="medical")
    assert case.due_date == D(2026, 9, 15)
    case = run(case, users, "request_info", D(2026, 9, 8))
    assert case.paused_days_left == 5
    assert run(case, users, "provide_info", D(2026, 9, 25)).due_date == D(2026, 10, 9)


def test_a_case_paused_when_already_overdue_stays_as_overdue_after_resuming(users):
    # Due Monday 21 Sep; paused Thursday 24 Sep, three working days late (22, 23, 24 Sep).
    case = opened(users)
    assert case.is_overdue(D(2026, 9, 22))
    case = run(case, users, "request_info", D(2026, 9, 24))
    assert case.paused_days_left == -3
    # Resumed Monday 28 Sep: still three working days late. 25 Sep is the Mid-Autumn Festival holiday,
    # so three working days back from the 28th are 24, 23 and 22 Sep → due Tuesday 22 Sep.
    case = run(case, users, "provide_info", D(2026, 9, 28))
    assert case.due_date == D(2026, 9, 22)
    assert case.is_overdue(D(2026, 9, 28))


def test_the_destination_step_and_a_return_start_fresh_clocks(users):
    case = opened(users)
    # Agreement issued Tuesday 24 Nov: the destination has 15 working days → 15 Dec.
    case = run(case, users, "issue_agreement", D(2026, 11, 24))
    assert case.due_date == D(2026, 12, 15)
    # Registering it does not restart the destination's clock.
    case = run(case, users, "register_agreement", D(2026, 11, 30))
    assert case.due_date == D(2026, 12, 15)
    # Returned Tuesday 1 Dec: the origin gets 15 working days again → 22 Dec.
    case = run(case, users, "return_to_origin", D(2026, 12, 1))
    assert (case.status, case.due_date) == (CaseStatus.VERIFYING, D(2026, 12, 22))


def test_overdue_cases_stand_out(users):
    case = opened(users)
    assert not case.is_overdue(D(2026, 9, 21))
    assert case.is_overdue(D(2026, 9, 22))
    assert list(TransferCase.objects.overdue(D(2026, 9, 22))) == [case]
    assert list(TransferCase.objects.overdue(D(2026, 9, 21))) == []
