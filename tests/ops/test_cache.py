"""The shared cache's backend (sstransfer/cache.py): one Redis client per pool, the cache's behaviour unchanged."""

from __future__ import annotations

import threading

from django.core.cache import cache


def test_every_call_uses_the_same_client_and_its_pool(redis_cache):
    client = redis_cache._cache.get_client()
    assert redis_cache._cache.get_client(write=True) is client
    redis_cache.set("answer", 42, 60)
    assert redis_cache._cache.get_client() is client
    assert redis_cache.get("answer") == 42 and redis_cache.incr("answer") == 43
    assert redis_cache.get_many(["answer", "missing"]) == {"answer": 43}


def test_each_thread_has_a_cache_of_its_own_that_sees_the_same_keys(redis_cache):
    redis_cache.set("shared", "yes", 60)
    seen = {}

    def read() -> None:
        seen["client"] = cache._cache.get_client()
        seen["value"] = cache.get("shared")

    thread = threading.Thread(target=read)
    thread.start()
    thread.join()
    assert seen["value"] == "yes" and seen["client"] is not redis_cache._cache.get_client()
