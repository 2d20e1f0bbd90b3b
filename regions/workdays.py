"""Working days on the official calendar (docs/domain.md §4).

`chinesecalendar` knows the State Council's holidays and make-up working days
for the years it ships (2004–2026 in 1.11); it raises for later years. For those
years an administrator enters CalendarDay rows; until then a weekday counts as a
working day and the result is flagged as estimated.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

import chinese_calendar

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
