"""Limits that hold: atomic counters, per address and per target, on every sign-in path and public form."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client
from django.utils import timezone

from outbox.models import OutboundEmail
from sstransfer import limits
from tests.api.conftest import Api
from tests.concurrency import race
from tests.conftest import PASSWORD
from tests.factories import open_case


def test_a_limit_counts_refuses_and_gives_back():
    for n in range(1, 4):
        assert limits.take("t", "a", limit=3, window=60).count == n
    with pytest.raises(limits.TooManyAttempts) as refused:
        limits.take("t", "a", limit=3, window=60)
    assert timezone.now() < refused.value.retry_at <= timezone.now() + dt.timedelta(seconds=60)
    # Another value, another scope: counted apart.
    assert limits.take("t", "b", limit=3, window=60).count == 1
    assert limits.take("u", "a", limit=3, window=60).count == 1
    slot = limits.take("v", "a", limit=1, window=60)
    slot.give_back()
    slot.give_back()  # once only
    assert limits.take("v", "a", limit=1, window=60).count == 1


def test_an_attempt_over_the_limit_may_be_decided_by_the_caller():
    limits.take("t", "a", limit=1, window=60)
    slot = limits.take("t", "a", limit=1, window=60, refuse=False)
    assert slot.over and slot.count == 2


def test_the_cache_never_holds_the_value_in_the_clear(redis_cache):
    limits.take("lookup-id", "11010519491231002X", limit=3, window=60)
    client = redis_cache._cache.get_client()
    keys = [key.decode() for key in client.keys("sst-ops-tests*")]
    assert keys and not any("11010519491231002X" in key for key in keys)
    # The window is the key's own expiry in Redis: it cannot outlive it.
    assert 0 < client.ttl(keys[0]) <= 60


def test_on_redis_the_limit_counts_and_expires(redis_cache):
    for _ in range(2):
        limits.take("t", "a", limit=2, window=30)
    with pytest.raises(limits.TooManyAttempts) as refused:
        limits.take("t", "a", limit=2, window=30)
    assert refused.value.retry_at <= timezone.now() + dt.timedelta(seconds=30)


@pytest.mark.parametrize("on_redis", [False, True])
def test_many_limits_are_taken_and_given_back_together(request, on_redis):
    if on_redis:
        request.getfixturevalue("redis_cache")
    limits.take("w", "b", limit=5, window=60)
    slots = limits.take_all([("w", "a", 2), ("w", "b", 1)], window=60)
    assert [(slot.count, slot.over) for slot in slots] == [(1, False), (2, True)]
    limits.give_back_all(slots)
    limits.give_back_all(slots)  # once only
    assert [slot.count for slot in limits.take_all([("w", "a", 2), ("w", "b", 1)], window=60)] == [1, 2]


def test_giving_back_after_the_window_ended_starts_no_counter(redis_cache):
    slot = limits.take("x", "a", limit=3, window=60)
    redis_cache.delete(slot.key)  # the window ended
    slot.give_back()
    assert limits.take("x", "a", limit=3, window=60).count == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_fifty_concurrent_wrong_lookups_get_no_more_than_the_limit(users, redis_cache, settings):
    from cases.services import TooManyAttempts, status_lookup

    case = open_case(users)

    def wrong(n: int):
        def job():
            try:
                return status_lookup(reference=case.reference, id_number=f"11010519900101{n:04d}",
                                     client_address="203.0.113.7")
            except TooManyAttempts:
                return "refused"
        return job

    results = race(*[wrong(n) for n in range(50)])
    assert not [r for r in results if isinstance(r, Exception)], results
    tried = [r for r in results if r != "refused"]
    assert len(tried) == settings.STATUS_LOOKUP_MAX_FAILURES
    assert all(r is None for r in tried)


# --- sign-in --------------------------------------------------------------------------------------------------


def clerk_login(client: Client, password: str, username: str = "origin_clerk", **extra):
    return client.post("/accounts/login/", {"username": username, "password": password}, **extra)


def admin_login(client: Client, password: str, username: str = "origin_clerk", **extra):
    return client.post("/admin/login/", {"username": username, "password": password, "next": "/admin/"}, **extra)


def token(password: str, username: str = "origin_clerk", **extra):
    return Api().post("/auth/token", {"username": username, "password": password}, **extra)


def test_a_right_password_signs_in_on_every_path(users):
    get_user_model().objects.filter(username="origin_clerk").update(is_staff=True)
    assert clerk_login(Client(), PASSWORD).status_code == 302
    assert admin_login(Client(), PASSWORD)["Location"] == "/admin/"
    assert token(PASSWORD).status_code == 200


@pytest.mark.parametrize("wrong_path", ["clerk", "admin", "token"])
def test_thirty_wrong_passwords_lock_every_sign_in_path(users, wrong_path):
    get_user_model().objects.filter(username="origin_clerk").update(is_staff=True)
    try_wrong = {"clerk": lambda: clerk_login(Client(), "wrong"), "admin": lambda: admin_login(Client(), "wrong"),
                 "token": lambda: token("wrong")}[wrong_path]
    for _ in range(30):
        try_wrong()
    # The right password no longer opens any path, whichever path the wrong ones came through.
    assert clerk_login(Client(), PASSWORD).status_code == 429
    assert admin_login(Client(), PASSWORD).status_code == 429
    refused = token(PASSWORD)
    assert refused.status_code == 429
    assert "token" not in refused.content.decode()


def test_a_locked_sign_in_page_is_translated(users, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        clerk_login(Client(), "wrong")
    html = clerk_login(Client(), PASSWORD).content.decode()
    assert "登录已锁定" in html


def test_one_address_trying_many_user_names_is_locked(users, settings):
    for n in range(settings.AXES_FAILURE_LIMIT):
        clerk_login(Client(), "wrong", username=f"nobody{n}", REMOTE_ADDR="198.51.100.1")
    assert clerk_login(Client(), PASSWORD, REMOTE_ADDR="198.51.100.1").status_code == 429
    # The same clerk from elsewhere still signs in.
    assert clerk_login(Client(), PASSWORD, REMOTE_ADDR="198.51.100.2").status_code == 302


# --- password reset, online applications ---------------------------------------------------------------------


def test_the_password_reset_is_throttled_and_sent_through_the_outbox(users, settings, django_capture_on_commit_callbacks):
    settings.PASSWORD_RESETS_PER_HOUR = 2
    client = Client()
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            assert client.post("/accounts/password_reset/", {"email": "origin_clerk@example.org"}).status_code == 302
    assert OutboundEmail.objects.filter(about="password reset", status="sent").count() == 2
    assert [m.to for m in mail.outbox] == [["origin_clerk@example.org"]] * 2
    refused = client.post("/accounts/password_reset/", {"email": "other@example.org"})
    assert refused.status_code == 429
    # Per e-mail address as well: another connection asking for the same one is refused.
    assert Client().post("/accounts/password_reset/", {"email": "origin_clerk@example.org"},
                         REMOTE_ADDR="198.51.100.9").status_code == 429


def test_online_applications_are_limited_per_address(users, settings):
    from tests.cases.test_portal_apply import URL, application
    from tests.factories import make_id_number

    settings.ONLINE_APPLICATIONS_PER_ADDRESS = 2
    client = Client()
    for day in (1, 2):
        number = make_id_number(county="510104", birth=dt.date(1990, 1, day))
        assert client.post(URL, application(id_number=number)).status_code == 302
    third = client.post(URL, application(id_number=make_id_number(county="510104", birth=dt.date(1990, 1, 3))))
    assert third.status_code == 429
    other_address = Client(REMOTE_ADDR="198.51.100.3")
    number = make_id_number(county="510104", birth=dt.date(1990, 1, 4))
    assert other_address.post(URL, application(id_number=number)).status_code == 302


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_app_servers_share_one_limit(reference_data):
    """Two processes, as two app servers would be, against one database and one Redis: their failures add up."""
    import json
    import os
    import subprocess
    import sys

    from django.db import connection

    from tests.ops.conftest import redis_reachable
    from tests.test_deploy import ROOT

    if not redis_reachable():
        pytest.skip("needs the local Redis on 127.0.0.1:6379")
    db = connection.settings_dict
    environment = {key: value for key, value in os.environ.items() if not key.startswith(("DATABASE_", "REDIS_"))}
    environment.update(
        DATABASE_URL=f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}",
        REDIS_URL="redis://127.0.0.1:6379/7", CELERY_BROKER_URL="",
    )
    subprocess.run(["redis-cli", "-n", "7", "FLUSHDB"], check=True, capture_output=True)  # noqa: S607
    script = (
        "import json; from django.test import Client; c = Client(REMOTE_ADDR='203.0.113.50'); "
        "print(json.dumps([c.post('/api/v1/status', {'reference': f'TR-2026-Z{n:05d}', 'id_number': 'x'}, "
        "content_type='application/json').status_code for n in range(8)]))"
    )
    servers = [
        subprocess.Popen(  # noqa: S603 - our own manage.py with a fixed script
            [sys.executable, "manage.py", "shell", "-c", script], cwd=ROOT, env=environment, text=True,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        )
        for _ in range(2)
    ]
    answers = []
    for server in servers:
        out, err = server.communicate(timeout=60)
        assert server.returncode == 0, err[-2000:]
        answers += json.loads(out.strip().splitlines()[-1])
    subprocess.run(["redis-cli", "-n", "7", "FLUSHDB"], check=True, capture_output=True)  # noqa: S607
    assert sorted(answers) == [404] * 10 + [429] * 6
