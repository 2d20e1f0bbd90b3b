"""The worklist's tab counts, kept in the shared cache for as long as nothing they count has changed.

A worklist page counts every tab (cases/selectors/clerk.py worklist_counts): eleven capped counts, which at a
busy agency read up to ~11,000 index entries and cost more of the app's time to build than the page itself
(docs/bench.md). They change only when one of the agency's cases changes, when the clerk reads a case (the
unread count), or when the day turns (the overdue tab). So they are cached, as is the
unread count that every other clerk page shows in its navigation, under:

- the agency's token, replaced whenever one of its cases is written (a save or delete of the case, or the
  inbox's activity stamps, cases/services/common.py record_activity);
- the clerk's token, replaced whenever the clerk's last-seen mark on a case moves (mark_seen);
- the day.

A new token is a random string, never a counter: a token that the cache evicted and made again can never
match counts stored under an earlier one. A writer replaces the token at once and again after its transaction
commits (regions/process_copies.py now_and_after_commit), so that counts read from the database between the
two (before the change was visible) are never found. Counts with a search or filter are not cached: they
depend on more than these.

Only a cache that every app process shares will do (settings.WORKLIST_COUNTS_CACHED, on with REDIS_URL).
Without it (Redis down) the counts are read from the database, as before; a token that could
not be replaced while it was down makes its counts stale for at most COUNTS_TIMEOUT.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import uuid
from collections.abc import Callable, Iterable

from django.conf import settings
from django.core.cache import cache
from redis.exceptions import RedisError

from cases.selectors.lists import BoundedCount
from regions.process_copies import now_and_after_commit

COUNTS_TIMEOUT = 600
_AGENCY = "worklist:agency:{}"
_READER = "worklist:reader:{}"


def _token(key: str, found: dict[str, str]) -> str:
    if key in found:
        return found[key]
    cache.add(key, uuid.uuid4().hex, None)
    return cache.get(key)


def counts_kept() -> bool:
    """Whether counts are kept in the cache at all (a cache every app process shares)."""
    return settings.WORKLIST_COUNTS_CACHED


def cached_counts(
    kind: str, agency_id: int, user_id: int | None, today: dt.date, count: Callable[[], dict[str, BoundedCount]]
) -> dict[str, BoundedCount]:
    """`count()`'s answer (the `kind` of counts: a page's tabs, the navigation's unread count) for this agency, clerk
    and day, from the cache while neither token has changed."""
    if not counts_kept():
        return count()
    keys = (_AGENCY.format(agency_id), _READER.format(user_id))
    try:
        found = cache.get_many(keys)
        tokens = [_token(key, found) for key in keys]
        entry = f"worklist:counts:{kind}:{agency_id}:{user_id}:{today.isoformat()}:{tokens[0]}:{tokens[1]}"
        stored = cache.get(entry)
    except RedisError:
        return count()
    if stored is not None:
        return {name: BoundedCount(value, capped) for name, (value, capped) in stored.items()}
    counts = count()
    with contextlib.suppress(RedisError):
        cache.set(entry, {name: (c.value, c.capped) for name, c in counts.items()}, COUNTS_TIMEOUT)
    return counts


def _replace(keys: list[str]) -> None:
    with contextlib.suppress(RedisError):
        cache.set_many({key: uuid.uuid4().hex for key in keys}, None)


def _changed(keys: list[str]) -> None:
    if counts_kept():  # else nothing is kept under the tokens
        now_and_after_commit(lambda: _replace(keys))


def agencies_changed(agency_ids: Iterable[int | None]) -> None:
    """One of these agencies' cases was written: their clerks' counts are read again."""
    keys = sorted({_AGENCY.format(agency_id) for agency_id in agency_ids if agency_id is not None})
    if keys:
        _changed(keys)


def reader_changed(user_id: int) -> None:
    """The clerk's last-seen mark on a case moved: their unread count is read again."""
    _changed([_READER.format(user_id)])


def case_written(sender: type, instance: object, **kwargs: object) -> None:
    """post_save and post_delete of a case (connected in cases/apps.py)."""
    agencies_changed((instance.origin_agency_id, instance.destination_agency_id, instance.lodged_at_id))
