"""Deviations from docs/api.md found by acceptance testing over HTTP, each pinned here."""

from __future__ import annotations

import pytest

from tests.api.conftest import BASE
from tests.api.contract_support import BEIJING, PASSWORD, WUHAN, id_number, open_case, record, register, row, run


@pytest.fixture
def case(http) -> dict:
    number = id_number("420105", "19910520", 73)
    register(http, "wh_clerk", number, "程立新", WUHAN)
    record(http, "wh_clerk", number, row("unemployment", WUHAN, "2017-01", "2024-12", "6800.00"))
    return open_case(http, "bj_clerk", number, "unemployment", WUHAN, BEIJING)


def test_every_contract_path_also_answers_with_a_trailing_slash(http, case):
    # The contract writes no trailing slash; a client that adds one got a 404 for every path.
    reference, number = case["reference"], case["worker"]["id_number"]
    clerk = http["wh_clerk"].client
    for path in [
        "/agencies/", "/cases/", f"/cases/{reference}/", f"/workers/{number}/", f"/workers/{number}/contributions/",
    ]:
        response = clerk.get(BASE + path)
        assert response.status_code == 200, path
        assert response.json() == clerk.get(BASE + path.rstrip("/")).json() or "results" in response.json()
    started = clerk.post(
        f"{BASE}/cases/{reference}/transitions/start_verification/", "{}", content_type="application/json"
    )
    assert started.status_code == 200 and started.json()["status"] == "verifying"
    status = http[None].client.post(
        f"{BASE}/status/", {"reference": reference, "id_number": number}, content_type="application/json"
    )
    assert status.status_code == 200
    token = http[None].client.post(
        f"{BASE}/auth/token/", {"username": "wh_clerk", "password": PASSWORD},
        content_type="application/json",
    )
    assert token.status_code == 200 and token.json()["token"]
    # Still a JSON 404 for what is no path of the contract, slash or not.
    for path in ["/cases//", f"/cases/{reference}/transitions/", "/nothing/", "/cases/{reference}/agreement.pdf//"]:
        response = clerk.get(BASE + path)
        assert response.status_code == 404, path
        assert response.json()["detail"]


def test_a_reference_in_lower_case_names_the_same_case(http, case):
    # The status lookup took a lower-case reference, the clerk's paths answered 404.
    reference = case["reference"]
    lower = reference.lower()
    assert http["bj_clerk"].get(f"/cases/{lower}").json()["reference"] == reference
    assert run(http, "wh_clerk", lower, "start_verification").json()["status"] == "verifying"
    assert http["gz_clerk"].get(f"/cases/{lower}").status_code == 404  # still not visible to others


def test_overdue_true_in_any_letter_case(http, case):
    # Python writes True into a query string; ?overdue=True was a 400.
    for value in ("True", "TRUE", "true"):
        response = http["bj_clerk"].get("/cases", {"overdue": value})
        assert response.status_code == 200
        assert response.json()["results"] == []
    assert [c["reference"] for c in http["bj_clerk"].get("/cases", {"overdue": False}).json()["results"]] == [
        case["reference"],
    ]
    assert http["bj_clerk"].get("/cases", {"overdue": "maybe"}).status_code == 400


def test_null_for_an_optional_note_or_approval_reference_means_none(http, case):
    # {"note": null} and {"approved_transfer_reference": null} were 400 "may not be null".
    started = http["wh_clerk"].post(f"/cases/{case['reference']}/transitions/start_verification", {"note": None})
    assert started.status_code == 200
    assert started.json()["events"][-1]["note"] == ""
    refused = http["wh_clerk"].post(f"/cases/{case['reference']}/transitions/request_info", {"note": None})
    assert refused.status_code == 400 and refused.json()["detail"]  # still a missing reason

    number = id_number("420105", "19910520", 75)
    register(http, "wh_clerk", number, "程立平", WUHAN)
    opened = http["wh_clerk"].post("/cases", {
        "worker": number, "insurance_type": "pension", "origin_agency": WUHAN, "destination_agency": BEIJING,
        "approved_transfer_reference": None,
    })
    assert opened.status_code == 201
    assert opened.json()["approved_transfer_reference"] == ""


def test_the_agreement_pdf_prints_names_and_references_that_look_like_markup(http):
    # reportlab reads "<…>" and "&" as markup: a worker called "<para>…" made the agreement PDF a 500.
    number = id_number("420105", "19680520", 77)
    register(http, "wh_clerk", number, "<para>陈 & 李", WUHAN)
    record(http, "wh_clerk", number, row("pension", WUHAN, "2016-01", "2024-12", "6800.00"))
    case = open_case(http, "bj_clerk", number, "pension", WUHAN, BEIJING,
                     approved_transfer_reference="<b>京人社&调</i>")
    run(http, "wh_clerk", case["reference"], "start_verification", "<br>")
    assert run(http, "wh_boss", case["reference"], "issue_agreement").status_code == 200
    for clerk in ("wh_clerk", "bj_clerk"):
        pdf = http[clerk].client.get(f"{BASE}/cases/{case['reference']}/agreement.pdf")
        assert pdf.status_code == 200
        assert pdf.content.startswith(b"%PDF")


def test_codes_sent_as_json_numbers_name_the_same_rows(http):
    # {"hukou_city_code": 420100} and {"origin_agency": 420100} were 400 "invalid" while city_code took numbers.
    number = id_number("420105", "19950115", 79)
    registered = http["wh_clerk"].post("/workers", {"id_number": number, "name": "程立", "hukou_city_code": 420100})
    assert registered.status_code == 201
    assert registered.json()["hukou_city_code"] == WUHAN
    opened = http["wh_clerk"].post("/cases", {
        "worker": number, "insurance_type": "unemployment", "origin_agency": 420100, "destination_agency": 110000,
    })
    assert opened.status_code == 201
    assert (opened.json()["origin_agency"], opened.json()["destination_agency"]) == (WUHAN, BEIJING)
    assert http["wh_clerk"].post("/cases", {
        "worker": number, "insurance_type": "medical", "origin_agency": True, "destination_agency": 110000,
    }).status_code == 400


def test_behind_a_proxy_the_status_lookup_counts_each_client_not_the_proxy(http, case, settings):
    # The API counted failures per REMOTE_ADDR even with NUM_PROXIES set, like the /status/ page does not:
    # behind a reverse proxy ten strangers' typos locked out every worker.
    settings.NUM_PROXIES = 1
    number = case["worker"]["id_number"]

    def lookup(reference: str, client: str):
        return http[None].post(
            "/status", {"reference": reference, "id_number": number},
            REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=f"spoofed, {client}",
        )

    for attempt in range(10):
        assert lookup(f"TR-2026-TYPO{attempt:02d}", "203.0.113.50").status_code == 404
    assert lookup(case["reference"], "203.0.113.50").status_code == 429
    assert lookup(case["reference"], "203.0.113.51").status_code == 200
