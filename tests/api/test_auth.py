"""POST /api/v1/auth/token, and who may call the clerk endpoints at all."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from tests.api.conftest import Api, token_for
from tests.conftest import PASSWORD

CLERK_ENDPOINTS = [
    ("get", "/cases"),
    ("post", "/cases"),
    ("post", "/workers"),
    ("get", "/workers/11010519491231002X"),
    ("get", "/workers/11010519491231002X/contributions"),
    ("post", "/workers/11010519491231002X/contributions"),
    ("get", "/cases/TR-2026-AAAAAA"),
    ("post", "/cases/TR-2026-AAAAAA/transitions/start_verification"),
    ("post", "/cases/TR-2026-AAAAAA/duplicates/resolve"),
    ("get", "/cases/TR-2026-AAAAAA/agreement.pdf"),
]


def call(client: Api, method: str, path: str):
    return client.get(path) if method == "get" else client.post(path, {})


def test_a_token_for_good_credentials(users):
    response = Api().post("/auth/token", {"username": "origin_clerk", "password": PASSWORD})
    assert response.status_code == 200
    assert set(response.json()) == {"token"}
    assert len(response.json()["token"]) == 40


def test_the_same_user_gets_the_same_token(users):
    assert token_for("dest_clerk") == token_for("dest_clerk")


@pytest.mark.parametrize(
    "body",
    [
        {"username": "origin_clerk", "password": "wrong"},
        {"username": "nobody", "password": PASSWORD},
        {"username": "origin_clerk"},
        {},
        ["origin_clerk", PASSWORD],
    ],
)
def test_wrong_credentials_are_a_400(users, body):
    response = Api().post("/auth/token", body)
    assert response.status_code == 400
    assert "token" not in response.json()


def test_an_inactive_user_gets_no_token(users):
    get_user_model().objects.filter(username="origin_clerk").update(is_active=False)
    assert Api().post("/auth/token", {"username": "origin_clerk", "password": PASSWORD}).status_code == 400


def test_a_stale_token_in_the_header_does_not_stop_a_new_one(users):
    response = Api("0" * 40).post("/auth/token", {"username": "origin_clerk", "password": PASSWORD})
    assert response.status_code == 200


@pytest.mark.parametrize(("method", "path"), CLERK_ENDPOINTS)
def test_no_token_is_a_401(db, method, path):
    response = call(Api(), method, path)
    assert response.status_code == 401
    assert response.json()["detail"]
    assert response["WWW-Authenticate"] == "Token"


@pytest.mark.parametrize(("method", "path"), CLERK_ENDPOINTS)
def test_a_bad_token_is_a_401(db, method, path):
    assert call(Api("f" * 40), method, path).status_code == 401


@pytest.mark.parametrize(("method", "path"), CLERK_ENDPOINTS)
def test_a_user_without_membership_is_refused_with_403(users, method, path):
    get_user_model().objects.create_user("loose", password=PASSWORD)
    response = call(Api(token_for("loose")), method, path)
    assert response.status_code == 403
    assert response.json()["detail"]


def test_session_authentication_serves_the_browsable_api(users, client):
    client.login(username="origin_clerk", password=PASSWORD)
    response = client.get("/api/v1/cases", HTTP_ACCEPT="text/html")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    assert b"origin_clerk" in response.content


def test_session_authentication_answers_json_too(users, client):
    client.login(username="dest_clerk", password=PASSWORD)
    response = client.get("/api/v1/cases")
    assert response.status_code == 200
    assert response.json()["count"] == 0


def test_session_writes_need_the_csrf_token(users):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.login(username="origin_clerk", password=PASSWORD)
    response = client.post("/api/v1/workers", "{}", content_type="application/json")
    assert response.status_code == 403


def test_the_browsable_api_has_its_sign_in_page(db, client):
    response = client.get("/api/v1/auth/login/")
    assert response.status_code == 200
    assert b'name="password"' in response.content
