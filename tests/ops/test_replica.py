"""The optional read replica: which reads it serves, and that it serves nothing else."""

from __future__ import annotations

import pytest
from django.contrib.sessions.models import Session
from django.test import RequestFactory

from cases.models import TransferCase
from regions.models import Agency
from sstransfer.routers import ReplicaReadsMiddleware, ReplicaRouter

router = ReplicaRouter()


def route_during(method: str, path: str) -> dict[str, str | None]:
    seen: dict[str, str | None] = {}

    def view(request):
        for model in (TransferCase, Agency, Session):
            seen[model.__name__] = router.db_for_read(model)
        return None

    ReplicaReadsMiddleware(view)(RequestFactory().generic(method, path))
    return seen


@pytest.mark.parametrize("path", ["/", "/agencies/", "/verify/ABC123/", "/api/v1/agencies", "/api/v1/cases"])
def test_reads_of_public_pages_and_lists_go_to_the_replica(path):
    assert route_during("GET", path) == {"TransferCase": "replica", "Agency": "replica", "Session": None}


@pytest.mark.parametrize(("method", "path"), [
    ("POST", "/api/v1/cases"), ("GET", "/cases/TR-2026-AAAAAA/"), ("GET", "/api/v1/cases/TR-2026-AAAAAA"),
    ("POST", "/status/"), ("GET", "/dashboard/"),
])
def test_everything_else_reads_the_primary(method, path):
    assert set(route_during(method, path).values()) == {None}


def test_writes_and_migrations_stay_on_the_primary():
    assert router.db_for_write(TransferCase) == "default"
    assert router.allow_migrate("default", "cases") and not router.allow_migrate("replica", "cases")
    # Outside a marked request nothing reads the replica.
    assert router.db_for_read(TransferCase) is None
