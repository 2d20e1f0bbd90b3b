"""GET /api/v1/agencies: public, paginated, filtered."""

from __future__ import annotations

import pytest

from regions.models import Agency
from tests.api.conftest import Api

FIELDS = {"code", "name", "city_code", "city_name", "province_code", "province_name", "address", "phone", "hours"}


def test_the_directory_is_public_and_paginated(reference_data):
    response = Api().get("/agencies")
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"count", "next", "previous", "results"}
    assert body["count"] == Agency.objects.filter(is_active=True).count() > 50
    assert len(body["results"]) == 50
    assert body["previous"] is None and "page=2" in body["next"]
    assert set(body["results"][0]) == FIELDS


def test_a_stale_token_does_not_hide_the_public_directory(reference_data):
    assert Api("f" * 40).get("/agencies").status_code == 200


def test_the_second_page(reference_data):
    body = Api().get("/agencies", {"page": 2}).json()
    assert body["previous"] is not None
    assert body["results"][0]["code"] > Api().get("/agencies").json()["results"][-1]["code"]


def test_filter_by_province_and_name(reference_data):
    body = Api().get("/agencies", {"province": "44", "q": "深圳"}).json()
    assert [a["code"] for a in body["results"]] == ["440300"]
    shenzhen = body["results"][0]
    assert shenzhen["city_name"] == "深圳市"
    assert shenzhen["province_code"] == "44"
    assert shenzhen["province_name"] == "广东省"


def test_filter_by_province_code_and_city_code(reference_data):
    in_guangdong = Api().get("/agencies", {"province_code": "44"}).json()["results"]
    assert in_guangdong and {a["province_code"] for a in in_guangdong} == {"44"}
    assert [a["code"] for a in Api().get("/agencies", {"city_code": "510100"}).json()["results"]] == ["510100"]


def test_q_matches_the_agency_name_too(reference_data):
    Agency.objects.filter(code="330100").update(name="杭州市社会保险服务中心")
    assert [a["code"] for a in Api().get("/agencies", {"q": "服务中心"}).json()["results"]] == ["330100"]


def test_inactive_agencies_are_not_listed(reference_data):
    Agency.objects.filter(code="330100").update(is_active=False)
    assert Api().get("/agencies", {"city_code": "330100"}).json()["count"] == 0


def test_a_municipality(reference_data):
    results = Api().get("/agencies", {"province": "11"}).json()["results"]
    assert [a["city_code"] for a in results] == ["110000"]


@pytest.mark.parametrize(
    "params",
    [{"province": "4"}, {"province": "abc"}, {"province_code": "440"}, {"city_code": "44030"}, {"q": "x" * 65}],
)
def test_malformed_filters_are_a_400(reference_data, params):
    response = Api().get("/agencies", params)
    assert response.status_code == 400
    assert set(response.json()) == set(params)


@pytest.mark.parametrize("page", ["abc", "-1", "1.5", "１", "99999999999999999999"])
def test_a_page_that_is_no_number_is_a_400(reference_data, page):
    response = Api().get("/agencies", {"page": page})
    assert response.status_code == 400
    assert "page" in response.json()


@pytest.mark.parametrize("page", ["0", "999"])
def test_a_page_out_of_range_is_a_404(reference_data, page):
    response = Api().get("/agencies", {"page": page})
    assert response.status_code == 404
    assert response.json()["detail"]


def test_the_last_page(reference_data):
    body = Api().get("/agencies", {"page": "last"}).json()
    assert body["next"] is None


def test_the_directory_runs_a_fixed_number_of_queries(reference_data, django_assert_max_num_queries):
    with django_assert_max_num_queries(2):
        Api().get("/agencies")
