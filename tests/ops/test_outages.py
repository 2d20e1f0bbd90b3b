"""Outages answered: an unreachable database or cache is a 503 (JSON for the API), fast, never a 500."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

import pytest
from django.db import connection
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.utils import OperationalError
from django.test import Client, override_settings

from tests.test_deploy import ROOT

CLOSED_PORT = "postgres://postgres@127.0.0.1:1/nothing"


def run_django(script: str, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {key: value for key, value in os.environ.items() if not key.startswith(("DATABASE_", "REDIS_"))}
    environment.update(env)
    return subprocess.run(  # noqa: S603 - our own manage.py with a fixed script
        [sys.executable, "manage.py", "shell", "-c", script], cwd=ROOT, env=environment, capture_output=True, text=True,
        timeout=60, check=False,
    )


@pytest.fixture
def database_down(monkeypatch):
    def refuse(self, *args, **kwargs):
        raise OperationalError('connection to server at "127.0.0.1", port 5432 failed: Connection refused')

    monkeypatch.setattr(BaseDatabaseWrapper, "ensure_connection", refuse)


def test_the_api_answers_json_503_when_the_database_is_down(database_down):
    response = Client().post("/api/v1/status", {"reference": "TR-2026-AAAAAA", "id_number": "x"},
                             content_type="application/json")
    assert response.status_code == 503
    assert response["Content-Type"] == "application/json"
    assert set(response.json()) == {"detail"}
    assert response["Retry-After"] == "30"
    # A clerk's token is checked against the database too: the same 503, not a 401 or a 500.
    assert Client().get("/api/v1/cases", HTTP_AUTHORIZATION="Token x").status_code == 503


def test_a_page_answers_the_translated_503_page_when_the_database_is_down(database_down):
    response = Client().get("/agencies/")
    assert response.status_code == 503
    html = response.content.decode()
    assert "服务暂时不可用" in html and "<html" in html
    english = Client(HTTP_ACCEPT_LANGUAGE="en").get("/agencies/", HTTP_COOKIE="django_language=en")
    assert "Temporarily unavailable" in english.content.decode()


def test_a_signed_in_clerk_gets_the_503_page_not_a_500(database_down, settings):
    # The session, and the clerk's agency for the navigation bar, are read from the database outside the view.
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.db"
    response = Client().get("/", HTTP_COOKIE="sessionid=" + "a" * 32)
    assert response.status_code == 503


@pytest.mark.django_db
def test_a_cache_outage_is_a_503_too():
    down = {"default": {
        "BACKEND": "sstransfer.cache.SharedClientRedisCache", "LOCATION": "redis://127.0.0.1:1/0",
        "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
    }}
    started = time.monotonic()
    with override_settings(CACHES=down):
        response = Client().post("/api/v1/status", {"reference": "TR-2026-AAAAAA", "id_number": "x"},
                                 content_type="application/json")
        ready = Client().get("/readyz")
    assert response.status_code == 503 and set(response.json()) == {"detail"}
    assert (ready.status_code, ready.content) == (503, b"cache unavailable")
    # Fails fast rather than hanging: the bound is loose because a loaded CI machine is slow, not hung.
    assert time.monotonic() - started < 10


def test_readyz_says_when_the_database_is_down(database_down):
    response = Client().get("/readyz")
    assert (response.status_code, response.content) == (503, b"database unavailable")


def test_a_closed_database_port_gives_503s_within_seconds():
    """The real driver against a port where nothing listens, with the timeouts the environment sets (one process:
    starting Django is most of this test's time)."""
    script = (
        "import json, time; from django.conf import settings; from django.test import Client; c = Client(); "
        "t = time.monotonic(); "
        "api = c.post('/api/v1/status', {'reference': 'TR-2026-AAAAAA', 'id_number': 'x'}, content_type='application/json'); "
        "page = c.get('/agencies/'); ready = c.get('/readyz'); "
        "print(json.dumps({'api': [api.status_code, api.json()], 'page': page.status_code, 'ready': ready.status_code, "
        "'seconds': time.monotonic() - t, 'options': settings.DATABASES['default']['OPTIONS']}))"
    )
    result = run_django(script, DATABASE_URL=CLOSED_PORT, DATABASE_CONNECT_TIMEOUT="1", DATABASE_STATEMENT_TIMEOUT_MS="750")
    assert result.returncode == 0, result.stderr[-2000:]
    seen = json.loads(result.stdout.strip().splitlines()[-1])
    assert seen["api"][0] == 503 and set(seen["api"][1]) == {"detail"}
    assert (seen["page"], seen["ready"]) == (503, 503)
    assert seen["seconds"] < 10  # a hang would last until the worker is killed; a loaded machine is only slow
    assert seen["options"] == {
        "connect_timeout": 1, "options": "-c statement_timeout=750", "server_side_binding": True, "prepare_threshold": 5,
    }


def test_prepared_statements_can_be_turned_off_for_a_pooler_that_cannot_keep_them():
    script = "from django.conf import settings; print(sorted(settings.DATABASES['default']['OPTIONS']))"
    result = run_django(script, DATABASE_URL=CLOSED_PORT, DATABASE_PREPARE_THRESHOLD="0")
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip().splitlines()[-1] == "['connect_timeout', 'options']"


@pytest.mark.postgres
@pytest.mark.django_db
def test_a_hung_statement_is_cancelled_by_the_statement_timeout():
    # The session's timeout as the settings set it (15 s by default); here shortened the same way, per transaction.
    with connection.cursor() as cursor:
        cursor.execute("SHOW statement_timeout")
        assert cursor.fetchone()[0] == "15s"
        cursor.execute("SET LOCAL statement_timeout = 200")
        started = time.monotonic()
        with pytest.raises(OperationalError, match="statement timeout"):
            cursor.execute("SELECT pg_sleep(5)")
    assert time.monotonic() - started < 4.5  # cancelled, not slept through


def test_with_redis_down_a_signed_in_clerk_still_works_from_the_database(users, settings):
    """The tab counts, the calendar and the agencies kept per process all fall back to the database."""
    from tests.conftest import PASSWORD
    from tests.factories import open_case

    case = open_case(users)
    client = Client()
    assert client.login(username="origin_clerk", password=PASSWORD)
    settings.WORKLIST_COUNTS_CACHED = True
    down = {**settings.CACHES, "default": {
        "BACKEND": "sstransfer.cache.SharedClientRedisCache", "LOCATION": "redis://127.0.0.1:1/0",
        "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
    }}
    with override_settings(CACHES=down):
        worklist = client.get("/")
        page = client.get(case.get_absolute_url())
    assert worklist.status_code == 200 and case.reference in worklist.content.decode()
    assert page.status_code == 200
