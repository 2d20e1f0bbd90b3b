"""Operations endpoints: liveness without the database, readiness with it."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.utils import OperationalError


def test_healthz_answers_without_touching_the_database(client):
    # No django_db mark: any query here would fail the test outright.
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.content == b"ok"
    assert response["Content-Type"].startswith("text/plain")
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.django_db
def test_healthz_makes_no_query(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        assert client.get("/healthz").content == b"ok"


def test_healthz_is_get_only(client):
    assert client.post("/healthz").status_code == 405


@pytest.mark.django_db
def test_readyz_answers_ok_with_the_database(client, django_assert_num_queries):
    with django_assert_num_queries(1):
        response = client.get("/readyz")
    assert (response.status_code, response.content) == (200, b"ok")


@pytest.mark.django_db
def test_readyz_says_when_the_database_is_unavailable(client, monkeypatch):
    def unavailable(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr(connection, "cursor", unavailable)
    response = client.get("/readyz")
    assert response.status_code == 503
    assert b"database unavailable" in response.content
