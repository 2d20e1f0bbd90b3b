from __future__ import annotations

import socket

import pytest
from django.core.cache import cache

REDIS = ("127.0.0.1", 6379)


@pytest.fixture(autouse=True)
def fresh_limits():
    cache.clear()
    yield
    cache.clear()


def redis_reachable() -> bool:
    try:
        socket.create_connection(REDIS, timeout=0.5).close()
    except OSError:
        return False
    return True


@pytest.fixture
def redis_cache(settings):
    """The shared cache as production has it: Redis, under a key prefix of these tests' own."""
    if not redis_reachable():
        pytest.skip("needs the local Redis on 127.0.0.1:6379")
    settings.CACHES = {
        **settings.CACHES,
        "default": {
            "BACKEND": "sstransfer.cache.SharedClientRedisCache", "LOCATION": "redis://127.0.0.1:6379/5",
            "KEY_PREFIX": "sst-ops-tests",
        },
    }
    cache.clear()
    yield cache
    cache.clear()
