"""An optional read replica (DATABASE_REPLICA_URL) for the public lookups and the lists (docs/deploy.md).

Only reads of the case and reference data, and only during a GET to one of REPLICA_READ_PATHS, go to the replica:
everything else, and every write, stays on the primary. Sessions, users and tokens are never read from the replica,
where a sign-in a moment ago may not have arrived yet.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from contextvars import ContextVar

from django.conf import settings
from django.http import HttpRequest, HttpResponse

REPLICA = "replica"
REPLICA_APPS = {"cases", "regions"}
_reading_from_replica: ContextVar[bool] = ContextVar("reading_from_replica", default=False)


class ReplicaRouter:
    def db_for_read(self, model: type, **hints: object) -> str | None:
        if _reading_from_replica.get() and model._meta.app_label in REPLICA_APPS:  # type: ignore[attr-defined]
            return REPLICA
        return None

    def db_for_write(self, model: type, **hints: object) -> str:
        return "default"

    def allow_relation(self, obj1: object, obj2: object, **hints: object) -> bool:
        return True  # one database, copied: an object read from the replica is a row of the primary

    def allow_migrate(self, db: str, app_label: str, **hints: object) -> bool:
        return db == "default"


class ReplicaReadsMiddleware:
    """Marks the requests whose reads the replica may serve: GETs of the read-only public pages and the lists."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.paths = [re.compile(pattern) for pattern in settings.REPLICA_READ_PATHS]

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method not in ("GET", "HEAD") or not any(p.fullmatch(request.path) for p in self.paths):
            return self.get_response(request)
        token = _reading_from_replica.set(True)
        try:
            return self.get_response(request)
        finally:
            _reading_from_replica.reset(token)
