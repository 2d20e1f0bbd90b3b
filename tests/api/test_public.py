"""The worker's status lookup and the public verification of an agreement."""

from __future__ import annotations

import pytest
from django.test import override_settings

from tests.api.conftest import Api
from tests.factories import latest_agreement, open_case


def lookup(reference: str, id_number: str, address: str = "203.0.113.7", token: str | None = None):
    return Api(token).post("/status", {"reference": reference, "id_number": id_number}, REMOTE_ADDR=address)


# --- POST /status ----------------------------------------------------------------------------


def test_the_worker_sees_status_and_timeline_only(users):
    case = open_case(users, status="verifying")
    response = lookup(case.reference.lower(), case.worker.id_number.lower())
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {
        "reference", "status", "status_label", "insurance_type", "origin_agency_name", "destination_agency_name",
        "due_date", "timeline",
    }
    assert body["reference"] == case.reference
    assert body["status"] == "verifying"
    assert body["origin_agency_name"] == case.origin_agency.name
    assert [entry["status"] for entry in body["timeline"]] == ["submitted", "verifying"]
    assert set(body["timeline"][0]) == {"at", "status", "status_label"}
    text = response.content.decode()
    assert case.worker.id_number not in text and case.worker.name not in text
    assert "origin_clerk" not in text and "reason" not in text


def test_resolving_a_duplicate_is_no_step_of_the_timeline(users, api):
    from tests.factories import WorkerFactory, periods

    worker = WorkerFactory()
    periods(worker, ("440300", "2016-01", "2024-06", "8000"), ("510100", "2024-01", "2024-03", "6000"))
    case = open_case(users, worker=worker, status="receiving", with_periods=False)
    api("dest_clerk").post(f"/cases/{case.reference}/duplicates/resolve", {"keep_city_code": "510100"})
    timeline = lookup(case.reference, worker.id_number).json()["timeline"]
    assert [entry["status"] for entry in timeline] == ["submitted", "verifying", "agreement_issued", "receiving"]


def test_a_wrong_id_number_and_an_unknown_reference_look_the_same(users):
    case = open_case(users)
    other = open_case(users)
    wrong_id = lookup(case.reference, other.worker.id_number)
    unknown = lookup("TR-2026-ZZZZZZ", case.worker.id_number)
    garbage = lookup("?", "not a number")
    assert wrong_id.status_code == unknown.status_code == garbage.status_code == 404
    assert wrong_id.content == unknown.content == garbage.content
    assert wrong_id.headers.items() == unknown.headers.items()


@pytest.mark.parametrize(
    "body", [{}, {"reference": "TR-2026-ZZZZZZ"}, {"reference": 1, "id_number": []}, {"reference": "x" * 33, "id_number": "1"}]
)
def test_malformed_lookups_are_a_400(db, body):
    response = Api().post("/status", body)
    assert response.status_code == 400


def test_a_token_is_not_needed_nor_harmful(users):
    case = open_case(users)
    assert lookup(case.reference, case.worker.id_number, token="f" * 40).status_code == 200


def test_ten_failures_from_one_address_then_429(users):
    case = open_case(users)
    for _ in range(10):
        assert lookup("TR-2026-ZZZZZZ", case.worker.id_number).status_code == 404
    refused = lookup(case.reference, case.worker.id_number)
    assert refused.status_code == 429
    assert refused.json()["code"] == "too_many_attempts"
    assert 3500 <= int(refused["Retry-After"]) <= 3600
    # Another address is not affected.
    assert lookup(case.reference, case.worker.id_number, address="198.51.100.1").status_code == 200


def test_successes_do_not_count(users):
    case = open_case(users)
    for _ in range(12):
        assert lookup(case.reference, case.worker.id_number).status_code == 200


@override_settings(STATUS_LOOKUP_MAX_FAILURES=2)
def test_the_limit_is_a_setting(users):
    for _ in range(2):
        lookup("TR-2026-ZZZZZZ", "11010519491231002X")
    assert lookup("TR-2026-ZZZZZZ", "11010519491231002X").status_code == 429


def test_the_status_lookup_shares_its_counter_with_the_service(users):
    # The web portal calls the same service with the same address: failures there count here.
    from cases.services import status_lookup

    for _ in range(10):
        status_lookup(reference="TR-2026-ZZZZZZ", id_number="x", client_address="203.0.113.7")
    assert lookup("TR-2026-ZZZZZZ", "x").status_code == 429


# --- GET /verify/{code} ----------------------------------------------------------------------


def test_verify_an_agreement(users):
    case = open_case(users, status="agreement_issued")
    response = Api().get(f"/verify/{latest_agreement(case).verification_code.lower()}")
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {
        "agreement_number", "issued_at", "issuing_agency_name", "insurance_type", "worker_masked_id", "document",
        "status", "superseded_by", "transfer_total",
    }
    assert (body["document"], body["status"], body["superseded_by"]) == ("agreement", "valid", None)
    assert body["agreement_number"] == latest_agreement(case).number
    assert body["issuing_agency_name"] == case.origin_agency.name
    assert body["insurance_type"] == "pension"
    assert body["worker_masked_id"] == case.worker.id_number[:4] + "*" * 10 + case.worker.id_number[-4:]
    assert case.worker.id_number not in response.content.decode()


@pytest.mark.parametrize("code", ["ABCDEFGHJKMN", "x", "0" * 32])
def test_an_unknown_code_is_a_404(db, code):
    assert Api().get(f"/verify/{code}").status_code == 404
