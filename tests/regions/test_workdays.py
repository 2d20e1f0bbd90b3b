"""Working days on the official calendar (docs/domain.md §4)."""

from __future__ import annotations

import datetime as dt

import chinese_calendar
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cases.selectors import calendar_overrides
from regions.models import CalendarDay
from regions.workdays import Calendar, Deadline, add_workdays, is_workday, official_calendar, workdays_between

D = dt.date


def test_national_day_2026_is_a_holiday_and_its_make_up_saturday_a_working_day():
    assert is_workday(D(2026, 10, 1), {}) == (False, False)
    assert is_workday(D(2026, 10, 7), {}) == (False, False)
    # 2026-10-10 is a Saturday worked in exchange for the National Day holiday (调休).
    assert D(2026, 10, 10).weekday() == 5
    assert chinese_calendar.get_holiday_detail(D(2026, 10, 10)) == (False, "National Day")
    assert is_workday(D(2026, 10, 10), {}) == (True, False)
    assert is_workday(D(2026, 10, 11), {}) == (False, False)  # an ordinary Sunday
    assert is_workday(D(2026, 10, 12), {}) == (True, False)


def test_add_workdays_across_the_national_day_holiday():
    # Wednesday 2026-09-30; 1–7 October off; Thursday 8, Friday 9 and make-up Saturday 10 worked.
    assert add_workdays(D(2026, 9, 30), 1, {}) == Deadline(D(2026, 10, 8), False)
    assert add_workdays(D(2026, 9, 30), 3, {}) == Deadline(D(2026, 10, 10), False)
    # 15 working days from Friday 2026-09-25: 28, 29, 30 Sep; 8, 9, 10, 12–16, 19–22 Oct → Thursday 22 Oct.
    assert add_workdays(D(2026, 9, 25), 15, {}) == Deadline(D(2026, 10, 22), False)


def test_the_start_day_does_not_count():
    assert add_workdays(D(2026, 11, 23), 1, {}) == Deadline(D(2026, 11, 24), False)  # Monday → Tuesday
    assert add_workdays(D(2026, 11, 27), 1, {}) == Deadline(D(2026, 11, 30), False)  # Friday → Monday
    assert add_workdays(D(2026, 11, 28), 0, {}) == Deadline(D(2026, 11, 28), False)


def test_negative_working_days_count_backwards():
    assert add_workdays(D(2026, 11, 30), -1, {}) == Deadline(D(2026, 11, 27), False)  # Monday → Friday
    assert add_workdays(D(2026, 10, 8), -1, {}) == Deadline(D(2026, 9, 30), False)  # over the National Day holiday
    assert workdays_between(D(2026, 10, 8), add_workdays(D(2026, 10, 8), -3, {}).date, {}) == -3


def test_workdays_between_counts_after_the_start_up_to_the_end():
    assert workdays_between(D(2026, 9, 30), D(2026, 10, 10), {}) == 3
    assert workdays_between(D(2026, 10, 10), D(2026, 9, 30), {}) == -3
    assert workdays_between(D(2026, 11, 24), D(2026, 11, 24), {}) == 0
    # Inverse of add_workdays from any start day.
    for offset in range(14):
        start = D(2026, 9, 20) + dt.timedelta(days=offset)
        for days in (1, 5, 15):
            assert workdays_between(start, add_workdays(start, days, {}).date, {}) == days


def test_2027_without_administrator_entries_counts_weekdays_as_estimated():
    # chinesecalendar 1.11 stops at 2026: New Year's Day 2027 (a Friday) is only a guessed working day.
    assert is_workday(D(2027, 1, 1), {}) == (True, True)
    assert is_workday(D(2027, 1, 2), {}) == (False, True)
    assert add_workdays(D(2026, 12, 30), 2, {}) == Deadline(D(2027, 1, 1), True)
    # A deadline that stays within 2026 is not estimated.
    assert add_workdays(D(2026, 12, 28), 3, {}).estimated is False


def test_administrator_overrides_for_2027():
    # The administrator enters New Year's Day 2027 off and Saturday 9 January worked.
    overrides = {D(2027, 1, 1): False, D(2027, 1, 9): True}
    assert is_workday(D(2027, 1, 1), overrides) == (False, False)
    assert is_workday(D(2027, 1, 9), overrides) == (True, False)
    # Wednesday 2026-12-30: 31 Dec, (1 Jan off), 4–8 Jan, 9 Jan (make-up) → the 7th working day is Saturday 9 Jan.
    assert add_workdays(D(2026, 12, 30), 7, overrides) == Deadline(D(2027, 1, 9), False)
    # Once the year's calendar is entered, the other days of 2027 are ordinary weekdays, no longer guesses.
    assert is_workday(D(2027, 1, 4), overrides) == (True, False)
    assert is_workday(D(2027, 1, 10), overrides) == (False, False)
    # A year nobody entered stays estimated.
    assert is_workday(D(2028, 1, 3), overrides) == (True, True)


def test_an_override_wins_over_chinesecalendar():
    assert is_workday(D(2026, 10, 1), {D(2026, 10, 1): True}) == (True, False)


@pytest.mark.django_db
def test_calendar_days_entered_by_an_administrator_are_read_as_overrides():
    CalendarDay.objects.create(date=D(2027, 1, 1), is_workday=False, note="元旦")
    CalendarDay.objects.create(date=D(2027, 1, 9), is_workday=True, note="调休")
    CalendarDay.objects.create(date=D(2020, 1, 1), is_workday=True, note="outside the window")
    overrides = calendar_overrides(D(2026, 12, 30))
    assert overrides == {D(2027, 1, 1): False, D(2027, 1, 9): True}
    assert add_workdays(D(2026, 12, 30), 7, overrides) == Deadline(D(2027, 1, 9), False)
    # Late in 2027 the entries of January still tell that 2027 was entered: nothing is estimated.
    overrides = calendar_overrides(D(2027, 11, 1))
    assert D(2027, 1, 1) in overrides
    assert add_workdays(D(2027, 11, 1), 15, overrides) == Deadline(D(2027, 11, 22), False)


@given(st.dates(min_value=D(2004, 1, 1), max_value=D(2026, 11, 30)), st.integers(min_value=0, max_value=30))
def test_workdays_between_inverts_add_workdays(start, days):
    deadline = add_workdays(start, days, {})
    assert workdays_between(start, deadline.date, {}) == days
    assert deadline.estimated is (deadline.date.year > 2026)  # chinesecalendar 1.11 knows 2004–2026
    if days:
        assert is_workday(deadline.date, {})[0]


@pytest.mark.parametrize("language,expected", [
    ("zh-hans", ("2030-01-03 节假日", "2030-01-05 工作日")), ("en", ("2030-01-03 holiday", "2030-01-05 working day")),
])
def test_a_calendar_day_names_itself_in_the_readers_language(language, expected):
    # The administration site lists and confirms calendar days by this name.
    from django.utils import translation

    with translation.override(language):
        assert (str(CalendarDay(date=D(2030, 1, 3), is_workday=False)),
                str(CalendarDay(date=D(2030, 1, 5), is_workday=True))) == expected


# --- the calendar counted once per process ------------------------------------------------------


HAND_ENTERED = {D(2027, 2, 8): False, D(2027, 2, 13): True}  # a year nobody shipped, entered by hand
COUNTED = Calendar(HAND_ENTERED, D(2025, 1, 1), D(2027, 12, 31))


@settings(deadline=None)
@given(
    start=st.dates(min_value=D(2024, 6, 1), max_value=D(2028, 6, 30)),
    span=st.integers(min_value=-60, max_value=60),
    days=st.integers(min_value=0, max_value=40),
)
def test_the_counted_calendar_agrees_with_the_walk(start, span, days):
    overrides, counted = HAND_ENTERED, COUNTED
    end = start + dt.timedelta(days=span)
    assert counted.workdays_between(start, end) == workdays_between(start, end, overrides)
    assert counted.add_workdays(start, days) == add_workdays(start, days, overrides)
    assert counted.add_workdays(start, -days) == add_workdays(start, -days, overrides)


@pytest.mark.django_db
def test_the_process_calendar_is_rebuilt_when_a_calendar_day_changes(django_assert_num_queries):
    official_calendar()
    with django_assert_num_queries(0):
        assert official_calendar().workdays_between(D(2027, 3, 1), D(2027, 3, 2)) == 1
    day = CalendarDay.objects.create(date=D(2027, 3, 2), is_workday=False, note="test")
    assert official_calendar().workdays_between(D(2027, 3, 1), D(2027, 3, 2)) == 0
    day.is_workday = True
    day.save()
    assert official_calendar().workdays_between(D(2027, 3, 1), D(2027, 3, 2)) == 1
    day.delete()
    assert D(2027, 3, 2) not in official_calendar().overrides


@pytest.mark.django_db
def test_another_process_notices_the_change_through_the_shared_cache():
    from regions import workdays

    official_calendar()
    CalendarDay.objects.bulk_create([CalendarDay(date=D(2027, 3, 3), is_workday=False)])  # no signal: stale here
    assert D(2027, 3, 3) not in official_calendar().overrides
    # Another process's save bumps the version in the shared cache; this process's copy is then rebuilt.
    from django.core.cache import cache

    cache.set(workdays.CALENDAR_VERSION_KEY, "changed elsewhere", None)
    assert official_calendar().overrides[D(2027, 3, 3)] is False
