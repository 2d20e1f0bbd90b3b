"""A year's official calendar entered by administrators: the pasted list, and the estimated due dates counted again
(docs/domain.md §4)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from cases import services
from cases.models import Actor, CaseEvent, TransferCase
from regions.models import CalendarDay
from regions.services import CalendarEntry, parse_calendar_lines
from tests.factories import WorkerFactory, agency, backdate_event, periods

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english", "reference_data")]

# chinesecalendar 1.11 knows 2004–2026: a step that runs into 2027 counts plain weekdays there, marked estimated.
OPENED = dt.date(2026, 12, 20)  # a Sunday


def case_opened(users, insurance_type: str = "pension", opened: dt.date = OPENED) -> TransferCase:
    worker = WorkerFactory()
    periods(worker, ("440300", "2016-01", "2024-06", "8000"), insurance_type=insurance_type)
    case = services.case_open(
        actor=Actor.for_user(users["origin_clerk"]), worker=worker, insurance_type=insurance_type,
        origin_agency=agency("440300"), destination_agency=agency("510100"), today=opened,
    )
    # The clock started on the day the case was opened, as it does when "today" is today.
    event = CaseEvent.objects.get(case=case, transition="open")
    backdate_event(event.pk, timezone.make_aware(dt.datetime.combine(opened, dt.time(10, 0))))
    return case


def test_pasted_lines_are_read_forgivingly_and_refused_line_by_line():
    days, errors = parse_calendar_lines(
        "# 2027 年节假日\n2027-01-01 holiday 元旦\n\n2027/2/7 workday 调休\n２０２７-02-11 休 春节\n2027-02-14 班\n"
    )
    assert days == [
        CalendarEntry(dt.date(2027, 1, 1), False, "元旦"), CalendarEntry(dt.date(2027, 2, 7), True, "调休"),
        CalendarEntry(dt.date(2027, 2, 11), False, "春节"), CalendarEntry(dt.date(2027, 2, 14), True, ""),
    ]
    assert errors == []
    _days, errors = parse_calendar_lines(
        "2027-02-30 holiday\n2027-03-01 maybe\nnot a line\n2027-05-01 holiday 劳动节\n2027-05-01 workday\n"
        "2027-06-01 holiday " + "x" * 65
    )
    assert [line for line, _message in errors] == [1, 2, 3, 5, 6]
    assert "no date" in errors[0][1] and "maybe" in errors[1][1] and "both" in errors[3][1]


def test_entering_the_year_recomputes_the_estimated_due_dates_in_it(users):
    pension = case_opened(users)
    medical = case_opened(users, insurance_type="medical")
    # Fifteen and ten working days after Sunday 20 December, 1 January counted as a plain Friday.
    assert (pension.due_date, pension.due_estimated) == (dt.date(2027, 1, 8), True)
    assert (medical.due_date, medical.due_estimated) == (dt.date(2027, 1, 1), True)
    written, moved = services.calendar_enter(days=[
        CalendarEntry(dt.date(2027, 1, 1), False, "元旦"), CalendarEntry(dt.date(2027, 2, 7), True, "调休"),
    ])
    assert (written, moved) == (2, 2)
    pension.refresh_from_db()
    medical.refresh_from_db()
    # New Year's Day off: one working day later, and no longer an estimate.
    assert (pension.due_date, pension.due_estimated) == (dt.date(2027, 1, 11), False)
    assert (medical.due_date, medical.due_estimated) == (dt.date(2027, 1, 4), False)
    event = CaseEvent.objects.filter(case=pension).order_by("id").last()
    assert (event.transition, event.from_status, event.to_status) == ("due_date_recomputed", "submitted", "submitted")
    assert "2027-01-11" in event.note and "2027-01-08" in event.note
    assert CalendarDay.objects.filter(date__year=2027).count() == 2


def test_a_due_date_that_stays_is_no_longer_an_estimate(users):
    # 15 working days after Monday 28 December: 29–31 December, 1 January and 4–18 January, weekdays all.
    case = case_opened(users, opened=dt.date(2026, 12, 28))
    assert (case.due_date, case.due_estimated) == (dt.date(2027, 1, 18), True)
    # The year's list names no January day: January's weekdays are working days, now for certain.
    services.calendar_enter(days=[CalendarEntry(dt.date(2027, 5, 3), False, "劳动节")])
    case.refresh_from_db()
    assert (case.due_date, case.due_estimated) == (dt.date(2027, 1, 18), False)


def test_other_years_known_due_dates_and_paused_cases_are_left_alone(users):
    estimated = case_opened(users)
    known = case_opened(users, opened=dt.date(2026, 11, 2))
    assert not known.due_estimated
    paused = case_opened(users, insurance_type="unemployment")
    paused = services.case_transition(case=paused, actor=Actor.for_user(users["origin_clerk"]),
                                      name="start_verification")
    paused = services.case_transition(case=paused, actor=Actor.for_user(users["origin_clerk"]),
                                      name="request_info", note="contract")
    assert services.due_dates_recompute(years={2028}) == 0
    assert services.due_dates_recompute(years=set()) == 0
    due_before = {c.pk: (c.due_date, c.due_estimated) for c in TransferCase.objects.all()}
    CalendarDay.objects.create(date=dt.date(2028, 1, 3), is_workday=False)
    assert services.due_dates_recompute(years={2028}) == 0
    assert {c.pk: (c.due_date, c.due_estimated) for c in TransferCase.objects.all()} == due_before
    estimated.refresh_from_db()
    assert estimated.due_estimated
