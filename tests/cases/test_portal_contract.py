"""The worker pages as an acceptance tester drives them: own agencies and workers, real forms with CSRF.

Field names are a published contract: /status/ posts reference and id_number; /apply/ posts id_number, name,
hukou_city, phone, email, insurance_type, origin_city, destination_city and consent.
"""

from __future__ import annotations

import re

import pytest
from django.core.cache import cache
from django.test import Client

from tests.api.contract_support import (
    BEIJING,
    WUHAN,
    id_number,
    make_clients,
    open_case,
    record,
    register,
    row,
    run,
)
from tests.cases.portal_support import without_csrf

CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
APPLY_FIELDS = [
    "id_number", "name", "hukou_city", "phone", "email", "insurance_type", "origin_city", "destination_city", "consent",
]


def form(client: Client, path: str) -> tuple[str, str]:
    response = client.get(path)
    assert response.status_code == 200
    html = response.content.decode()
    return html, CSRF.search(html).group(1)


def post(client: Client, path: str, data: dict, address: str = "192.0.2.10"):
    _, token = form(client, path)
    return client.post(path, {"csrfmiddlewaretoken": token, **data}, REMOTE_ADDR=address)


@pytest.fixture(autouse=True)
def fresh_rate_limit():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def clients(reference_data):
    return make_clients()


@pytest.fixture
def issued(clients) -> dict:
    """A Wuhan → Beijing unemployment case of a made-up worker, with its agreement issued."""
    number = id_number("420104", "19870726", 58)
    register(clients, "wh_clerk", number, "司马青", WUHAN)
    record(clients, "wh_clerk", number, row("unemployment", WUHAN, "2015-04", "2024-09", "7300.00"))
    case = open_case(clients, "bj_clerk", number, "unemployment", WUHAN, BEIJING)
    run(clients, "wh_clerk", case["reference"], "start_verification")
    return run(clients, "wh_boss", case["reference"], "issue_agreement").json()


def personal(case: dict) -> list[str]:
    number = case["worker"]["id_number"]
    return [
        case["worker"]["name"], number, number.lower(), number[6:14], f"{number[6:10]}-{number[10:12]}-{number[12:14]}",
        *(v for v in (case["figures"] or {}).values() if isinstance(v, str)),
    ]


def test_the_status_page_shows_progress_without_personal_data(issued):
    client = Client(enforce_csrf_checks=True)
    html, _ = form(client, "/status/")
    assert 'name="reference"' in html and 'name="id_number"' in html
    number = issued["worker"]["id_number"]

    found = post(client, "/status/", {"reference": issued["reference"].lower(), "id_number": number.lower()})
    assert found.status_code == 200
    html = found.content.decode()
    assert issued["reference"] in html
    assert f"{number[:4]}**********{number[-4:]}" in html
    leaked = [value for value in personal(issued) if value in html]
    assert not leaked, leaked

    other = id_number("420104", "19870726", 60)
    wrong_id = post(client, "/status/", {"reference": issued["reference"], "id_number": other})
    unknown = post(client, "/status/", {"reference": "TR-2026-KKKKKK", "id_number": number})
    assert wrong_id.status_code == unknown.status_code == 200
    assert without_csrf(wrong_id.content.decode()) == without_csrf(unknown.content.decode())
    assert issued["reference"] not in wrong_id.content.decode()


def test_the_status_page_refuses_an_address_after_ten_failures(issued):
    client = Client(enforce_csrf_checks=True)
    number = issued["worker"]["id_number"]
    for attempt in range(10):
        response = post(client, "/status/", {"reference": f"TR-2026-MISS{attempt:02d}", "id_number": number},
                        address="192.0.2.99")
        assert response.status_code == 200
    refused = post(client, "/status/", {"reference": issued["reference"], "id_number": number}, address="192.0.2.99")
    assert refused.status_code == 429
    assert issued["reference"] not in refused.content.decode()
    # The API counts the same failures for the same address.
    from tests.api.conftest import Api

    assert Api().post(
        "/status", {"reference": issued["reference"], "id_number": number}, REMOTE_ADDR="192.0.2.99"
    ).status_code == 429
    allowed = post(client, "/status/", {"reference": issued["reference"], "id_number": number}, address="192.0.2.100")
    assert allowed.status_code == 200


def test_an_online_application_reaches_the_destination(clients):
    client = Client(enforce_csrf_checks=True)
    html, _ = form(client, "/apply/")
    for name in APPLY_FIELDS:
        assert f'name="{name}"' in html, name
    number = id_number("420111", "19960808", 39)
    response = post(client, "/apply/", {
        "id_number": number, "name": "欧阳明", "hukou_city": WUHAN, "phone": "13712345678",
        "email": "ouyang@example.org", "insurance_type": "medical", "origin_city": WUHAN, "destination_city": BEIJING,
        "consent": "on",
    })
    assert response.status_code == 302, without_csrf(response.content.decode())[:2000]
    done = client.get(response["Location"]).content.decode()
    reference = re.search(r"TR-\d{4}-[0-9A-Z]{6}", done).group(0)

    case = clients["bj_clerk"].get(f"/cases/{reference}").json()
    assert (case["status"], case["insurance_type"], case["lodged_at"]) == ("applied", "medical", BEIJING)
    # Waiting for a clerk of the destination: nobody registered yet, the applicant's details on the case.
    assert case["worker"] is None
    assert case["applicant"]["name"] == "欧阳明" and case["applicant"]["name_matches_registered"] is None
    assert case["events"][0]["actor"] == "worker"
    assert clients["wh_clerk"].get(f"/workers/{number}").status_code == 404

    # The same application again may wait beside it (an impostor's must not block the real worker's).
    again = post(client, "/apply/", {
        "id_number": number, "name": "欧阳明", "hukou_city": WUHAN, "phone": "13712345678",
        "email": "ouyang@example.org", "insurance_type": "medical", "origin_city": WUHAN, "destination_city": BEIJING,
        "consent": "on",
    })
    assert again.status_code == 302
    assert clients["bj_clerk"].get("/cases", {"q": number}).json()["count"] == 2
    # Without consent nothing is lodged.
    other = id_number("420111", "19960808", 41)
    refused = post(client, "/apply/", {
        "id_number": other, "name": "欧阳亮", "hukou_city": WUHAN, "phone": "13712345679",
        "email": "liang@example.org", "insurance_type": "pension", "origin_city": WUHAN, "destination_city": BEIJING,
    })
    assert refused.status_code == 200
    assert clients["wh_clerk"].get(f"/workers/{other}").status_code == 404


def test_the_verification_page_and_the_directory(issued):
    client = Client()
    code = issued["agreement"]["verification_code"]
    page = client.get(f"/verify/{code}/")
    assert page.status_code == 200
    html = page.content.decode()
    number = issued["worker"]["id_number"]
    assert issued["agreement"]["number"] in html
    assert f"{number[:4]}**********{number[-4:]}" in html
    leaked = [value for value in personal(issued) if value in html]
    assert not leaked, leaked
    assert client.get("/verify/NOSUCHCODE77/").status_code == 404

    directory = client.get("/agencies/", {"q": "武汉"}).content.decode()
    assert "武汉市社会保险事业管理局" in directory and "北京市社会保险事业管理局" not in directory
    assert "北京市社会保险事业管理局" in client.get("/agencies/", {"q": "北京"}).content.decode()
