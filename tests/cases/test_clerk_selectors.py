from __future__ import annotations

import datetime as dt

from django.utils import timezone

from cases import selectors
from cases.models import CaseEvent
from regions.models import CalendarDay
from tests.factories import agency, backdate_event, open_case


def at(day: str) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(dt.date.fromisoformat(day), dt.time(10)))


def test_workdays_left_counts_on_the_calendar_and_goes_negative(reference_data):
    monday = dt.date(2026, 3, 2)
    left = selectors.workdays_left([dt.date(2026, 3, 6), dt.date(2026, 3, 9), dt.date(2026, 2, 27), None], monday)
    # Saturday 2026-02-28 is a make-up working day after the Spring Festival: overdue by two, not one.
    assert left == {dt.date(2026, 3, 6): 4, dt.date(2026, 3, 9): 5, dt.date(2026, 2, 27): -2}


def test_workdays_left_follows_the_administrators_calendar(reference_data):
    CalendarDay.objects.create(date=dt.date(2030, 1, 3), is_workday=False, note="test holiday")
    assert selectors.workdays_left([dt.date(2030, 1, 4)], dt.date(2030, 1, 1)) == {dt.date(2030, 1, 4): 2}


def test_the_dashboard_medians_are_working_days_per_state(users):
    first = open_case(users, status="receiving")
    second = open_case(users, status="agreement_issued")
    dates = {
        first.pk: {"open": "2026-03-02", "start_verification": "2026-03-04", "issue_agreement": "2026-03-11",
                   "register_agreement": "2026-03-12", "record_remittance": "2026-03-13", "record_receipt": "2026-03-16"},
        second.pk: {"open": "2026-03-02", "start_verification": "2026-03-06", "issue_agreement": "2026-03-09"},
    }
    for event in CaseEvent.objects.filter(case__in=[first, second]):
        backdate_event(event.pk, at(dates[event.case_id][event.transition]))
    figures = selectors.dashboard(agency("440300").pk, dt.date(2026, 3, 31))
    steps = {step.status: (step.median_workdays, step.count) for step in figures.steps}
    assert steps["submitted"] == (3, 2)  # 2 and 4 working days
    assert steps["verifying"] == (3, 2)  # 5 and 1
    assert steps["agreement_issued"] == (1, 1)
    assert steps["receiving"] == (None, 0)  # not ended yet
    assert figures.since == dt.date(2025, 12, 31)


def test_the_dashboard_leaves_out_steps_that_ended_before_the_window(users):
    case = open_case(users, status="verifying")
    for event in case.events.all():
        backdate_event(event.pk, at("2025-06-02"))
    figures = selectors.dashboard(agency("440300").pk, dt.date(2026, 3, 31))
    assert all(step.count == 0 for step in figures.steps)
