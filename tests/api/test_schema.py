"""The OpenAPI 3 schema at /api/v1/schema and the Swagger UI at /api/v1/docs, served without a CDN."""

from __future__ import annotations

import re

import pytest
import yaml
from django.contrib.staticfiles import finders
from django.core.management import call_command
from drf_spectacular.validation import validate_schema

from tests.api.conftest import Api

# Every operation of docs/api.md, with the status codes it answers.
CONTRACT = {
    ("post", "/api/v1/auth/token"): {"200", "400"},
    ("get", "/api/v1/agencies"): {"200", "400"},
    ("post", "/api/v1/workers"): {"201", "400", "401", "403"},
    ("get", "/api/v1/workers/{id_number}"): {"200", "401", "403", "404"},
    ("post", "/api/v1/workers/{id_number}/contributions"): {"201", "400", "401", "403", "404"},
    ("get", "/api/v1/workers/{id_number}/contributions"): {"200", "400", "401", "403", "404"},
    ("patch", "/api/v1/workers/{id_number}/contributions/{id}"): {"200", "400", "401", "403", "404", "409"},
    ("delete", "/api/v1/workers/{id_number}/contributions/{id}"): {"204", "400", "401", "403", "404", "409"},
    ("get", "/api/v1/workers/{id_number}/contributions/{id}/history"): {"200", "401", "403", "404"},
    ("post", "/api/v1/cases"): {"201", "400", "401", "403"},
    ("get", "/api/v1/cases"): {"200", "400", "401", "403"},
    ("get", "/api/v1/cases/{reference}"): {"200", "401", "403", "404"},
    ("post", "/api/v1/cases/{reference}/transitions/{name}"): {"200", "400", "401", "403", "404", "409"},
    ("post", "/api/v1/cases/{reference}/duplicates/resolve"): {"200", "400", "401", "403", "404", "409"},
    ("post", "/api/v1/cases/{reference}/remittance"): {"200", "400", "401", "403", "404", "409"},
    ("post", "/api/v1/cases/{reference}/receipts"): {"200", "400", "401", "403", "404", "409"},
    ("get", "/api/v1/cases/{reference}/agreement.pdf"): {"200", "401", "403", "404", "409"},
    ("get", "/api/v1/cases/{reference}/contact-letter.pdf"): {"200", "401", "403", "404"},
    ("post", "/api/v1/applications"): {"201", "400", "429"},
    ("get", "/api/v1/cases/{reference}/acceptance.pdf"): {"200", "401", "403", "404"},
    ("post", "/api/v1/status"): {"200", "400", "404", "429"},
    ("get", "/api/v1/verify/{verification_code}"): {"200", "404"},
}


@pytest.fixture(scope="module")
def schema(django_db_blocker) -> dict:
    with django_db_blocker.unblock():
        response = Api().get("/schema", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    return yaml.safe_load(response.content)


def test_the_schema_is_valid_openapi_3(schema):
    assert schema["openapi"].startswith("3.")
    validate_schema(schema)


def test_the_schema_generates_without_warnings(tmp_path):
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yaml"))


def test_the_schema_describes_every_endpoint_and_status_of_the_contract(schema):
    documented = {
        (method, path): set(operation["responses"])
        for path, operations in schema["paths"].items()
        for method, operation in operations.items()
    }
    assert set(documented) == set(CONTRACT)
    for operation, statuses in CONTRACT.items():
        assert statuses <= documented[operation], operation


def test_money_is_a_string_and_months_a_pattern(schema):
    components = schema["components"]["schemas"]
    assert components["Figures"]["properties"]["pooled_fund_amount"]["type"] == "string"
    assert components["Figures"]["properties"]["pooled_fund_amount"]["pattern"]
    assert components["ContributionPeriod"]["properties"]["start_month"]["pattern"] == r"^\d{4}-(0[1-9]|1[0-2])$"
    assert "from" in components["Event"]["properties"]


def test_the_pdf_is_documented_as_a_pdf(schema):
    content = schema["paths"]["/api/v1/cases/{reference}/agreement.pdf"]["get"]["responses"]["200"]["content"]
    assert list(content) == ["application/pdf"]


def test_public_endpoints_need_no_authentication(schema):
    for path in ("/api/v1/agencies", "/api/v1/status", "/api/v1/verify/{verification_code}", "/api/v1/auth/token"):
        for operation in schema["paths"][path].values():
            assert operation.get("security", [{}]) == [{}], path


def test_the_schema_speaks_the_callers_language(db):
    assert "summary: 登记参保人" in Api().get("/schema", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "summary: Register a worker" in Api().get("/schema", HTTP_ACCEPT_LANGUAGE="en").content.decode()


def test_errors_speak_the_callers_language(db):
    assert Api().get("/nowhere", HTTP_ACCEPT_LANGUAGE="zh-hans").json() == {"detail": "未找到。"}
    assert Api().get("/nowhere", HTTP_ACCEPT_LANGUAGE="en").json() == {"detail": "Not found."}


def test_the_docs_page_loads_its_assets_from_this_site(db):
    response = Api().get("/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert len(assets) >= 3
    for asset in assets:
        assert asset.startswith("/static/"), asset
        assert finders.find(asset.removeprefix("/static/")), asset
    assert "//cdn" not in html and "https://" not in html
    assert '"/api/v1/schema"' in html


def test_the_site_policy_still_guards_the_rest_of_the_api(db):
    assert "Content-Security-Policy" not in Api().get("/docs")
    assert "default-src 'self'" in Api().get("/agencies")["Content-Security-Policy"]
