"""The clerk workspace's reads: worklist tabs and counts, working days left, the dashboard."""

from __future__ import annotations

import datetime as dt
import itertools
import statistics
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Count, F, Q
from django.utils import timezone

from cases.models import (
    OPEN_STATUSES,
    TERMINAL_STATUSES,
    CaseEvent,
    CaseStatus,
    TransferCase,
    TransferCaseQuerySet,
    awaiting_move_of,
    overdue_on,
)
from cases.selectors.reference import calendar_overrides
from regions.workdays import workdays_between

WORKLIST_TABS = ("todo", "outgoing", "incoming", "overdue", "closed")


def worklist_tab_filters(agency_id: int, today: dt.date) -> dict[str, Q]:
    """Each worklist tab as a condition, so one query can count them all and another list one."""
    return {
        "todo": awaiting_move_of(agency_id),
        "outgoing": Q(origin_agency_id=agency_id, status__in=OPEN_STATUSES),
        "incoming": Q(destination_agency_id=agency_id, status__in=OPEN_STATUSES),
        "overdue": overdue_on(today),
        "closed": Q(status__in=TERMINAL_STATUSES),
    }


def worklist_counts(queryset: TransferCaseQuerySet, agency_id: int, today: dt.date) -> dict[str, int]:
    return queryset.aggregate(
        **{tab: Count("pk", filter=condition) for tab, condition in worklist_tab_filters(agency_id, today).items()}
    )


def workdays_left(due_dates: Iterable[dt.date | None], today: dt.date) -> dict[dt.date, int]:
    """Working days from today to each due date (negative once overdue), with one calendar query."""
    dates = {d for d in due_dates if d is not None}
    if not dates:
        return {}
    start = min(min(dates), today)
    overrides = calendar_overrides(start, (max(max(dates), today) - start).days)
    return {d: workdays_between(today, d, overrides) for d in dates}


@dataclass(frozen=True)
class StepFigure:
    status: str
    label: str
    median_workdays: float | None
    count: int


@dataclass(frozen=True)
class Dashboard:
    by_status: list[tuple[str, str, int]]
    overdue_ours: int
    overdue_theirs: int
    steps: list[StepFigure]
    since: dt.date


DASHBOARD_WINDOW_DAYS = 90


def dashboard(agency_id: int, today: dt.date) -> Dashboard:
    """An agency's cases by state, its overdue cases by whose step is late, and how long each step took lately.

    A step is the time a case spent in one state; it counts when it ended within the window,
    measured in working days on the official calendar.
    """
    cases = TransferCase.objects.of_agency(agency_id)
    counts = dict(cases.order_by().values_list("status").annotate(n=Count("pk")))
    overdue = cases.overdue(today).aggregate(total=Count("pk"), ours=Count("pk", filter=awaiting_move_of(agency_id)))
    since = today - dt.timedelta(days=DASHBOARD_WINDOW_DAYS)
    since_at = timezone.make_aware(dt.datetime.combine(since, dt.time.min))
    # Status changes only: resolving a duplicate writes an event that keeps the state.
    changes = list(
        CaseEvent.objects.filter(case__in=cases.filter(events__at__gte=since_at).values("pk"))
        .exclude(from_status=F("to_status"))
        .order_by("case_id", "at", "id")
        .values_list("case_id", "at", "to_status")
    )
    spans: dict[str, list[tuple[dt.date, dt.date]]] = defaultdict(list)
    for (case_id, started, status), (next_case_id, ended, _next_status) in itertools.pairwise(changes):
        if case_id == next_case_id and ended >= since_at:
            spans[status].append((timezone.localdate(started), timezone.localdate(ended)))
    earliest = min((start for pairs in spans.values() for start, _end in pairs), default=today)
    overrides = calendar_overrides(earliest, (today - earliest).days)
    steps = []
    for status in OPEN_STATUSES:
        durations = [workdays_between(start, end, overrides) for start, end in spans.get(status, [])]
        steps.append(StepFigure(
            status, CaseStatus(status).label, statistics.median(durations) if durations else None, len(durations)
        ))
    return Dashboard(
        by_status=[(status.value, status.label, counts.get(status.value, 0)) for status in CaseStatus],
        overdue_ours=overdue["ours"],
        overdue_theirs=overdue["total"] - overdue["ours"],
        steps=steps,
        since=since,
    )
