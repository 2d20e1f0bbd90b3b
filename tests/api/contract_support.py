"""Helpers of the acceptance tests of docs/api.md (test_contract.py): own clerks, own workers, HTTP only."""

from __future__ import annotations

import datetime as dt
import io
import re

from django.core.management import call_command
from django.utils import timezone

from tests.api.conftest import Api

PASSWORD = "contract-pass-2026"
WUHAN, YICHANG, BEIJING, GUANGZHOU, SHENZHEN, HANGZHOU = "420100", "420500", "110000", "440100", "440300", "330100"
WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)

MONEY = re.compile(r"^\d+\.\d{2}$")
MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
PAGE_KEYS = {"count", "next", "previous", "results"}
AGENCY_FIELDS = {"code", "name", "city_code", "city_name", "province_code", "province_name", "address", "phone"}
WORKER_FIELDS = {"id_number", "name", "gender", "birth_date", "hukou_city_code"}
RECORD_FIELDS = {
    "insurance_type", "city_code", "start_month", "end_month", "monthly_base", "personal_account_credit", "paid",
}
# The case as docs/api.md writes it; more fields may follow ("add fields freely").
CASE_FIELDS = {
    "reference", "status", "insurance_type", "worker", "origin_agency", "destination_agency", "lodged_at", "outcome",
    "due_date", "overdue", "figures", "agreement", "duplicates", "available_transitions", "events", "funds",
}
FIGURE_FIELDS = {
    "contribution_months", "pooled_fund_amount", "personal_account_principal", "personal_account_balance",
}
EVENT_FIELDS = {"at", "transition", "from", "to", "actor", "agency", "note"}
STATUS_FIELDS = {
    "reference", "status", "status_label", "insurance_type", "origin_agency_name", "destination_agency_name",
    "due_date", "timeline",
}
VERIFY_FIELDS = {
    "agreement_number", "issued_at", "issuing_agency_name", "insurance_type", "worker_masked_id", "document", "status",
    "superseded_by", "transfer_total",
}

CLERKS = [
    ("wh_clerk", WUHAN, "clerk"), ("wh_boss", WUHAN, "supervisor"),
    ("bj_clerk", BEIJING, "clerk"), ("bj_boss", BEIJING, "supervisor"),
    ("gz_clerk", GUANGZHOU, "clerk"), ("gz_boss", GUANGZHOU, "supervisor"),
    ("hz_clerk", HANGZHOU, "clerk"),
]


def id_number(county: str, birth: str, sequence: int) -> str:
    """GB 11643-1999: ISO 7064 MOD 11-2 over the first 17 digits (docs/domain.md §1)."""
    first17 = f"{county}{birth}{sequence:03d}"
    return first17 + "10X98765432"[sum(int(d) * w for d, w in zip(first17, WEIGHTS, strict=True)) % 11]


def command(*args: str) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def token(username: str) -> str:
    response = Api().post("/auth/token", {"username": username, "password": PASSWORD})
    assert response.status_code == 200, response.content
    assert set(response.json()) == {"token"}
    return response.json()["token"]


def make_clients() -> dict[str | None, Api]:
    """clients["wh_clerk"] is that clerk's client, made by the deployment's own commands; clients[None] is anonymous."""
    for username, agency, role in CLERKS:
        command("create_clerk", username, "--agency", agency, "--role", role, "--password", PASSWORD)
    command("set_credit_rate", "2025", "1.50")
    # Every complete year before this one needs a rate for a balance; 2025 on are the administrators' to enter.
    for year in range(2026, timezone.localdate().year):
        command("set_credit_rate", str(year), "1.50")
    clients: dict[str | None, Api] = {name: Api(token(name)) for name, _, _ in CLERKS}
    clients[None] = Api()
    return clients


def register(http, clerk: str, number: str, name: str, hukou: str) -> dict:
    response = http[clerk].post("/workers", {"id_number": number, "name": name, "hukou_city_code": hukou})
    assert response.status_code == 201, response.content
    return response.json()


def record(http, clerk: str, number: str, *rows: dict) -> None:
    response = http[clerk].post(f"/workers/{number}/contributions", {"records": list(rows)})
    assert response.status_code == 201, response.content
    assert response.json() == {"created": len(rows)}


def row(insurance_type: str, city: str, start: str, end: str, base: str, **extra: object) -> dict:
    return {
        "insurance_type": insurance_type, "city_code": city, "start_month": start, "end_month": end,
        "monthly_base": base, **extra,
    }


def open_case(http, clerk: str, number: str, insurance_type: str, origin: str, destination: str, **extra) -> dict:
    response = http[clerk].post("/cases", {
        "worker": number, "insurance_type": insurance_type, "origin_agency": origin,
        "destination_agency": destination, **extra,
    })
    assert response.status_code == 201, response.content
    return response.json()


def run(http, clerk: str, reference: str, name: str, note: str | None = None):
    body = {} if note is None else {"note": note}
    return http[clerk].post(f"/cases/{reference}/transitions/{name}", body)


def assert_case_shape(case: dict) -> None:
    assert set(case) >= CASE_FIELDS
    assert set(case["worker"]) >= {"id_number", "name"}
    assert case["outcome"] in ("full_transfer", "temporary_account", None)
    assert isinstance(case["overdue"], bool)
    if case["due_date"] is not None:
        dt.date.fromisoformat(case["due_date"])
    if case["figures"] is not None:
        assert set(case["figures"]) >= FIGURE_FIELDS
        assert isinstance(case["figures"]["contribution_months"], int)
        for name in FIGURE_FIELDS - {"contribution_months"}:
            value = case["figures"][name]
            assert value is None or MONEY.match(value), (name, value)
    if case["agreement"] is not None:
        assert set(case["agreement"]) >= {"number", "issued_at", "verification_code"}
        dt.datetime.fromisoformat(case["agreement"]["issued_at"])
    for duplicate in case["duplicates"]:
        assert {"city_code", "start_month", "end_month", "resolved"} <= set(duplicate)
        assert MONTH.match(duplicate["start_month"]) and MONTH.match(duplicate["end_month"])
        assert isinstance(duplicate["resolved"], bool)
    assert isinstance(case["available_transitions"], list)
    for event in case["events"]:
        assert set(event) == EVENT_FIELDS
        dt.datetime.fromisoformat(event["at"])
