"""The clerk's inbox: what changed on the agency's cases since the clerk last opened each one.

A case is unread for a clerk when someone else (a clerk of either agency, or the worker) wrote on it after the
clerk's CaseView mark; "new from the other agency" narrows that to what the other end wrote. The services keep
three timestamps on the case (cases/services/common.py record_activity), so that:

- the markers of a worklist page cost one query, the page's CaseView rows;
- the unread count and the tab read one index per end (TransferCase.Meta.indexes case_out_activity,
  case_in_activity, case_out_news, case_in_news) from the newest activity down, probing the clerk's CaseView
  (unique per user and case) for each, within INBOX_WINDOW_DAYS and at most WORKLIST_COUNT_CAP rows, as every
  tab count does (cases/selectors/lists.py). Older news is no news: the window keeps a clerk who has read
  everything from walking the agency's whole history, and within it only the INBOX_SCAN_CAP cases written on
  last at each end are looked at, so that no count or page reads more index entries than that, however
  busy the agency.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone

from cases.models import CaseView, TransferCase
from cases.selectors.freshness import cached_counts
from cases.selectors.lists import BoundedCount, Key, Order, bounded_counts

INBOX_WINDOW_DAYS = 30
INBOX_SCAN_CAP = 2000
# The tab "new from the other agency": the latest first; each end orders on its own column (news_keys).
BY_NEWS = Order((Key("news_at", descending=True), Key("id", descending=True)))


def inbox_since(today: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(today - dt.timedelta(days=INBOX_WINDOW_DAYS), dt.time.min))


def _unread_at(end: str, agency_id: int, column: str, user_id: int | None, since: dt.datetime) -> Q:
    """Cases at our `end` written on (`column`) since `since`, among the INBOX_SCAN_CAP latest, not seen since."""
    recent = {end: agency_id, f"{column}__gte": since}
    latest = TransferCase.objects.filter(**recent).order_by(f"-{column}", "-id").values("pk")[:INBOX_SCAN_CAP]
    seen = CaseView.objects.filter(user_id=user_id, case=OuterRef("pk"), seen_at__gte=OuterRef(column))
    return Q(**recent) & Q(pk__in=latest) & ~Q(Exists(seen))


def unread_parts(agency_id: int, user_id: int | None, today: dt.date) -> tuple[Q, Q]:
    since = inbox_since(today)
    return (
        _unread_at("origin_agency_id", agency_id, "activity_at", user_id, since),
        _unread_at("destination_agency_id", agency_id, "activity_at", user_id, since),
    )


def news_parts(agency_id: int, user_id: int | None, today: dt.date) -> tuple[Q, Q]:
    """At our origin end, what the destination wrote; at our destination end, what the origin wrote."""
    since = inbox_since(today)
    return (
        _unread_at("origin_agency_id", agency_id, "destination_activity_at", user_id, since),
        _unread_at("destination_agency_id", agency_id, "origin_activity_at", user_id, since),
    )


def news_keys() -> tuple[dict[str, F], dict[str, F]]:
    """The column BY_NEWS reads at each end, in news_parts' order."""
    return {"news_at": F("destination_activity_at")}, {"news_at": F("origin_activity_at")}


def unread_lists(agency_id: int, user_id: int | None, today: dt.date) -> list:
    """The unread cases as bounded_counts takes them: one queryset per end."""
    return [TransferCase.objects.filter(part) for part in unread_parts(agency_id, user_id, today)]


def unread_count(agency_id: int, user_id: int | None, today: dt.date, cap: int) -> BoundedCount:
    """For the navigation on pages other than the worklist (which counts it with its tabs): one query, or none
    while the cached count holds (cases/selectors/freshness.py)."""
    return cached_counts(
        f"unread{cap}", agency_id, user_id, today,
        lambda: bounded_counts({"unread": unread_lists(agency_id, user_id, today)}, cap),
    )["unread"]


def unread_among(user_id: int, cases: Iterable[TransferCase], today: dt.date) -> set[int]:
    """Which of these cases (a page of them, with their activity_at) are unread for the user: one query."""
    since = inbox_since(today)
    recent = {case.pk: case.activity_at for case in cases if case.activity_at and case.activity_at >= since}
    if not recent:
        return set()
    seen = dict(CaseView.objects.filter(user_id=user_id, case_id__in=list(recent)).values_list("case_id", "seen_at"))
    return {pk for pk, at in recent.items() if pk not in seen or seen[pk] < at}
