"""An HTTP-only client for the Agency API: a token from /api/v1/auth/token, JSON in and out."""

from __future__ import annotations

import json

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from tests.conftest import PASSWORD

BASE = "/api/v1"


class Api:
    def __init__(self, token: str | None = None) -> None:
        self.client = APIClient()
        if token:
            self.client.credentials(HTTP_AUTHORIZATION=f"Token {token}")

    def get(self, path: str, params: dict | None = None, **extra: object):
        return self.client.get(BASE + path, params or {}, **extra)

    def post(self, path: str, data: object = None, **extra: object):
        body = "" if data is None else json.dumps(data)
        return self.client.post(BASE + path, body, content_type="application/json", **extra)

    def post_raw(self, path: str, body: bytes | str, content_type: str = "application/json", **extra: object):
        return self.client.post(BASE + path, body, content_type=content_type, **extra)


def token_for(username: str) -> str:
    response = Api().post("/auth/token", {"username": username, "password": PASSWORD})
    assert response.status_code == 200, response.content
    return response.json()["token"]


@pytest.fixture
def anonymous() -> Api:
    return Api()


@pytest.fixture
def api(users):
    """api("origin_clerk") is that user's client, signed in through the token endpoint."""
    made: dict[str, Api] = {}

    def client(username: str) -> Api:
        if username not in made:
            made[username] = Api(token_for(username))
        return made[username]

    return client


@pytest.fixture
def http(reference_data):
    """Acceptance tests (test_contract.py): http["wh_clerk"] is that clerk's client, http[None] the public's."""
    from tests.api.contract_support import make_clients

    return make_clients()


@pytest.fixture(autouse=True)
def fresh_rate_limit():
    # The status lookup counts failures per address in the cache; every test starts with none.
    cache.clear()
    yield
    cache.clear()


def detail(response) -> str:
    return response.json()["detail"]
