"""Reference data kept per process, rebuilt when an administrator changes it.

A change (a post_save or post_delete signal, connected in regions/apps.py) forgets this process's copy and
replaces a version in the shared cache, which every other process compares on its next use: one cache read per
use instead of the queries that build the copy. With a cache of its own per process (no REDIS_URL) the other
processes notice within `max_age` instead.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable
from typing import Generic, TypeVar

from django.core.cache import cache
from django.db import transaction
from redis.exceptions import RedisError

T = TypeVar("T")


class ProcessCopy(Generic[T]):
    def __init__(self, version_key: str, build: Callable[[], T], *, max_age: float = 300) -> None:
        self.version_key, self.build, self.max_age = version_key, build, max_age
        self._copy: tuple[T, object, float] | None = None

    def get(self) -> T:
        try:
            version = cache.get(self.version_key)
        except RedisError:  # the shared cache is down: the copy holds for max_age, as without one
            version = self._copy[1] if self._copy is not None else None
        now = time.monotonic()
        if self._copy is None or self._copy[1] != version or now - self._copy[2] > self.max_age:
            self._copy = (self.build(), version, now)
        return self._copy[0]

    def forget(self) -> None:
        """This process builds the copy again on its next use (a test's rows vanish with its transaction)."""
        self._copy = None

    def changed(self, **kwargs: object) -> None:
        """Signal receiver: forget this process's copy and tell the others through the shared cache, at once and
        again after the commit (now_and_after_commit)."""
        self.forget()
        now_and_after_commit(self._announce)

    def _announce(self) -> None:
        with contextlib.suppress(RedisError):  # down: the others notice within max_age
            cache.set(self.version_key, time.time_ns(), None)


def now_and_after_commit(action: Callable[[], None]) -> None:
    """A change told to other processes through the shared cache, at once and again once the transaction commits:
    a process that rebuilt in between read the rows as they were before the commit, and must not keep them."""
    action()
    transaction.on_commit(action)
