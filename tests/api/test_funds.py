"""POST /cases/{reference}/remittance and /receipts, and the case body's "funds" (docs/api.md, "The money")."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from cases.selectors.funds import case_transfer
from regions.models import City
from tests.factories import WorkerFactory, advance, make_id_number, open_case

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

TODAY = timezone.localdate().isoformat()


def remittance_body(case, **changes):
    moving = case_transfer(case)
    return {
        "pooled_fund": str(moving.pooled_fund), "personal_account": str(moving.personal_account),
        "bank_reference": "ICBC-20261201-01", "value_date": TODAY, **changes,
    }


def receipt_body(amount, **changes):
    return {"amount": amount, "received_on": TODAY, "bank_reference": "BOC-IN-1", **changes}


@pytest.fixture
def case(users):
    return advance(open_case(users, status="agreement_issued"), users, "register_agreement")


def test_funds_is_null_before_the_agreement(api, users):
    case = open_case(users, status="verifying")
    assert api("origin_clerk").get(f"/cases/{case.reference}").json()["funds"] is None


def test_the_whole_journey_of_the_money(api, case):
    origin, destination = api("origin_clerk"), api("dest_clerk")
    body = destination.get(f"/cases/{case.reference}").json()
    assert body["funds"] == {
        "status": "awaiting_remittance", "remittance": None, "received_total": "0.00", "receipts": [],
        "difference": "0.00", "refunded_total": "0.00", "credited": "0.00",
    }
    assert "complete" not in api("dest_supervisor").get(f"/cases/{case.reference}").json()["available_transitions"]

    response = origin.post(f"/cases/{case.reference}/remittance", remittance_body(case))
    assert response.status_code == 200, response.content
    funds = response.json()["funds"]
    assert funds["status"] == "remitted"
    remittance = funds["remittance"]
    assert (remittance["pooled_fund"], remittance["personal_account"], remittance["total"]) == (
        "97920.00", "86321.01", "184241.01"
    )
    assert remittance["bank_reference"] == "ICBC-20261201-01" and remittance["value_date"] == TODAY
    assert remittance["recorded_at"]
    assert funds["difference"] == "-184241.01"
    assert response.json()["events"][-1]["transition"] == "record_remittance"

    response = destination.post(f"/cases/{case.reference}/receipts", receipt_body("100000.00"))
    assert response.status_code == 200, response.content
    funds = response.json()["funds"]
    assert (funds["status"], funds["received_total"], funds["difference"]) == ("remitted", "100000.00", "-84241.01")

    supervisor = api("dest_supervisor")
    response = supervisor.post(f"/cases/{case.reference}/transitions/complete", {})
    assert response.status_code == 400
    assert "-84241.01" in response.json()["detail"]

    response = supervisor.post(f"/cases/{case.reference}/receipts", receipt_body("84241.01", bank_reference="BOC-IN-2"))
    funds = response.json()["funds"]
    assert (funds["status"], funds["received_total"], funds["difference"]) == ("received", "184241.01", "0.00")
    assert [(r["amount"], r["bank_reference"]) for r in funds["receipts"]] == [
        ("100000.00", "BOC-IN-1"), ("84241.01", "BOC-IN-2")
    ]
    assert all(set(r) >= {"amount", "received_on", "bank_reference", "recorded_at"} for r in funds["receipts"])
    assert funds["credited"] == "184241.01"
    assert "complete" in response.json()["available_transitions"]
    response = supervisor.post(f"/cases/{case.reference}/transitions/complete", {})
    assert response.status_code == 200 and response.json()["status"] == "completed"
    assert response.json()["funds"]["status"] == "received"


def test_an_excess_is_a_discrepancy(api, users, case):
    api("origin_clerk").post(f"/cases/{case.reference}/remittance", remittance_body(case))
    response = api("dest_clerk").post(f"/cases/{case.reference}/receipts", receipt_body("184300.00"))
    funds = response.json()["funds"]
    assert (funds["status"], funds["difference"]) == ("discrepancy", "58.99")
    response = api("dest_supervisor").post(f"/cases/{case.reference}/transitions/complete", {})
    assert response.status_code == 400 and "+58.99" in response.json()["detail"]


def test_amounts_not_equal_to_what_moves_are_a_400_naming_the_difference(api, case):
    response = api("origin_clerk").post(
        f"/cases/{case.reference}/remittance", remittance_body(case, pooled_fund="97900.00")
    )
    assert response.status_code == 400
    assert "-20.00" in response.json()["detail"] and response.json()["code"] == "remittance_mismatch"


def test_a_second_remittance_is_a_409(api, case):
    client = api("origin_supervisor")
    assert client.post(f"/cases/{case.reference}/remittance", remittance_body(case)).status_code == 200
    response = client.post(f"/cases/{case.reference}/remittance", remittance_body(case))
    assert response.status_code == 409


def test_a_temporary_account_is_a_400_and_needs_no_funds(api, users):
    wuhan = City.objects.get(code="420100")
    worker = WorkerFactory(id_number=make_id_number(county="420103", birth=dt.date(1970, 1, 20)), hukou_city=wuhan)
    case = open_case(users, worker=worker, status="agreement_issued")
    body = api("origin_clerk").get(f"/cases/{case.reference}").json()
    assert body["funds"]["status"] == "not_required"
    response = api("origin_clerk").post(f"/cases/{case.reference}/remittance", remittance_body(case))
    assert response.status_code == 400
    advance(case, users, "register_agreement")
    response = api("dest_supervisor").post(f"/cases/{case.reference}/transitions/complete", {})
    assert response.status_code == 200


@pytest.mark.parametrize("username", ["dest_clerk", "dest_supervisor"])
def test_the_destination_may_not_remit(api, case, username):
    assert api(username).post(f"/cases/{case.reference}/remittance", remittance_body(case)).status_code == 403


@pytest.mark.parametrize("username", ["origin_clerk", "origin_supervisor"])
def test_the_origin_may_not_record_receipts(api, case, username):
    api("origin_clerk").post(f"/cases/{case.reference}/remittance", remittance_body(case))
    assert api(username).post(f"/cases/{case.reference}/receipts", receipt_body("1.00")).status_code == 403


def test_403_beats_409(api, users):
    case = open_case(users, status="verifying")
    assert api("dest_clerk").post(f"/cases/{case.reference}/remittance", remittance_body(case)).status_code == 403
    assert api("origin_clerk").post(f"/cases/{case.reference}/receipts", receipt_body("1.00")).status_code == 403
    assert api("origin_clerk").post(f"/cases/{case.reference}/remittance", remittance_body(case)).status_code == 409
    assert api("dest_clerk").post(f"/cases/{case.reference}/receipts", receipt_body("1.00")).status_code == 409


def test_a_receipt_before_the_remittance_is_a_409(api, case):
    response = api("dest_clerk").post(f"/cases/{case.reference}/receipts", receipt_body("1.00"))
    assert response.status_code == 409 and response.json()["code"] == "not_remitted"


def test_in_completed_the_money_may_not_change(api, users):
    case = open_case(users, status="completed")
    assert api("origin_clerk").post(f"/cases/{case.reference}/remittance", remittance_body(case)).status_code == 409
    assert api("dest_clerk").post(f"/cases/{case.reference}/receipts", receipt_body("1.00")).status_code == 409


@pytest.mark.parametrize("path", ["remittance", "receipts"])
def test_unknown_or_invisible_cases_are_a_404(api, users, path):
    case = open_case(users, status="agreement_issued")
    assert api("outsider_clerk").post(f"/cases/{case.reference}/{path}", receipt_body("1.00")).status_code == 404
    assert api("origin_clerk").post(f"/cases/TR-2026-NOPE00/{path}", receipt_body("1.00")).status_code == 404


def test_no_token_is_a_401(anonymous, users):
    case = open_case(users, status="agreement_issued")
    assert anonymous.post(f"/cases/{case.reference}/remittance", {}).status_code == 401


FUTURE = (timezone.localdate() + dt.timedelta(days=2)).isoformat()


@pytest.mark.parametrize(("changes", "field"), [
    ({"pooled_fund": "12.345"}, "pooled_fund"),
    ({"pooled_fund": "-1.00"}, "pooled_fund"),
    ({"pooled_fund": "abc"}, "pooled_fund"),
    ({"pooled_fund": 97920.0}, "pooled_fund"),
    ({"personal_account": None}, "personal_account"),
    ({"personal_account": "1e400"}, "personal_account"),
    ({"bank_reference": ""}, "bank_reference"),
    ({"bank_reference": "x" * 65}, "bank_reference"),
    ({"value_date": FUTURE}, "value_date"),
    ({"value_date": "2026-02-30"}, "value_date"),
    ({"value_date": 20261201}, "value_date"),
])
def test_bad_remittance_fields_are_a_400_by_field(api, case, changes, field):
    response = api("origin_clerk").post(f"/cases/{case.reference}/remittance", remittance_body(case, **changes))
    assert response.status_code == 400, response.content
    assert field in response.json()


@pytest.mark.parametrize(("changes", "field"), [
    ({"amount": "0.00"}, "amount"),
    ({"amount": "-5"}, "amount"),
    ({"amount": "1.001"}, "amount"),
    ({"amount": []}, "amount"),
    ({"received_on": FUTURE}, "received_on"),
    ({"received_on": "yesterday"}, "received_on"),
    ({"bank_reference": "   "}, "bank_reference"),
])
def test_bad_receipt_fields_are_a_400_by_field(api, case, changes, field):
    api("origin_clerk").post(f"/cases/{case.reference}/remittance", remittance_body(case))
    response = api("dest_clerk").post(f"/cases/{case.reference}/receipts", {**receipt_body("1.00"), **changes})
    assert response.status_code == 400, response.content
    assert field in response.json()


def test_a_body_that_is_no_object_is_a_400(api, case):
    response = api("origin_clerk").post(f"/cases/{case.reference}/remittance", ["x"])
    assert response.status_code == 400


def test_duplicates_carry_the_relationship_kept_and_the_refund(api, users):
    from tests.factories import periods

    worker = WorkerFactory()
    periods(worker, ("440300", "2016-01", "2024-06", "8000"), ("510100", "2019-07", "2019-12", "5000"))
    case = advance(open_case(users, worker=worker, status="agreement_issued", with_periods=False), users,
                   "register_agreement")
    (item,) = api("dest_clerk").get(f"/cases/{case.reference}").json()["duplicates"]
    assert (item["kept_city_code"], item["refund_amount"]) == (None, None)
    response = api("dest_clerk").post(f"/cases/{case.reference}/duplicates/resolve", {"keep_city_code": "510100"})
    (item,) = response.json()["duplicates"]
    assert item["kept_city_code"] == "510100" and Decimal(item["refund_amount"]) > 0
    assert response.json()["funds"]["refunded_total"] == item["refund_amount"]
