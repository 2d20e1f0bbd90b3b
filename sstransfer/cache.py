"""Django's Redis cache with one client object per connection pool.

Django's backend builds a new `redis.Redis` for every cache call, and each builds its table of response
callbacks again: ~0.1 ms of CPU a call, several calls on every page (the tab counts, the limits, the per-process
copies' versions). A client is safe to share between threads, and the pool under it is what holds the connections,
so one client per pool changes nothing else.
"""

from __future__ import annotations

from django.core.cache.backends.redis import RedisCache, RedisCacheClient


class SharedClientRedisCacheClient(RedisCacheClient):
    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self._clients: dict[int, object] = {}

    def get_client(self, key: object = None, *, write: bool = False) -> object:
        index = self._get_connection_pool_index(write)
        client = self._clients.get(index)
        if client is None:
            client = self._clients[index] = self._client(connection_pool=self._get_connection_pool(write))
        return client


class SharedClientRedisCache(RedisCache):
    def __init__(self, server: str, params: dict) -> None:
        super().__init__(server, params)
        self._class = SharedClientRedisCacheClient
