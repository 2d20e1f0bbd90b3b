"""Workers and their contribution batches: POST/GET /api/v1/workers…"""

from __future__ import annotations

import pytest

from cases.models import ContributionPeriod, Worker
from tests.factories import WorkerFactory, agency, make_id_number, periods


def new_worker(api, username: str = "dest_clerk", **overrides: object):
    body = {"id_number": make_id_number(), "name": "李四", "hukou_city_code": "510100", **overrides}
    return api(username).post("/workers", body)


def record(**overrides: object) -> dict:
    return {
        "insurance_type": "pension", "city_code": "440300", "start_month": "2016-01", "end_month": "2020-12",
        "monthly_base": "8000.00", **overrides,
    }


# --- POST /workers ---------------------------------------------------------------------------


def test_register_a_worker(api):
    response = api("dest_clerk").post(
        "/workers", {"id_number": "11010519491231002x", "name": " 王五 ", "hukou_city_code": "110000"}
    )
    assert response.status_code == 201
    assert response.json() == {
        "id_number": "11010519491231002X", "name": "王五", "gender": "female", "birth_date": "1949-12-31",
        "hukou_city_code": "110000",
    }
    assert Worker.objects.filter(id_number="11010519491231002X").exists()


@pytest.mark.parametrize(
    ("id_number", "fragment"),
    [
        ("320106199003071235", "4"),  # check character should be 4
        ("12345", "18"),
        ("990106199003071235", "99"),  # no province
        ("320106199002301234", "19900230"),  # no such date
    ],
)
def test_an_invalid_id_number_is_a_400_on_the_field(api, id_number, fragment):
    response = new_worker(api, id_number=id_number)
    assert response.status_code == 400
    assert list(response.json()) == ["id_number"]
    assert fragment in response.json()["id_number"][0]


def test_an_id_number_already_registered_is_a_400(api):
    worker = WorkerFactory()
    response = new_worker(api, id_number=worker.id_number.lower())
    assert response.status_code == 400
    assert "id_number" in response.json()


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"hukou_city_code": "999999"}, "hukou_city_code"),
        ({"hukou_city_code": True}, "hukou_city_code"),
        ({"name": ""}, "name"),
        ({"name": "   "}, "name"),
        ({"name": "名" * 65}, "name"),
        ({"name": ["李四"]}, "name"),
    ],
)
def test_bad_fields_are_a_400(api, overrides, field):
    response = new_worker(api, **overrides)
    assert response.status_code == 400
    assert field in response.json()


# --- GET /workers/{id_number} ----------------------------------------------------------------


def test_a_worker_with_benefit_province_and_months(api):
    worker = WorkerFactory()
    periods(worker, ("440300", "2010-01", "2020-12", "8000"), ("440100", "2021-01", "2021-06", "9000"))
    periods(worker, ("440300", "2015-01", "2015-12", "8000"), insurance_type="medical")
    response = api("origin_clerk").get(f"/workers/{worker.id_number.lower()}")
    assert response.status_code == 200
    body = response.json()
    assert body["id_number"] == worker.id_number
    assert body["benefit_receipt_province"] == "44"
    assert body["benefit_receipt_province_name"] == "广东省"
    assert body["benefit_receipt_reason"] == "current_ten_years"
    assert body["contribution_months"] == {"pension": 138, "medical": 12, "unemployment": 0}


def test_a_worker_without_history_draws_at_the_hukou_province(api):
    worker = WorkerFactory(registered_by_agency=agency("440300"))
    body = api("origin_clerk").get(f"/workers/{worker.id_number}").json()
    assert body["benefit_receipt_province"] == "51"
    assert body["benefit_receipt_reason"] == "no_history"


@pytest.mark.parametrize("id_number", ["440524188001010014", "1", "abc", "x" * 30])
def test_an_unknown_worker_is_a_404(api, id_number):
    response = api("origin_clerk").get(f"/workers/{id_number}")
    assert response.status_code == 404
    assert response.json()["detail"]


# --- POST /workers/{id_number}/contributions -------------------------------------------------


def test_record_a_batch(api):
    worker = WorkerFactory()
    response = api("origin_clerk").post(
        f"/workers/{worker.id_number}/contributions",
        {"records": [
            record(),
            record(start_month="2021-01", end_month="2021-12", monthly_base=9000, personal_account_credit="700.5"),
            record(insurance_type="medical", paid=False),
        ]},
    )
    assert response.status_code == 201
    assert response.json() == {"created": 3}
    assert ContributionPeriod.objects.filter(worker=worker).count() == 3
    assert ContributionPeriod.objects.get(worker=worker, personal_account_credit__isnull=False).recorded_by.username == (
        "origin_clerk"
    )


def test_one_bad_row_and_nothing_is_stored(api):
    worker = WorkerFactory()
    response = api("origin_clerk").post(
        f"/workers/{worker.id_number}/contributions",
        {"records": [
            record(),
            record(start_month="2021-13", monthly_base=8000.5),
            record(start_month="2022-01", end_month="2022-06", insurance_type="maternity"),
            "not an object",
        ]},
    )
    assert response.status_code == 400
    rows = response.json()["records"]
    assert set(rows) == {"1", "2", "3"}
    assert set(rows["1"]) == {"start_month", "monthly_base"}
    assert set(rows["2"]) == {"insurance_type"}
    assert set(rows["3"]) == {"non_field_errors"}
    assert not ContributionPeriod.objects.filter(worker=worker).exists()


def test_a_clerk_records_only_for_their_own_city(api):
    worker = WorkerFactory()
    response = api("dest_clerk").post(f"/workers/{worker.id_number}/contributions", {"records": [record()]})
    assert response.status_code == 400
    assert "city_code" in response.json()["records"]["0"]


def test_an_overlapping_period_is_a_400(api):
    worker = WorkerFactory()
    periods(worker, ("440300", "2018-01", "2018-12", "8000"))
    response = api("origin_clerk").post(f"/workers/{worker.id_number}/contributions", {"records": [record()]})
    assert response.status_code == 400
    assert "start_month" in response.json()["records"]["0"]


@pytest.mark.parametrize("body", [{}, {"records": []}, {"records": "x"}, {"records": {"0": record()}}, [record()]])
def test_a_batch_that_is_no_list_of_records_is_a_400(api, body):
    worker = WorkerFactory()
    response = api("origin_clerk").post(f"/workers/{worker.id_number}/contributions", body)
    assert response.status_code == 400


def test_contributions_of_an_unknown_worker_are_a_404(api):
    response = api("origin_clerk").post("/workers/440524188001010014/contributions", {"records": [record()]})
    assert response.status_code == 404


# --- GET /workers/{id_number}/contributions --------------------------------------------------


def test_list_contributions_with_a_filter(api):
    worker = WorkerFactory()
    periods(worker, ("440300", "2016-01", "2020-12", "8000.5", "640.04"))
    periods(worker, ("440300", "2016-01", "2016-12", "8000", None, False), insurance_type="medical")
    response = api("origin_clerk").get(f"/workers/{worker.id_number}/contributions", {"insurance_type": "pension"})
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1
    assert body["results"][0] | {"recorded_at": None, "id": None} == {
        "id": None, "locked": False, "versions": 1,
        "insurance_type": "pension", "city_code": "440300", "city_name": "深圳市", "start_month": "2016-01",
        "end_month": "2020-12", "months": 60, "monthly_base": "8000.50", "personal_account_credit": "640.04",
        "paid": True, "recorded_at": None,
    }
    everything = api("origin_clerk").get(f"/workers/{worker.id_number}/contributions").json()
    assert everything["count"] == 2
    assert {p["paid"] for p in everything["results"]} == {True, False}


def test_an_unknown_insurance_type_filter_is_a_400(api):
    worker = WorkerFactory()
    response = api("origin_clerk").get(f"/workers/{worker.id_number}/contributions", {"insurance_type": "maternity"})
    assert response.status_code == 400
    assert "insurance_type" in response.json()


def test_the_contribution_list_runs_a_fixed_number_of_queries(api, django_assert_max_num_queries):
    worker = WorkerFactory()
    client = api("origin_clerk")
    periods(worker, ("440300", "2016-01", "2016-12", "8000"))
    with django_assert_max_num_queries(6) as few:
        client.get(f"/workers/{worker.id_number}/contributions")
    for year in range(2000, 2015):
        periods(worker, ("440300", f"{year}-01", f"{year}-12", "8000"))
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(f"/workers/{worker.id_number}/contributions")
