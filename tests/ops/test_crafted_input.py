"""Crafted input is a 4xx (or the form's own error), never a 500, on SQLite and on PostgreSQL (which refuses NUL)."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import translation
from django.utils.translation import gettext

from tests.api.conftest import Api, token_for
from tests.factories import open_case

pytestmark = pytest.mark.django_db

# 200 KiB in one field (three bytes a character in UTF-8).
BIG = "甲" * (200 * 1024 // 3 + 1)
HEADER = "city_code,insurance_type,start_month,end_month,base,paid\n"


@pytest.fixture
def clerk(users) -> Client:
    client = Client(raise_request_exception=False, HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(users["origin_clerk"])
    return client


def test_a_verification_code_with_a_slash_is_the_forms_error(reference_data):
    response = Client(raise_request_exception=False, HTTP_ACCEPT_LANGUAGE="en").get("/verify/", {"code": "a/b"})
    assert response.status_code == 200
    assert "A verification code has only letters and digits." in response.content.decode()


@pytest.mark.parametrize("url", [
    "/verify/?code=%00", "/agencies/?q=%00", "/api/v1/agencies?q=%00", "/api/v1/cases?q=%00", "/api/v1/cases?%00=1",
])
def test_nul_in_a_query_is_a_400(clerk, url):
    response = clerk.get(url)
    assert response.status_code == 400
    if url.startswith("/api/"):
        assert set(response.json()) == {"detail"}
    else:
        # Refused before LocaleMiddleware, yet in the language the browser asks for.
        assert "Request not understood" in response.content.decode()
        with translation.override("zh-hans"):
            assert gettext("Request not understood") in Client().get(url).content.decode()


@pytest.mark.parametrize("url", [
    "/verify/a%00b/", "/%00", "/cases/TR-2026-%00/", "/cases/TR-2026-%00/contributions/",
    "/api/v1/verify/a%00b", "/api/v1/cases/TR-2026-%00", "/api/v1/workers/11010519491231002%00",
])
def test_nul_in_a_path_is_a_404(clerk, url):
    response = clerk.get(url)
    assert response.status_code == 404
    if url.startswith("/api/"):
        assert set(response.json()) == {"detail"}


def test_the_worklist_search_with_nul_is_no_server_error(clerk):
    assert clerk.get("/", {"q": "王\x00"}).status_code == 400
    assert clerk.get("/", {"q\x00": "王"}).status_code == 400


def upload(clerk: Client, case, body: str):
    return clerk.post(f"/cases/{case.reference}/contributions/upload/",
                      {"file": SimpleUploadedFile("periods.csv", body.encode())})


def test_a_csv_row_longer_than_its_header_is_refused(clerk, users, english):
    case = open_case(users)
    before = case.worker.periods.count()
    response = upload(clerk, case, HEADER + "440300,pension,2020-01,2020-12,5000,yes,EXTRA,MORE\n")
    assert response.status_code == 400
    assert "more cells than the header row" in response.content.decode()
    assert case.worker.periods.count() == before


@pytest.mark.parametrize("cell", [BIG, f'"{BIG}"'])
def test_a_200_kib_csv_cell_is_refused(clerk, users, english, cell):
    case = open_case(users)
    response = upload(clerk, case, HEADER + f"440300,pension,2020-01,2020-12,{cell},yes\n")
    assert response.status_code == 400
    assert "A cell holds at most" in response.content.decode()


def test_a_200_kib_field_is_a_400_on_the_api(users):
    case = open_case(users)
    api = Api(token_for("origin_clerk"))
    response = api.post(f"/workers/{case.worker.id_number}/contributions", {"records": [{
        "city_code": BIG, "insurance_type": "pension", "start_month": "2020-01", "end_month": "2020-02",
        "monthly_base": "100.00", "paid": True,
    }]})
    assert response.status_code == 400
    assert Api().post("/status", {"reference": BIG, "id_number": BIG}).status_code == 400


@pytest.mark.parametrize("path", ["/status/", "/act/", "/apply/"])
def test_a_200_kib_field_on_a_public_form_is_the_forms_error(reference_data, path):
    response = Client(raise_request_exception=False).post(
        path, {"reference": BIG, "id_number": BIG, "access_code": BIG, "name": BIG, "email": BIG}
    )
    assert response.status_code == 200
    assert "is-invalid" in response.content.decode()
