"""docs/api.md 1.1 "Corrections and arrears": PATCH, DELETE and history of a period; who may read a worker; the access
record of every read."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from cases.ids import check_character
from cases.models import ContributionPeriod, Worker, WorkerAccess
from tests.factories import WorkerFactory, agency, make_id_number, open_case, periods

pytestmark = pytest.mark.usefixtures("english")


def period_of(worker, city: str = "440300") -> ContributionPeriod:
    return ContributionPeriod.objects.filter(worker=worker, city_id=city).order_by("start_month").first()


def path(worker, period=None, suffix: str = "") -> str:
    base = f"/workers/{worker.id_number}/contributions"
    return base if period is None else f"{base}/{period if isinstance(period, int) else period.pk}{suffix}"


def patch(api, user: str, url: str, body: dict):
    return api(user).client.patch("/api/v1" + url, json.dumps(body), content_type="application/json")


def delete(api, user: str, url: str, body: dict | None = None):
    return api(user).client.delete("/api/v1" + url, json.dumps(body or {}), content_type="application/json")


@pytest.fixture
def worker(users):
    made = WorkerFactory()
    periods(made, ("440300", "2016-01", "2018-12", "1.00"), ("440300", "2019-01", "2019-06", "8000", None, False))
    return made


# --- PATCH ---------------------------------------------------------------------------------------


def test_a_correction_answers_the_period_with_its_versions(api, worker):
    period = period_of(worker)
    response = patch(api, "origin_clerk", path(worker, period), {"monthly_base": "8000.00", "reason": "typed 1.00"})
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["id"], body["monthly_base"], body["versions"], body["locked"]) == (period.pk, "8000.00", 2, False)
    listed = {p["id"]: p for p in api("origin_clerk").get(path(worker)).json()["results"]}
    assert listed[period.pk]["versions"] == 2 and listed[period.pk]["monthly_base"] == "8000.00"


def test_settling_arrears_is_a_patch_with_paid_true(api, worker):
    owed = ContributionPeriod.objects.get(worker=worker, paid=False)
    response = patch(api, "origin_clerk", path(worker, owed), {"paid": True, "reason": "settled 2026-11-20"})
    assert response.status_code == 200 and response.json()["paid"] is True
    owed.refresh_from_db()
    assert owed.paid


def test_a_correction_is_checked_as_a_batch_row(api, worker):
    period = period_of(worker)
    bad = patch(api, "origin_clerk", path(worker, period), {
        "end_month": "2019-03", "monthly_base": 8000.5, "paid": "yes", "reason": "x",
    })
    assert bad.status_code == 400
    # As in a batch, the overlap is looked for once the row itself reads well.
    assert set(bad.json()) == {"monthly_base", "paid"}
    overlap = patch(api, "origin_clerk", path(worker, period), {"end_month": "2019-03", "reason": "x"})
    assert overlap.status_code == 400 and list(overlap.json()) == ["start_month"]
    assert patch(api, "origin_clerk", path(worker, period), {"start_month": "2016-13", "reason": "x"}).json()[
        "start_month"
    ]
    assert period_of(worker).monthly_base == period.monthly_base


def test_a_reason_is_required(api, worker):
    period = period_of(worker)
    response = patch(api, "origin_clerk", path(worker, period), {"monthly_base": "8000.00"})
    assert response.status_code == 400 and list(response.json()) == ["reason"]
    response = patch(api, "origin_clerk", path(worker, period), {"monthly_base": "8000.00", "reason": ""})
    assert response.status_code == 400 and "reason" in response.json()


@pytest.mark.parametrize("body", [[], "x", {"reason": "only a reason"}, {"city_code": "440100", "reason": "x"}])
def test_a_body_that_corrects_nothing_is_a_400(api, worker, body):
    response = api("origin_clerk").client.patch(
        "/api/v1" + path(worker, period_of(worker)), json.dumps(body), content_type="application/json"
    )
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"


def test_another_citys_clerk_may_read_but_not_correct(api, worker, users):
    open_case(users, worker=worker, status="verifying", with_periods=False)  # Chengdu is the destination
    period = period_of(worker)
    assert api("dest_clerk").get(path(worker)).status_code == 200
    response = patch(api, "dest_clerk", path(worker, period), {"monthly_base": "8000.00", "reason": "x"})
    assert response.status_code == 403
    assert delete(api, "dest_clerk", path(worker, period), {"reason": "x"}).status_code == 403


def test_a_locked_period_is_a_409(api, worker):
    period = period_of(worker)
    ContributionPeriod.objects.filter(pk=period.pk).update(locked=True)
    assert api("origin_clerk").get(path(worker)).json()["results"][0]["locked"] is True
    response = patch(api, "origin_clerk", path(worker, period), {"monthly_base": "8000.00", "reason": "x"})
    assert response.status_code == 409 and response.json()["code"] == "locked"
    assert delete(api, "origin_clerk", path(worker, period), {"reason": "x"}).status_code == 409


def test_an_agency_with_no_link_gets_404s(api, worker):
    period = period_of(worker)
    outsider = "outsider_clerk"  # Hangzhou: no case, no period, did not register the worker
    assert api(outsider).get(f"/workers/{worker.id_number}").status_code == 404
    assert api(outsider).get(path(worker)).status_code == 404
    assert api(outsider).get(path(worker, period, "/history")).status_code == 404
    assert patch(api, outsider, path(worker, period), {"monthly_base": "8000.00", "reason": "x"}).status_code == 404
    assert delete(api, outsider, path(worker, period), {"reason": "x"}).status_code == 404
    # Exactly as for a worker who does not exist.
    assert api(outsider).get("/workers/440524188001010014").json() == api(outsider).get(
        f"/workers/{worker.id_number}"
    ).json()
    assert not WorkerAccess.objects.exists()


def test_another_workers_period_or_an_unknown_one_is_a_404(api, worker):
    other = WorkerFactory()
    periods(other, ("440300", "2016-01", "2016-12", "8000"))
    assert patch(api, "origin_clerk", path(worker, period_of(other)), {"paid": False, "reason": "x"}).status_code == 404
    assert api("origin_clerk").get(path(worker, period_of(other), "/history")).status_code == 404
    assert api("origin_clerk").get(path(worker, 999999999, "/history")).status_code == 404


# --- DELETE and history --------------------------------------------------------------------------


def test_delete_then_the_history_shows_every_version_oldest_first(api, worker, users):
    period = period_of(worker)
    patch(api, "origin_clerk", path(worker, period), {"monthly_base": "8000.00", "reason": "typed 1.00"})
    assert delete(api, "origin_clerk", path(worker, period)).status_code == 400
    response = delete(api, "origin_supervisor", path(worker, period), {"reason": "belongs to another worker"})
    assert response.status_code == 204 and response.content == b""
    assert period.pk not in {p["id"] for p in api("origin_clerk").get(path(worker)).json()["results"]}
    assert delete(api, "origin_clerk", path(worker, period), {"reason": "again"}).status_code == 404

    history = api("origin_clerk").get(path(worker, period, "/history"))
    assert history.status_code == 200
    versions = history.json()
    assert [(v["changed_by"], v["reason"], v["deleted"], v["values"]["monthly_base"]) for v in versions] == [
        (None, "", False, "1.00"),
        ("origin_clerk", "typed 1.00", False, "8000.00"),
        ("origin_supervisor", "belongs to another worker", True, "8000.00"),
    ]
    assert versions[0]["values"] == {
        "monthly_base": "1.00", "personal_account_credit": None, "paid": True, "start_month": "2016-01",
        "end_month": "2018-12", "city_code": "440300", "insurance_type": "pension",
    }
    stamps = [dt.datetime.fromisoformat(v["changed_at"]) for v in versions]
    assert stamps == sorted(stamps)


# --- who may read, and the record of each read ---------------------------------------------------


def test_a_worker_is_visible_through_a_case_a_period_in_the_city_or_the_registration(api, users):
    by_case = WorkerFactory()
    open_case(users, worker=by_case, with_periods=False)  # Shenzhen → Chengdu
    by_period = WorkerFactory()
    periods(by_period, ("330100", "2015-01", "2015-12", "5000", None, False))  # arrears count too
    first17 = "33010619900307001"
    registered = api("outsider_clerk").post("/workers", {
        "id_number": f"{first17[:6]} {first17[6:14]} {first17[14:]}{check_character(first17).lower()}",
        "name": "杭州人", "hukou_city_code": "330100", "phone": "0571-8888 1234",
    })
    assert registered.status_code == 201, registered.content
    number = registered.json()["id_number"]
    assert api("dest_clerk").get(f"/workers/{by_case.id_number}").status_code == 200
    assert api("origin_clerk").get(f"/workers/{by_case.id_number}").status_code == 200
    assert api("outsider_clerk").get(f"/workers/{by_case.id_number}").status_code == 404
    assert api("outsider_clerk").get(f"/workers/{by_period.id_number}").status_code == 200
    assert api("origin_clerk").get(f"/workers/{by_period.id_number}").status_code == 404
    assert api("outsider_clerk").get(f"/workers/{number}").status_code == 200
    assert api("origin_clerk").get(f"/workers/{number}").status_code == 404


def test_recording_a_period_in_ones_own_city_links_the_agency_to_the_worker(api, worker):
    assert api("outsider_clerk").get(f"/workers/{worker.id_number}").status_code == 404
    response = api("outsider_clerk").post(path(worker), {"records": [{
        "insurance_type": "pension", "city_code": "330100", "start_month": "2012-01", "end_month": "2012-12",
        "monthly_base": "5000.00",
    }]})
    assert response.status_code == 201
    assert api("outsider_clerk").get(path(worker)).json()["count"] == 3


def test_every_read_of_a_full_id_or_a_history_is_recorded(api, worker):
    period = period_of(worker)
    client = api("origin_clerk")
    client.get(f"/workers/{worker.id_number.lower()}", REMOTE_ADDR="10.0.0.7")
    client.get(path(worker), {"insurance_type": "pension"})
    client.get(path(worker, period, "/history"))
    records = list(WorkerAccess.objects.order_by("id"))
    assert [(r.what, r.username, r.agency.code, r.worker_id) for r in records] == [
        (WorkerAccess.What.WORKER, "origin_clerk", "440300", worker.pk),
        (WorkerAccess.What.CONTRIBUTIONS, "origin_clerk", "440300", worker.pk),
        (WorkerAccess.What.PERIOD_HISTORY, "origin_clerk", "440300", worker.pk),
    ]
    assert records[0].ip == "10.0.0.7"
    # The record says where, without the number once more.
    assert all(worker.id_number not in r.path and worker.id_number.lower() not in r.path for r in records)
    assert records[2].path == f"/api/v1/workers/{worker.id_number[:4]}**********{worker.id_number[-4:]}" \
        f"/contributions/{period.pk}/history"


def test_the_agreement_pdf_is_recorded_as_a_document(api, users):
    case = open_case(users, status="agreement_issued")
    assert api("dest_clerk").get(f"/cases/{case.reference}/agreement.pdf").status_code == 200
    access = WorkerAccess.objects.get()
    assert (access.what, access.case, access.agency.code) == (WorkerAccess.What.DOCUMENT, case, "510100")


def test_the_registering_agency_is_kept(api):
    number = make_id_number()
    response = api("dest_clerk").post("/workers", {"id_number": number, "name": "x", "hukou_city_code": "510100"})
    assert response.status_code == 201
    assert Worker.objects.get(id_number=number).registered_by_agency == agency("510100")


@pytest.mark.parametrize("phone", ["12345", "abc", "+86 138 0013 80001"])
def test_an_invalid_phone_number_is_a_400_on_the_field(api, phone):
    response = api("dest_clerk").post("/workers", {
        "id_number": make_id_number(), "name": "x", "hukou_city_code": "510100", "phone": phone,
    })
    assert response.status_code == 400 and list(response.json()) == ["phone"]


@pytest.mark.parametrize("prefix", ["810000", "820000", "830000"])
def test_a_residence_permit_holder_is_registered(api, prefix):
    first17 = f"{prefix}19900307003"
    number = first17 + check_character(first17)
    response = api("dest_clerk").post("/workers", {"id_number": number.lower(), "name": "陳大文", "hukou_city_code": "440300"})
    assert response.status_code == 201, response.content
    assert response.json()["id_number"] == number and response.json()["birth_date"] == "1990-03-07"


def test_id_numbers_typed_loosely_find_the_same_worker_and_case(api, users, anonymous):
    case = open_case(users)
    number = case.worker.id_number
    full_width = number.translate(str.maketrans("0123456789X", "０１２３４５６７８９ｘ"))
    spaced = f"{number[:6]} {number[6:14]}-{number[14:].lower()}"
    assert anonymous.post("/status", {"reference": case.reference, "id_number": full_width}).status_code == 200
    assert anonymous.post("/status", {"reference": case.reference, "id_number": spaced}).status_code == 200
    response = api("origin_clerk").post("/cases", {
        "worker": spaced, "insurance_type": "medical", "origin_agency": "440300", "destination_agency": "510100",
    })
    assert response.status_code == 201 and response.json()["worker"]["id_number"] == number
