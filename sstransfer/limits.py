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
        if self.given_back:
            return
        self.given_back = True
        with contextlib.suppress(ValueError):  # the window ended: nothing left to give back to
            cache.decr(self.key)


def _key(scope: str, value: str) -> str:
    digest = hmac.new(settings.SECRET_KEY.encode(), f"{scope}:{value}".encode(), hashlib.sha256).hexdigest()[:32]
    return f"limit:{scope}:{digest}"


def _count(key: str, window: int) -> tuple[int, float]:
    """One more attempt on `key`: (the count, seconds until its window ends), atomically."""
    redis_client = getattr(getattr(cache, "_cache", None), "get_client", None)
    if redis_client is not None:
        # One round trip, and an expiry only on the window's first attempt: Django's own incr checks, then adds,
        # and a key expiring between the two would come back as a counter without end.
        full_key = cache.make_and_validate_key(key)
        pipe = redis_client(full_key, write=True).pipeline()
        pipe.incr(full_key)
        pipe.expire(full_key, window, nx=True)
        pipe.ttl(full_key)
        count, _set, ttl = pipe.execute()
        return int(count), float(max(ttl, 0))
    # Local memory (one process: development and tests): add and incr hold the cache's lock.
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
    key = _key(scope, value)
    count, remaining = _count(key, window)
    slot = Slot(key=key, count=count, limit=limit, retry_at=timezone.now() + dt.timedelta(seconds=remaining))
    if slot.over and refuse:
        slot.give_back()
        raise TooManyAttempts(slot.retry_at)
    return slot
