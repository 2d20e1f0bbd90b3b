"""The clerk workspace's reads: worklist tabs and counts, working days left, the dashboard."""

from __future__ import annotations

import datetime as dt
import itertools
import statistics
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db.models import Count, F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases.models import (
    FUNDS_TO_RECEIVE,
    LODGING_TURN,
    OPEN_STATUSES,
    TERMINAL_STATUSES,
    CaseEvent,
    CaseStatus,
    FundsStatus,
    TransferCase,
    TransferCaseQuerySet,
    awaiting_move_of,
    of_agency,
    overdue_on,
)
from cases.selectors.freshness import cached_counts, counts_kept
from cases.selectors.inbox import BY_NEWS, news_keys, news_parts, unread_count, unread_lists
from cases.selectors.lists import BadCursor, BoundedCount, Key, Order, Page, bounded_counts, page
from regions.workdays import official_calendar


@dataclass(frozen=True)
class Scope:
    """Whose worklist: the agency, the clerk (for tabs of their own, such as "assigned to me") and the day."""

    agency_id: int
    user_id: int | None
    today: dt.date


@dataclass(frozen=True)
class Tab:
    name: str
    label: str
    parts: Callable[[Scope], tuple[Q, ...]]
    order: Order
    # Per part, the columns that the order's named keys stand for, when each end orders on its own column
    # (the inbox's tab: what the other end wrote last is a different column at each end).
    keys: Callable[[], tuple[dict[str, F], ...]] | None = None


# Most urgent first; among cases due the same day, the newest first.
BY_DUE = Order((Key("due_sort"), Key("id", descending=True)))
BY_CLOSING = Order((Key("updated_at", descending=True), Key("id")))

# The worklist's tabs, each declared once: its label, its condition, its order. The view, the counts and the
# pages all read this list. `parts` gives the tab as disjoint conditions (an agency is one end of a case,
# never both), each of which one index in TransferCase.Meta.indexes serves: its leading columns are the
# part's equalities and its next ones the tab's order, under a partial condition that implies the part's.
# Then the page reads only the rows it shows and the count at most WORKLIST_COUNT_CAP index entries.
#
# Adding a tab: append a Tab here, with a label; add the index its parts need (a partial index on the tab's
# own condition keeps it small: e.g. "mine" reads Index(fields=["assignee", "due_sort", "-id"],
# condition=Q(assignee__isnull=False))); check the plan with EXPLAIN on the benchmark's database
# (docs/bench.md); the template's generic empty state covers it.
WORKLIST: tuple[Tab, ...] = (
    Tab("todo", _("To act on"), lambda s: (awaiting_move_of(s.agency_id),), BY_DUE),
    # Online applications lodged here, waiting for a clerk to check the identity and accept (index case_applied_due).
    Tab("applications", _("Applications to accept"), lambda s: (
        Q(lodged_at_id=s.agency_id, status__in=LODGING_TURN),
    ), BY_DUE),
    # Unread news written by the other agency (cases/selectors/inbox.py), the latest first.
    Tab("news", _("New from the other agency"), lambda s: news_parts(s.agency_id, s.user_id, s.today), BY_NEWS,
        keys=news_keys),
    # The case's agencies too: an assignee who moved to another agency keeps no view of their old cases.
    Tab("mine", _("Assigned to me"), lambda s: (Q(assignee_id=s.user_id) & of_agency(s.agency_id),), BY_DUE),
    Tab("outgoing", _("Outgoing"), lambda s: (Q(origin_agency_id=s.agency_id, status__in=OPEN_STATUSES),), BY_DUE),
    Tab("incoming", _("Incoming"), lambda s: (Q(destination_agency_id=s.agency_id, status__in=OPEN_STATUSES),), BY_DUE),
    Tab("overdue", _("Overdue"), lambda s: (
        Q(origin_agency_id=s.agency_id) & overdue_on(s.today),
        Q(destination_agency_id=s.agency_id) & overdue_on(s.today),
    ), BY_DUE),
    # The money of full transfers (cases/services/funds.py keeps funds_status): case_out_to_remit, case_in_to_receive.
    Tab("to_remit", _("Funds to remit"), lambda s: (
        Q(origin_agency_id=s.agency_id, funds_status=FundsStatus.AWAITING_REMITTANCE),
    ), BY_DUE),
    Tab("to_receive", _("Funds to receive"), lambda s: (
        Q(destination_agency_id=s.agency_id, funds_status__in=FUNDS_TO_RECEIVE),
    ), BY_DUE),
    Tab("closed", _("Closed"), lambda s: (
        Q(origin_agency_id=s.agency_id, status__in=TERMINAL_STATUSES),
        Q(destination_agency_id=s.agency_id, status__in=TERMINAL_STATUSES),
    ), BY_CLOSING),
)
WORKLIST_TABS = tuple(tab.name for tab in WORKLIST)
TABS_BY_NAME = {tab.name: tab for tab in WORKLIST}
WORKLIST_PAGE_SIZE = 25
# A tab shows "1,000+" beyond this: counting a busy agency's whole history on every page view would cost
# more than the page itself.
WORKLIST_COUNT_CAP = 1000


def worklist_parts(tab: Tab, scope: Scope, cases: TransferCaseQuerySet) -> list[TransferCaseQuerySet]:
    """The tab's parts over `cases` (already narrowed by the search and filters)."""
    parts = [cases.filter(condition) for condition in tab.parts(scope)]
    if tab.keys is not None:
        parts = [part.annotate(**keys) for part, keys in zip(parts, tab.keys(), strict=True)]
    return parts


UNREAD = "unread"


def worklist_counts(scope: Scope, cases: TransferCaseQuerySet, *, narrowed: bool) -> dict[str, BoundedCount]:
    """Every tab's count over the same search and filters, and the navigation's unread count (over every case of
    the agency, whatever the search), in one query; without a search or filter (`narrowed`), from the cache
    while nothing they count has changed (cases/selectors/freshness.py). A search counts its tabs in the
    database and takes the unread count, which it does not change, from the cache where counts are kept."""
    def count(*, with_unread: bool) -> dict[str, BoundedCount]:
        lists = {tab.name: worklist_parts(tab, scope, cases) for tab in WORKLIST}
        if with_unread:
            lists[UNREAD] = unread_lists(scope.agency_id, scope.user_id, scope.today)
        return bounded_counts(lists, WORKLIST_COUNT_CAP)

    if narrowed and not counts_kept():
        return count(with_unread=True)
    if narrowed:
        return {
            **count(with_unread=False),
            UNREAD: unread_count(scope.agency_id, scope.user_id, scope.today, WORKLIST_COUNT_CAP),
        }
    return cached_counts(
        "tabs", scope.agency_id, scope.user_id, scope.today, lambda: count(with_unread=True)
    )


def worklist_page(
    tab: Tab, scope: Scope, cases: TransferCaseQuerySet, *, order: Order | None = None, after: str = "",
    before: str = "", number: int = 1,
) -> Page:
    """One page of a tab, in its own order or the one the clerk chose; a cursor that no longer parses starts over."""
    parts = worklist_parts(tab, scope, cases.with_list_related())
    # Without a cursor (a page number typed by hand) the page is read by offset: no deeper than the counts go.
    if not (after or before):
        number = max(1, min(number, WORKLIST_COUNT_CAP // WORKLIST_PAGE_SIZE))
    try:
        return page(parts, order or tab.order, size=WORKLIST_PAGE_SIZE, after=after, before=before, number=number)
    except BadCursor:
        return page(parts, order or tab.order, size=WORKLIST_PAGE_SIZE)


# An export reads what a tab can count: beyond that the clerk narrows the search (the file says it was cut).
EXPORT_MAX_ROWS = WORKLIST_COUNT_CAP


def worklist_export_rows(
    tab: Tab, scope: Scope, cases: TransferCaseQuerySet, *, order: Order | None = None
) -> Page:
    """The first EXPORT_MAX_ROWS rows of the tab in the page's order; `has_next` when there were more."""
    return page(worklist_parts(tab, scope, cases.with_list_related()), order or tab.order, size=EXPORT_MAX_ROWS)


def workdays_left(due_dates: Iterable[dt.date | None], today: dt.date) -> dict[dt.date, int]:
    """Working days from today to each due date (negative once overdue), from the process's calendar."""
    calendar = official_calendar()
    return {d: calendar.workdays_between(today, d) for d in set(due_dates) if d is not None}


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
    to_remit: int
    to_receive: int
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
    calendar = official_calendar()
    steps = []
    for status in OPEN_STATUSES:
        durations = [calendar.workdays_between(start, end) for start, end in spans.get(status, [])]
        steps.append(StepFigure(
            status, CaseStatus(status).label, statistics.median(durations) if durations else None, len(durations)
        ))
    return Dashboard(
        by_status=[(status.value, status.label, counts.get(status.value, 0)) for status in CaseStatus],
        overdue_ours=overdue["ours"],
        overdue_theirs=overdue["total"] - overdue["ours"],
        # Each counted on its partial index (the worklist's money tabs).
        to_remit=TransferCase.objects.filter(
            origin_agency_id=agency_id, funds_status=FundsStatus.AWAITING_REMITTANCE
        ).count(),
        to_receive=TransferCase.objects.filter(
            destination_agency_id=agency_id, funds_status__in=FUNDS_TO_RECEIVE
        ).count(),
        steps=steps,
        since=since,
    )
