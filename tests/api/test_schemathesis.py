"""Property-based run of the published schema against the WSGI app: no endpoint answers a server error,
and every answer matches what the schema documents (status, content type, body).

Deterministic (fixed seed, no example database), in-process (no network), a bounded number of
examples per operation; `make test` runs it with the rest of the suite.
"""

from __future__ import annotations

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.config import SchemathesisConfig

from cases.models import Agreement, TransferCase
from sstransfer.wsgi import application
from tests.api.conftest import token_for
from tests.factories import WorkerFactory, open_case

# Known rows the fuzzer draws from half of the time, so that it gets past the 404s into the rules.
REFERENCES = ["TR-2026-FUZZ01", "TR-2026-FUZZ02", "TR-2026-FUZZ03"]
ID_NUMBERS = ["510104199003070031", "510104198807070012", "11010519491231002X"]
VERIFICATION_CODE = "FUZZ0000CODE"
AGENCIES = ["440300", "510100", "330100", "440100"]


def known(name: str) -> dict:
    return {"dictionary": name, "probability": 0.5}


CONFIG = SchemathesisConfig.from_dict({
    "seed": 20091222,  # the day 国办发〔2009〕66号 was issued
    "generation": {"mode": "all", "max-examples": 30, "deterministic": True, "database": "none"},
    "phases": {"stateful": {"enabled": False}},
    # A well-formed request may still name a worker, agency or case that does not exist, or wrong credentials:
    # refusing it with a 400 or 404 is the contract, so "valid data must be accepted" does not apply.
    "checks": {"positive_data_acceptance": {"enabled": False}},
    "dictionaries": {
        "references": {"values": REFERENCES},
        "id_numbers": {"values": ID_NUMBERS},
        "codes": {"values": [VERIFICATION_CODE]},
        "agencies": {"values": AGENCIES},
    },
    "parameters": {
        "path.reference": known("references"),
        "path.id_number": known("id_numbers"),
        "path.verification_code": known("codes"),
        "body.reference": known("references"),
        "body.id_number": known("id_numbers"),
        "body.worker": known("id_numbers"),
        "body.origin_agency": known("agencies"),
        "body.destination_agency": known("agencies"),
        "body.hukou_city_code": known("agencies"),
        "body.keep_city_code": known("agencies"),
        "body.records[*].city_code": known("agencies"),
    },
})

# Generating the schema touches no database, so it can be loaded while pytest collects.
schema = schemathesis.openapi.from_wsgi("/api/v1/schema", application, config=CONFIG)


@pytest.fixture
def clerk_token(users) -> str:
    from tests.factories import periods

    workers = [WorkerFactory(id_number=number) for number in ID_NUMBERS[:2]]
    periods(workers[1], ("440300", "2016-01", "2024-06", "8000"), ("510100", "2024-01", "2024-03", "6000"))
    cases = [
        open_case(users, worker=workers[0], status="verifying"),
        open_case(users, worker=workers[1], status="receiving", with_periods=False),
        open_case(users, worker=workers[0], insurance_type="medical", origin="510100", destination="440300"),
    ]
    for case, reference in zip(cases, REFERENCES, strict=True):
        TransferCase.objects.filter(pk=case.pk).update(reference=reference)
    Agreement.objects.filter(case=cases[1]).update(verification_code=VERIFICATION_CODE)
    return token_for("origin_supervisor")


@pytest.fixture
def connection_kept_open():
    # The app runs outside Django's test client, so each request's end would close the connection and
    # with it the test's transaction (PostgreSQL); the test client unhooks the same handler for the same reason.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@schema.parametrize()
@settings(suppress_health_check=list(HealthCheck), deadline=None, derandomize=True, database=None)
def test_every_answer_is_documented_and_none_is_a_server_error(case, clerk_token, connection_kept_open):
    case.call_and_validate(headers={"Authorization": f"Token {clerk_token}"})
