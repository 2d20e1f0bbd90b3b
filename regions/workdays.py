"""Working days on the official calendar (docs/domain.md §4).

`chinesecalendar` knows the State Council's holidays and make-up working days
for the years it ships (2004–2026 in 1.11); it raises for later years. For those
years an administrator enters CalendarDay rows; until then a weekday counts as a
working day and the result is flagged as estimated.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

import chinese_calendar

from regions.process_copies import ProcessCopy

Overrides = Mapping[dt.date, bool]


@dataclass(frozen=True)
class Deadline:
    date: dt.date
    estimated: bool


def is_workday(day: dt.date, overrides: Overrides) -> tuple[bool, bool]:
    """Return (is a working day, estimated)."""
    if day in overrides:
        return overrides[day], False
    try:
        return chinese_calendar.is_workday(day), False
    except NotImplementedError:
        # A year in which an administrator entered any day has had its holidays and make-up days entered:
        # its other days are ordinary weekdays, not guesses. Only a year nobody entered is estimated.
        return day.weekday() < 5, not _year_entered(day.year, overrides)


def _year_entered(year: int, overrides: Overrides) -> bool:
    return any(day.year == year for day in overrides)


def add_workdays(start: dt.date, days: int, overrides: Overrides) -> Deadline:
    """The date `days` working days after `start` (start itself does not count); before it when negative."""
    step = dt.timedelta(days=1 if days >= 0 else -1)
    current = start
    estimated = False
    remaining = abs(days)
    while remaining:
        current += step
        workday, guessed = is_workday(current, overrides)
        estimated = estimated or guessed
        if workday:
            remaining -= 1
    return Deadline(current, estimated)


def workdays_between(start: dt.date, end: dt.date, overrides: Overrides) -> int:
    """Working days after `start` up to and including `end`; negative when `end` is earlier."""
    if end < start:
        return -workdays_between(end, start, overrides)
    count = 0
    current = start
    while current < end:
        current += dt.timedelta(days=1)
        if is_workday(current, overrides)[0]:
            count += 1
    return count


class Calendar:
    """The official calendar with the administrators' rulings, counted once: a working-day count is then two
    lookups instead of a walk over the days (the worklist counts one per due date on every page).

    Inside [first, last] each day keeps the running totals of working days and of guessed days; dates
    outside fall back on the walk.
    """

    def __init__(self, overrides: Overrides, first: dt.date, last: dt.date) -> None:
        self.overrides = dict(overrides)
        self.first, self.last = first, last
        self._workdays: list[int] = []
        self._guesses: list[int] = []
        workdays = guesses = 0
        day = first
        while day <= last:
            workday, guessed = is_workday(day, self.overrides)
            workdays += workday
            guesses += guessed
            self._workdays.append(workdays)
            self._guesses.append(guesses)
            day += dt.timedelta(days=1)

    def _index(self, day: dt.date) -> int | None:
        return (day - self.first).days if self.first <= day <= self.last else None

    def workdays_between(self, start: dt.date, end: dt.date) -> int:
        """As workdays_between: working days after `start` up to and including `end`, negative when earlier."""
        i, j = self._index(start), self._index(end)
        if i is None or j is None:
            return workdays_between(start, end, self.overrides)
        return self._workdays[j] - self._workdays[i]

    def add_workdays(self, start: dt.date, days: int) -> Deadline:
        """As add_workdays; a deadline outside the counted years, or backwards, is walked day by day."""
        i = self._index(start)
        if i is None or days <= 0:
            return add_workdays(start, days, self.overrides)
        # The first day whose running total reaches the target is the deadline (a working day itself).
        j = bisect.bisect_left(self._workdays, self._workdays[i] + days, lo=i)
        if j >= len(self._workdays):
            return add_workdays(start, days, self.overrides)
        return Deadline(start + dt.timedelta(days=j - i), self._guesses[j] > self._guesses[i])


# One calendar per process, rebuilt when an administrator changes a CalendarDay (regions/process_copies.py;
# regions/apps.py connects the signals).
CALENDAR_VERSION_KEY = "regions:calendar-version"


def _build_calendar() -> Calendar:
    from regions.models import CalendarDay

    overrides = dict(CalendarDay.objects.values_list("date", "is_workday"))
    last_year = max([dt.date.today().year + 2, *(d.year for d in overrides)])
    return Calendar(overrides, dt.date(2004, 1, 1), dt.date(last_year, 12, 31))


OFFICIAL_CALENDAR = ProcessCopy(CALENDAR_VERSION_KEY, _build_calendar)


def official_calendar() -> Calendar:
    """The process's calendar: 2004 (chinesecalendar's first year) to two years ahead, with every CalendarDay."""
    return OFFICIAL_CALENDAR.get()


calendar_changed = OFFICIAL_CALENDAR.changed
