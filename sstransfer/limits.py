"""Rate limits that hold under concurrency and across app servers (docs/deploy.md, "Limits").

Every limit is a counter in the shared cache (Redis in production, so all processes and servers count together)
changed only by the cache's atomic `add` and `incr`: an attempt takes its slot *before* it is checked, so fifty
requests arriving at once get fifty different counts and only the first `limit` of them go ahead. A fixed window
starts with the first attempt and ends `window` seconds later.

    slot = limits.take("apply-id", id_number, limit=3, window=86400)   # TooManyAttempts when used up
    ...
    slot.give_back()   # the attempt should not count after all (the lookup matched)

Keys are hashed with the secret key: ID numbers and e-mail addresses never sit in the cache in the clear.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import hmac
from collections.abc import Sequence
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone


class TooManyAttempts(Exception):
    def __init__(self, retry_at: dt.datetime) -> None:
        super().__init__("too many attempts")
        self.retry_at = retry_at


@dataclass
class Slot:
    key: str
    count: int
    limit: int
    retry_at: dt.datetime
    given_back: bool = False

    @property
    def over(self) -> bool:
        return self.count > self.limit

    def give_back(self) -> None:
        """Uncount this attempt (once); harmless when the window has ended meanwhile."""
        give_back_all([self])


def give_back_all(slots: Sequence[Slot]) -> None:
    """Uncount these attempts (each once): one round trip to Redis, whatever their number."""
    keys = [slot.key for slot in slots if not slot.given_back]
    for slot in slots:
        slot.given_back = True
    if not keys:
        return
    client = _redis()
    if client is not None:
        # Only counters still there: a window that ended meanwhile has nothing to give back to, and a DECR of a
        # missing key would start a new one below zero.
        client.register_script(_GIVE_BACK)(keys=[cache.make_and_validate_key(key) for key in keys])
        return
    for key in keys:
        with contextlib.suppress(ValueError):  # the window ended: nothing left to give back to
            cache.decr(key)


_GIVE_BACK = """
for _, key in ipairs(KEYS) do
  if redis.call('EXISTS', key) == 1 then redis.call('DECR', key) end
end
"""


def _redis() -> object | None:
    """The Redis client that takes the cache's writes, or None on the local-memory cache."""
    get_client = getattr(getattr(cache, "_cache", None), "get_client", None)
    return get_client(write=True) if get_client is not None else None


def _key(scope: str, value: str) -> str:
    digest = hmac.new(settings.SECRET_KEY.encode(), f"{scope}:{value}".encode(), hashlib.sha256).hexdigest()[:32]
    return f"limit:{scope}:{digest}"


def _count_all(keys: Sequence[str], window: int) -> list[tuple[int, float]]:
    """One more attempt on each key: (the count, seconds until its window ends), atomically per key."""
    client = _redis()
    if client is None:
        return [_count(key, window) for key in keys]
    # One round trip for them all, and an expiry only on a window's first attempt: Django's own incr checks, then
    # adds, and a key expiring between the two would come back as a counter without end. A script, not a
    # MULTI of three commands a key: one reply to read instead of fifteen.
    answers = client.register_script(_COUNT)(keys=[cache.make_and_validate_key(key) for key in keys], args=[window])
    return [(int(count), float(max(ttl, 0))) for count, ttl in zip(*[iter(answers)] * 2, strict=True)]


_COUNT = """
local answers = {}
for _, key in ipairs(KEYS) do
  answers[#answers + 1] = redis.call('INCR', key)
  redis.call('EXPIRE', key, ARGV[1], 'NX')
  answers[#answers + 1] = redis.call('TTL', key)
end
return answers
"""


def _count(key: str, window: int) -> tuple[int, float]:
    """One more attempt on `key` in local memory (one process: development and tests)."""
    # add and incr hold the cache's lock.
    now = timezone.now().timestamp()
    cache.add(f"{key}:start", now, window)
    for _attempt in range(3):
        if cache.add(key, 1, window):
            return 1, float(window)
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add and incr: a new window
            continue
        return count, max(0.0, (cache.get(f"{key}:start") or now) + window - now)
    return 1, float(window)  # pragma: no cover - three expiries in a row


def take(scope: str, value: str, *, limit: int, window: int, refuse: bool = True) -> Slot:
    """Count one attempt for `value` in `scope`. Over `limit` within the window: TooManyAttempts (the attempt is
    given back, so refusals do not prolong anything), or with refuse=False the slot, marked `over`, to decide."""
    (slot,) = take_all([(scope, value, limit)], window=window)
    if slot.over and refuse:
        slot.give_back()
        raise TooManyAttempts(slot.retry_at)
    return slot


def take_all(attempts: Sequence[tuple[str, str, int]], *, window: int) -> list[Slot]:
    """One attempt on each (scope, value, limit) in one round trip, refusing none: the caller looks at `over`."""
    keys = [_key(scope, value) for scope, value, _limit in attempts]
    now = timezone.now()
    return [
        Slot(key=key, count=count, limit=limit, retry_at=now + dt.timedelta(seconds=remaining))
        for key, (count, remaining), (_scope, _value, limit) in zip(keys, _count_all(keys, window), attempts, strict=True)
    ]
