"""Cases: open, list, detail, transitions, duplicates, the agreement PDF."""

from __future__ import annotations

import datetime as dt

import pytest

from cases.models import CaseEvent, TransferCase
from regions.models import CreditRate
from tests.factories import WorkerFactory, advance, latest_agreement, make_id_number, open_case, periods
from tests.pdf import pdf_text

CASE_FIELDS = {
    "reference", "status", "status_label", "insurance_type", "worker", "origin_agency", "destination_agency",
    "lodged_at", "outcome", "application_date", "due_date", "due_estimated", "overdue", "outcome_reason",
    "approved_transfer_reference", "figures", "transfer", "agreement", "agreements", "acceptance", "duplicates",
    "available_transitions", "blockers", "events", "assignee", "funds", "applicant",
}


def open_body(who, **overrides: object) -> dict:
    return {
        "worker": who.id_number, "insurance_type": "pension", "origin_agency": "440300",
        "destination_agency": "510100", **overrides,
    }


def with_duplicate(users, status: str = "receiving") -> TransferCase:
    worker = WorkerFactory()
    periods(worker, ("440300", "2016-01", "2024-06", "8000"), ("510100", "2024-01", "2024-03", "6000"))
    return open_case(users, worker=worker, status=status, with_periods=False)


# --- POST /cases -----------------------------------------------------------------------------


def test_open_a_case_lodged_at_the_destination(api):
    worker = WorkerFactory()
    periods(worker, ("440300", "2016-01", "2024-06", "8000"))
    response = api("dest_clerk").post("/cases", open_body(worker))
    assert response.status_code == 201
    body = response.json()
    assert set(body) == CASE_FIELDS
    assert body["status"] == "submitted"
    assert body["lodged_at"] == "510100"
    assert body["origin_agency"] == "440300" and body["destination_agency"] == "510100"
    assert body["worker"] == {"id_number": worker.id_number, "name": worker.name}
    assert body["outcome"] == "full_transfer"
    assert body["figures"] == {
        "contribution_months": 102, "pooled_fund_amount": "97920.00", "personal_account_principal": "65280.00",
        "personal_account_balance": body["figures"]["personal_account_balance"], "frozen": False,
    }
    assert body["figures"]["personal_account_balance"].count(".") == 1
    assert len(body["figures"]["personal_account_balance"].split(".")[1]) == 2
    assert body["agreement"] is None
    assert body["available_transitions"] == ["withdraw"]
    assert [e["transition"] for e in body["events"]] == ["open"]
    assert body["events"][0]["agency"] == "510100"
    assert dt.date.fromisoformat(body["due_date"]) > dt.date.fromisoformat(body["application_date"])


def test_an_older_worker_moving_away_from_hukou_gets_a_temporary_account(api):
    worker = WorkerFactory(id_number=make_id_number(birth=dt.date(1970, 1, 1)))
    body = api("origin_clerk").post("/cases", open_body(worker, destination_agency="330100")).json()
    assert body["outcome"] == "temporary_account"
    assert body["outcome_reason"]


def test_an_approved_transfer_moves_the_relationship(api):
    worker = WorkerFactory(id_number=make_id_number(birth=dt.date(1970, 1, 1)))
    body = api("origin_clerk").post(
        "/cases", open_body(worker, destination_agency="330100", approved_transfer_reference="浙人社〔2026〕12号")
    ).json()
    assert body["outcome"] == "full_transfer"
    assert body["approved_transfer_reference"] == "浙人社〔2026〕12号"


@pytest.mark.parametrize(
    ("username", "overrides", "code"),
    [
        ("origin_clerk", {"destination_agency": "440100"}, "same_pooling_area"),
        ("origin_clerk", {"destination_agency": "440300"}, "same_agency"),
        ("outsider_clerk", {}, "not_a_party"),
    ],
)
def test_rules_that_refuse_a_case_are_a_400_naming_them(api, username, overrides, code):
    response = api(username).post("/cases", open_body(WorkerFactory(), **overrides))
    assert response.status_code == 400
    assert response.json()["code"] == code
    assert response.json()["detail"]
    assert not TransferCase.objects.exists()


def test_a_second_open_case_of_the_same_type_is_a_400(api, users):
    case = open_case(users)
    response = api("dest_clerk").post("/cases", open_body(case.worker))
    assert response.status_code == 400
    assert response.json()["code"] == "already_open"
    other_type = api("dest_clerk").post("/cases", open_body(case.worker, insurance_type="unemployment"))
    assert other_type.status_code == 201


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"worker": "440524188001010014"}, "worker"),
        ({"worker": 12}, "worker"),
        ({"insurance_type": "maternity"}, "insurance_type"),
        ({"origin_agency": "999999"}, "origin_agency"),
        ({"destination_agency": None}, "destination_agency"),
        ({"approved_transfer_reference": "x" * 65}, "approved_transfer_reference"),
    ],
)
def test_bad_fields_when_opening_are_a_400(api, overrides, field):
    response = api("origin_clerk").post("/cases", open_body(WorkerFactory(), **overrides))
    assert response.status_code == 400
    assert field in response.json()


# --- GET /cases ------------------------------------------------------------------------------


def test_the_list_shows_only_the_callers_agency(api, users):
    mine = open_case(users)
    elsewhere = WorkerFactory()
    periods(elsewhere, ("330100", "2016-01", "2024-06", "8000"))
    api("dest_clerk").post("/cases", open_body(elsewhere, origin_agency="330100"))
    origin = api("origin_clerk").get("/cases").json()
    assert [c["reference"] for c in origin["results"]] == [mine.reference]
    assert api("dest_supervisor").get("/cases").json()["count"] == 2
    assert api("outsider_clerk").get("/cases").json()["count"] == 1


def test_list_filters(api, users):
    submitted = open_case(users)
    verifying = open_case(users, status="verifying")
    inbound = open_case(users, origin="510100", destination="440300")
    TransferCase.objects.filter(pk=verifying.pk).update(due_date=dt.date(2020, 1, 1))
    client = api("origin_clerk")

    def refs(**params: object) -> set[str]:
        response = client.get("/cases", params)
        assert response.status_code == 200
        return {c["reference"] for c in response.json()["results"]}

    assert refs(status="verifying") == {verifying.reference}
    assert refs(side="origin") == {submitted.reference, verifying.reference}
    assert refs(side="destination") == {inbound.reference}
    assert refs(overdue="true") == {verifying.reference}
    assert refs(overdue="false") == {submitted.reference, inbound.reference}
    assert refs(q=submitted.reference[-4:].lower()) == {submitted.reference}
    assert refs(q=inbound.worker.name) == {inbound.reference}
    assert refs(q=verifying.worker.id_number[-6:]) == {verifying.reference}
    overdue_row = client.get("/cases", {"overdue": "true"}).json()["results"][0]
    assert overdue_row["overdue"] is True


@pytest.mark.parametrize("params", [{"status": "lost"}, {"side": "both"}, {"overdue": "maybe"}, {"q": "x" * 65}])
def test_bad_list_filters_are_a_400(api, params):
    response = api("origin_clerk").get("/cases", params)
    assert response.status_code == 400
    assert set(response.json()) == set(params)


def test_the_list_runs_a_fixed_number_of_queries(api, users, django_assert_max_num_queries):
    client = api("dest_clerk")
    open_case(users)
    client.get("/cases")  # the process's agency directory is built once, on the first list
    # token and user, membership, the count, the sort keys at each end, the rows shown (cases/selectors/lists.py)
    with django_assert_max_num_queries(6) as few:
        assert client.get("/cases").json()["count"] == 1
    for status in ["verifying", "agreement_issued", "receiving", "completed", "rejected", "withdrawn", "submitted"]:
        open_case(users, status=status)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get("/cases").json()["count"] == 8


# --- GET /cases/{reference} ------------------------------------------------------------------


def test_frozen_figures_after_the_agreement(api, users):
    case = open_case(users, status="agreement_issued")
    body = api("dest_clerk").get(f"/cases/{case.reference}").json()
    assert body["figures"]["frozen"] is True
    assert body["agreement"]["number"].startswith("XY-440300-")
    assert len(body["agreement"]["verification_code"]) == 12
    assert body["available_transitions"] == ["register_agreement"]
    # A period recorded later changes the live quote of no case whose agreement is issued.
    periods(case.worker, ("440300", "2025-01", "2025-06", "8000"))
    after = api("dest_clerk").get(f"/cases/{case.reference}").json()
    assert after["figures"] == body["figures"]


def test_available_transitions_depend_on_side_and_role(api, users):
    case = open_case(users, status="verifying")

    def available(username: str) -> list[str]:
        return api(username).get(f"/cases/{case.reference}").json()["available_transitions"]

    assert available("origin_clerk") == ["request_info", "withdraw"]
    assert available("origin_supervisor") == ["request_info", "reject", "issue_agreement", "withdraw"]
    assert available("dest_clerk") == ["withdraw"]
    assert available("dest_supervisor") == ["withdraw"]


def test_a_blocked_transition_is_not_available_and_says_why(api, users):
    case = open_case(users, status="verifying")
    CreditRate.objects.filter(year=2025).delete()
    body = api("origin_supervisor").get(f"/cases/{case.reference}").json()
    assert "issue_agreement" not in body["available_transitions"]
    assert body["blockers"][0]["transition"] == "issue_agreement"
    assert "2025" in body["blockers"][0]["message"]
    assert body["figures"]["personal_account_balance"] is None


def test_completed_case_shows_the_acceptance(api, users):
    case = open_case(users, status="completed")
    body = api("origin_clerk").get(f"/cases/{case.reference}").json()
    assert body["acceptance"]["number"].startswith("JS-510100-")
    assert body["available_transitions"] == []
    assert [e["to"] for e in body["events"]] == [
        "submitted", "verifying", "agreement_issued", "receiving", "receiving", "receiving", "completed"
    ]
    assert body["funds"]["status"] == "received"


@pytest.mark.parametrize("reference", ["TR-2026-ZZZZZZ", "nothing", "tr-2026-zzzzzz"])
def test_an_unknown_case_is_a_404(api, reference):
    assert api("origin_clerk").get(f"/cases/{reference}").status_code == 404


def test_the_detail_runs_a_fixed_number_of_queries(api, users, django_assert_max_num_queries):
    client = api("dest_supervisor")
    small = open_case(users, status="receiving")
    # token and user, membership, case, events, duplicates, pooling levels, periods, destination policy,
    # the remittance and its receipts
    with django_assert_max_num_queries(10) as few:
        client.get(f"/cases/{small.reference}")
    worker = WorkerFactory()
    for year in range(2016, 2024):
        for first, last in (("01", "03"), ("04", "06"), ("07", "09"), ("10", "12")):
            periods(worker, ("440300", f"{year}-{first}", f"{year}-{last}", "5000"))
    periods(worker, ("510100", "2016-01", "2016-06", "5000"), ("330100", "2018-01", "2018-06", "5000"))
    big = open_case(users, worker=worker, status="verifying", with_periods=False)
    for _ in range(6):
        big = advance(big, users, "request_info", "provide_info")
    big = advance(big, users, "issue_agreement", "register_agreement")
    assert big.duplicates.count() == 4 and big.events.count() > 15
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(f"/cases/{big.reference}").status_code == 200


# --- POST /cases/{reference}/transitions/{name} ----------------------------------------------


def test_run_a_transition(api, users):
    case = open_case(users)
    response = api("origin_clerk").post(f"/cases/{case.reference}/transitions/start_verification", {"note": "开始核查"})
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "verifying"
    assert body["events"][-1] | {"at": None} == {
        "at": None, "transition": "start_verification", "from": "submitted", "to": "verifying",
        "actor": "origin_clerk", "agency": "440300", "note": "开始核查",
    }


def test_the_note_is_optional_where_no_reason_is_required(api, users):
    case = open_case(users)
    assert api("origin_clerk").post(f"/cases/{case.reference}/transitions/start_verification").status_code == 200


@pytest.mark.parametrize(
    ("status", "name", "username"),
    [
        ("submitted", "start_verification", "dest_clerk"),  # wrong side
        ("verifying", "issue_agreement", "origin_clerk"),  # supervisors only
        ("verifying", "reject", "origin_clerk"),
        ("agreement_issued", "register_agreement", "origin_supervisor"),
        ("receiving", "complete", "dest_clerk"),
        ("receiving", "return_to_origin", "origin_clerk"),
    ],
)
def test_a_side_or_role_that_may_not_run_it_is_a_403(api, users, status, name, username):
    case = open_case(users, status=status)
    response = api(username).post(f"/cases/{case.reference}/transitions/{name}", {"note": "x"})
    assert response.status_code == 403
    assert response.json()["code"] == "forbidden"
    assert TransferCase.objects.get(pk=case.pk).status == status


@pytest.mark.parametrize(
    ("status", "name", "username"),
    [
        ("verifying", "start_verification", "origin_clerk"),
        ("submitted", "issue_agreement", "origin_supervisor"),
        ("submitted", "register_agreement", "dest_clerk"),
        ("completed", "withdraw", "dest_clerk"),
        ("agreement_issued", "withdraw", "origin_clerk"),
    ],
)
def test_a_state_that_does_not_allow_it_is_a_409(api, users, status, name, username):
    case = open_case(users, status=status)
    response = api(username).post(f"/cases/{case.reference}/transitions/{name}", {"note": "x"})
    assert response.status_code == 409
    assert response.json()["code"] == "wrong_state"


def test_403_wins_over_409(api, users):
    case = open_case(users)  # submitted: neither complete's side nor its state
    response = api("origin_clerk").post(f"/cases/{case.reference}/transitions/complete")
    assert response.status_code == 403


@pytest.mark.parametrize(("status", "name"), [("verifying", "request_info"), ("submitted", "reject")])
def test_a_missing_reason_is_a_400(api, users, status, name):
    case = open_case(users, status=status)
    response = api("origin_supervisor").post(f"/cases/{case.reference}/transitions/{name}", {"note": "   "})
    assert response.status_code == 400
    assert response.json()["code"] == "reason_required"


def test_a_missing_credit_rate_blocks_the_agreement_naming_the_year(api, users):
    case = open_case(users, status="verifying")
    CreditRate.objects.filter(year=2025).delete()
    response = api("origin_supervisor").post(f"/cases/{case.reference}/transitions/issue_agreement")
    assert response.status_code == 400
    assert "2025" in response.json()["detail"]
    assert response.json()["code"] == "issue_agreement"


def test_arrears_block_the_agreement(api, users):
    worker = WorkerFactory()
    periods(worker, ("440300", "2016-01", "2023-12", "8000"), ("440300", "2024-01", "2024-03", "8000", None, False))
    case = open_case(users, worker=worker, status="verifying", with_periods=False)
    response = api("origin_supervisor").post(f"/cases/{case.reference}/transitions/issue_agreement")
    assert response.status_code == 400
    assert "2024-01" in response.json()["detail"]


@pytest.mark.parametrize("name", ["fly", "open", "resolve_duplicate"])
def test_an_unknown_transition_is_a_400(api, users, name):
    case = open_case(users)
    response = api("origin_clerk").post(f"/cases/{case.reference}/transitions/{name}")
    assert response.status_code == 400
    assert "name" in response.json()


def test_a_note_too_long_is_a_400(api, users):
    case = open_case(users, status="verifying")
    response = api("origin_clerk").post(f"/cases/{case.reference}/transitions/request_info", {"note": "x" * 2001})
    assert response.status_code == 400
    assert "note" in response.json()


def test_either_side_withdraws_for_the_worker(api, users):
    case = open_case(users, status="info_requested")
    response = api("dest_clerk").post(f"/cases/{case.reference}/transitions/withdraw", {"note": "worker stays"})
    assert response.status_code == 200
    assert response.json()["status"] == "withdrawn"


# --- POST /cases/{reference}/duplicates/resolve ----------------------------------------------


def test_the_destination_resolves_a_duplicate(api, users):
    case = with_duplicate(users)
    client = api("dest_clerk")
    before = client.get(f"/cases/{case.reference}").json()
    assert before["duplicates"] == [{
        "city_code": "510100", "first_city_code": "440300", "start_month": "2024-01", "end_month": "2024-03",
        "resolved": False, "kept_city_code": None, "refund_amount": None,
    }]
    assert before["blockers"][0]["transition"] == "complete"
    response = client.post(f"/cases/{case.reference}/duplicates/resolve", {"keep_city_code": "510100"})
    assert response.status_code == 200
    duplicate = response.json()["duplicates"][0]
    assert duplicate["resolved"] is True
    assert duplicate["kept_city_code"] == "510100"
    # 8% of 8000 for three months of 2024, with the credited interest of 2024 and 2025.
    assert duplicate["refund_amount"] == "1976.45"
    assert response.json()["events"][-1]["transition"] == "resolve_duplicate"
    assert "complete" in api("dest_supervisor").get(f"/cases/{case.reference}").json()["available_transitions"]


def test_the_origin_may_not_resolve_duplicates(api, users):
    case = with_duplicate(users)
    response = api("origin_supervisor").post(f"/cases/{case.reference}/duplicates/resolve", {"keep_city_code": "440300"})
    assert response.status_code == 403


@pytest.mark.parametrize("body", [{"keep_city_code": "330100"}, {"keep_city_code": "51010"}, {}, {"keep_city_code": []}])
def test_a_city_no_duplicate_involves_is_a_400(api, users, body):
    case = with_duplicate(users)
    response = api("dest_clerk").post(f"/cases/{case.reference}/duplicates/resolve", body)
    assert response.status_code == 400


def test_duplicates_of_a_closed_case_are_a_409(api, users):
    case = with_duplicate(users, status="withdrawn")
    response = api("dest_clerk").post(f"/cases/{case.reference}/duplicates/resolve", {"keep_city_code": "510100"})
    assert response.status_code == 409


def test_complete_is_blocked_until_duplicates_are_resolved(api, users):
    case = with_duplicate(users)
    response = api("dest_supervisor").post(f"/cases/{case.reference}/transitions/complete")
    assert response.status_code == 400
    assert response.json()["code"] == "complete"


# --- GET /cases/{reference}/agreement.pdf ----------------------------------------------------


@pytest.mark.parametrize("username", ["origin_clerk", "dest_supervisor"])
def test_the_agreement_pdf_for_either_side(api, users, username):
    case = open_case(users, status="agreement_issued")
    response = api(username).get(f"/cases/{case.reference}/agreement.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert latest_agreement(case).number in response["Content-Disposition"]
    pdf = response.content
    assert pdf.startswith(b"%PDF-")
    assert b"WenQuanYiMicroHei" in pdf and b"/FontFile2" in pdf  # the embedded font that prints Chinese
    assert b"/Subtype /Image" in pdf  # the QR code
    text = pdf_text(pdf)
    assert "参保缴费凭证" in text
    assert latest_agreement(case).number in text
    assert case.worker.masked_id in text and case.worker.id_number not in text
    assert "97,920.00" in text and "65,280.00" in text  # pooled fund, personal account principal
    assert f"http://testserver/verify/{latest_agreement(case).verification_code}/" in text


def test_the_pdf_whatever_the_accept_header(api, users):
    case = open_case(users, status="agreement_issued")
    response = api("origin_clerk").get(f"/cases/{case.reference}/agreement.pdf", HTTP_ACCEPT="application/pdf")
    assert response.status_code == 200
    missing = api("origin_clerk").get("/cases/TR-2026-ZZZZZZ/agreement.pdf", HTTP_ACCEPT="application/pdf")
    assert missing.status_code == 404
    assert missing["Content-Type"] == "application/json"


def test_no_pdf_before_the_agreement(api, users):
    case = open_case(users, status="verifying")
    response = api("origin_clerk").get(f"/cases/{case.reference}/agreement.pdf")
    assert response.status_code == 409
    assert response.json()["code"] == "no_agreement"


# --- an outsider agency sees nothing ---------------------------------------------------------


@pytest.mark.parametrize("username", ["outsider_clerk", "outsider_supervisor"])
@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("get", "/cases/{ref}", None),
        ("get", "/cases/{ref}/agreement.pdf", None),
        ("post", "/cases/{ref}/transitions/withdraw", {"note": "x"}),
        ("post", "/cases/{ref}/transitions/complete", {}),
        ("post", "/cases/{ref}/transitions/no_such_name", {}),
        ("post", "/cases/{ref}/duplicates/resolve", {"keep_city_code": "510100"}),
    ],
)
def test_an_outsider_gets_a_404_exactly_like_for_a_missing_case(api, users, username, method, path, body):
    case = with_duplicate(users, status="receiving")
    client = api(username)
    answers = []
    for reference in (case.reference, "TR-2026-ZZZZZZ"):
        url = path.format(ref=reference)
        response = client.get(url) if method == "get" else client.post(url, body)
        answers.append((response.status_code, response.json()))
    assert answers[0] == answers[1]
    assert answers[0][0] == 404
    # open, three transitions, the remittance and the receipt
    assert CaseEvent.objects.filter(case=case).count() == 6


def test_an_outsider_does_not_find_the_case_in_lists(api, users):
    case = open_case(users)
    assert api("outsider_supervisor").get("/cases", {"q": case.reference}).json()["count"] == 0
