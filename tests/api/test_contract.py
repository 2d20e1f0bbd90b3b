"""Acceptance tests of docs/api.md, one per section, as an integration partner would run them.

Data of their own, not the demo's nor the other API tests': Wuhan 420100 → Beijing 110000 (a municipality)
and Guangzhou 440100 → Hangzhou 330100; clerks made with `create_clerk`, rates with `set_credit_rate`;
made-up workers whose check character is computed here by docs/domain.md §1. Everything else goes over HTTP.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model

from regions.models import Agency, AgencyMembership, CreditRate, Province
from tests.api.conftest import BASE, Api
from tests.api.contract_support import (
    AGENCY_FIELDS,
    BEIJING,
    GUANGZHOU,
    HANGZHOU,
    MONEY,
    MONTH,
    PAGE_KEYS,
    PASSWORD,
    RECORD_FIELDS,
    SHENZHEN,
    STATUS_FIELDS,
    VERIFY_FIELDS,
    WORKER_FIELDS,
    WUHAN,
    YICHANG,
    assert_case_shape,
    command,
    id_number,
    open_case,
    record,
    register,
    row,
    run,
    token,
)

# The fixture http (tests/api/conftest.py) gives each clerk of contract_support.CLERKS a client, and None the public.


# --- Commands the deployment uses ------------------------------------------------------------


def test_commands_the_deployment_uses_are_idempotent(reference_data):
    command("load_regions")
    counts = (Province.objects.count(), Agency.objects.count(), CreditRate.objects.filter(year__lt=2025).count())
    command("load_regions")
    assert (Province.objects.count(), Agency.objects.count()) == counts[:2]
    assert counts[0] == 31
    assert Agency.objects.filter(code__in=[WUHAN, BEIJING, GUANGZHOU, HANGZHOU]).count() == 4
    assert CreditRate.objects.filter(year__lt=2025).count() == counts[2]

    command("create_clerk", "xa_clerk", "--agency", "610100", "--role", "clerk", "--password", PASSWORD)
    command("create_clerk", "xa_clerk", "--agency", "610100", "--role", "supervisor", "--password", PASSWORD)
    assert get_user_model().objects.filter(username="xa_clerk").count() == 1
    membership = AgencyMembership.objects.get(user__username="xa_clerk")
    assert (membership.agency.code, membership.role) == ("610100", "supervisor")
    assert Api(token("xa_clerk")).get("/cases").status_code == 200

    command("set_credit_rate", "2031", "1.50")
    command("set_credit_rate", "2031", "1.50")
    assert [str(r.percent) for r in CreditRate.objects.filter(year=2031)] == ["1.5000"]


# --- Conventions -----------------------------------------------------------------------------


def test_conventions_auth_errors_and_pagination(http):
    anonymous = http[None]
    wrong = anonymous.post("/auth/token", {"username": "wh_clerk", "password": "not-it"})
    assert wrong.status_code == 400
    assert anonymous.post("/auth/token", {"username": "nobody-here", "password": PASSWORD}).status_code == 400

    # 401 without a token and with a bad one; errors are JSON with a detail.
    for client in (anonymous, Api("0" * 40)):
        response = client.get("/cases")
        assert response.status_code == 401
        assert response["Content-Type"] == "application/json"
        assert response.json()["detail"]

    # 403: signed in, but no clerk of any agency.
    get_user_model().objects.create_user("no_agency", password=PASSWORD)
    response = Api(token("no_agency")).get("/cases")
    assert response.status_code == 403
    assert response.json()["detail"]

    # Lists: {"count", "next", "previous", "results"}, 50 a page, ?page=N.
    first = anonymous.get("/agencies").json()
    assert set(first) == PAGE_KEYS
    assert len(first["results"]) == 50 and first["count"] > 50
    assert first["previous"] is None and "page=2" in first["next"]
    second = anonymous.get("/agencies", {"page": 2}).json()
    assert second["previous"] is not None
    assert {a["code"] for a in first["results"]}.isdisjoint(a["code"] for a in second["results"])

    # Unknown paths are a JSON 404; the contract's paths have no trailing slash, and one is tolerated.
    missing = http["wh_clerk"].get("/no/such/thing")
    assert missing.status_code == 404 and missing.json()["detail"]
    slashed = anonymous.client.get(f"{BASE}/agencies/")
    assert slashed.status_code == 200
    assert slashed.json()["results"] == first["results"]


# --- Directory (public, no auth) ---------------------------------------------------------------


def test_directory_filters(http):
    anonymous = http[None]
    body = anonymous.get("/agencies", {"province": "42", "q": "武汉"}).json()
    assert body["count"] == 1
    wuhan = body["results"][0]
    # The contract's fields, and any added since ("add fields freely"): the opening hours.
    assert set(wuhan) == AGENCY_FIELDS | {"hours"}
    assert (wuhan["code"], wuhan["city_code"], wuhan["province_code"]) == (WUHAN, WUHAN, "42")
    assert "武汉" in wuhan["city_name"] and "湖北" in wuhan["province_name"]

    beijing = anonymous.get("/agencies", {"province_code": "11"}).json()
    assert [a["code"] for a in beijing["results"]] == [BEIJING]
    assert [a["code"] for a in anonymous.get("/agencies", {"city_code": HANGZHOU}).json()["results"]] == [HANGZHOU]
    hubei = anonymous.get("/agencies", {"province": "42"}).json()["results"]
    assert hubei and all(a["province_code"] == "42" for a in hubei)
    assert HANGZHOU in {a["code"] for a in anonymous.get("/agencies", {"q": "杭州"}).json()["results"]}
    # A stale token sent by habit does not turn the public directory into a 401.
    assert Api("0" * 40).get("/agencies").status_code == 200


# --- Workers (clerks) ------------------------------------------------------------------------


def test_workers_and_their_contributions(http):
    man = id_number("420106", "19880214", 31)
    woman = id_number("110105", "19930730", 42)
    body = register(http, "wh_clerk", man, "黄志远", WUHAN)
    assert body == {
        "id_number": man, "name": "黄志远", "gender": "male", "birth_date": "1988-02-14", "hukou_city_code": WUHAN,
    }
    assert register(http, "bj_clerk", woman.lower(), "马晓雯", BEIJING)["gender"] == "female"

    invalid = http["wh_clerk"].post("/workers", {"id_number": man[:17] + ("0" if man[17] != "0" else "1"),
                                                 "name": "错号", "hukou_city_code": WUHAN})
    assert invalid.status_code == 400 and "id_number" in invalid.json()
    again = http["bj_clerk"].post("/workers", {"id_number": man, "name": "黄志远", "hukou_city_code": WUHAN})
    assert again.status_code == 400
    assert http[None].post("/workers", {"id_number": man, "name": "x", "hukou_city_code": WUHAN}).status_code == 401

    record(
        http, "wh_clerk", man,
        row("pension", WUHAN, "2014-03", "2019-12", "5200.00"),
        row("pension", WUHAN, "2020-01", "2023-06", "6100.00", personal_account_credit="488.00"),
        row("medical", WUHAN, "2014-03", "2023-06", "5200.00", personal_account_credit="104.00"),
        row("unemployment", WUHAN, "2014-03", "2023-06", "5200.00", paid=True),
    )
    record(http, "bj_clerk", man, row("pension", BEIJING, "2023-07", "2024-10", "9800.00", paid=False))

    contributions = f"/workers/{man}/contributions"
    before = http["wh_clerk"].get(contributions).json()["count"]
    # All or nothing: errors keyed by row index, nothing stored.
    bad = http["wh_clerk"].post(contributions, {"records": [
        row("pension", WUHAN, "2024-01", "2024-02", "6100.00"),
        row("pension", WUHAN, "2024-13", "2024-02", "6100.00"),
        row("medical", BEIJING, "2024-01", "2024-02", "6100.00"),
        row("unemployment", WUHAN, "2024-01", "2024-02", "lots"),
    ]})
    assert bad.status_code == 400
    errors = bad.json()["records"]
    assert set(errors) == {"1", "2", "3"}
    assert "start_month" in errors["1"] and "city_code" in errors["2"] and "monthly_base" in errors["3"]
    assert all(isinstance(messages, list) for fields in errors.values() for messages in fields.values())
    # A period overlapping one recorded for the same type and city.
    overlap = http["wh_clerk"].post(contributions, {"records": [row("pension", WUHAN, "2019-06", "2020-02", "1.00")]})
    assert overlap.status_code == 400
    assert http["wh_clerk"].get(contributions).json()["count"] == before == 5

    # A clerk reads the record of a worker registered by, recorded in or with a case at their agency; others
    # are told no such worker exists (1.1, "Corrections and arrears").
    assert http["gz_clerk"].get(contributions, {"insurance_type": "pension"}).status_code == 404
    pension = http["bj_clerk"].get(contributions, {"insurance_type": "pension"}).json()
    assert set(pension) == PAGE_KEYS and pension["count"] == 3
    first = pension["results"][0]
    assert set(first) >= RECORD_FIELDS
    assert all(MONTH.match(p["start_month"]) and MONTH.match(p["end_month"]) for p in pension["results"])
    assert all(MONEY.match(p["monthly_base"]) for p in pension["results"])
    assert {p["personal_account_credit"] for p in pension["results"]} == {None, "488.00"}
    assert [p["paid"] for p in pension["results"] if p["city_code"] == BEIJING] == [False]

    assert http["hz_clerk"].get(f"/workers/{man}").status_code == 404
    worker = http["wh_clerk"].get(f"/workers/{man}").json()
    assert WORKER_FIELDS | {"benefit_receipt_province", "contribution_months"} <= set(worker)
    # Paid months per type, counted cumulatively; the Beijing arrears are no paid months.
    assert worker["contribution_months"] == {"pension": 112, "medical": 112, "unemployment": 112}
    assert worker["benefit_receipt_province"] == "42"
    assert http["hz_clerk"].get(f"/workers/{id_number('420106', '19880214', 33)}").status_code == 404


# --- Cases (clerks of the origin or destination agency) ----------------------------------------


def test_a_pension_case_from_lodging_to_completion(http):
    number = id_number("420111", "19920318", 64)  # a woman of 30-odd, hukou Wuhan
    register(http, "wh_clerk", number, "严秋月", WUHAN)
    record(http, "wh_clerk", number, row("pension", WUHAN, "2013-01", "2019-06", "4800.00"))
    record(http, "bj_clerk", number, row("pension", BEIJING, "2019-01", "2024-12", "11000.00"))

    case = open_case(http, "bj_clerk", number, "pension", WUHAN, BEIJING)
    assert_case_shape(case)
    reference = case["reference"]
    assert case["status"] == "submitted"
    assert case["worker"]["id_number"] == number
    assert (case["origin_agency"], case["destination_agency"], case["lodged_at"]) == (WUHAN, BEIJING, BEIJING)
    assert case["outcome"] == "full_transfer"
    assert case["agreement"] is None
    assert case["figures"]["contribution_months"] == 78
    assert case["figures"]["pooled_fund_amount"] == "44928.00"  # 12% × 4800 × 78
    assert case["figures"]["personal_account_principal"] == "29952.00"  # 8% × 4800 × 78
    assert [(d["city_code"], d["start_month"], d["end_month"], d["resolved"]) for d in case["duplicates"]] == [
        (BEIJING, "2019-01", "2019-06", False),
    ]
    assert [(e["transition"], e["to"], e["actor"], e["agency"]) for e in case["events"]] == [
        ("open", "submitted", "bj_clerk", BEIJING),
    ]

    # 400: an open case of the type already; the same pooling area; the caller's agency is neither end.
    assert http["wh_clerk"].post("/cases", {
        "worker": number, "insurance_type": "pension", "origin_agency": WUHAN, "destination_agency": BEIJING,
    }).status_code == 400
    assert http["wh_clerk"].post("/cases", {
        "worker": number, "insurance_type": "unemployment", "origin_agency": WUHAN, "destination_agency": YICHANG,
    }).status_code == 201  # unemployment is pooled per city: Wuhan → Yichang moves
    neither = http["gz_clerk"].post("/cases", {
        "worker": number, "insurance_type": "pension", "origin_agency": WUHAN, "destination_agency": HANGZHOU,
    })
    assert neither.status_code == 400 and neither.json()["detail"]
    # 404 alike for a case that is not yours and for none at all.
    hidden = http["gz_clerk"].get(f"/cases/{reference}")
    unknown = http["gz_clerk"].get("/cases/TR-2026-QQQQQQ")
    assert hidden.status_code == unknown.status_code == 404
    assert hidden.content == unknown.content
    assert run(http, "gz_boss", reference, "start_verification").status_code == 404

    # 403 (side or role) wins over 409 (state): the destination may never issue, whatever the state.
    assert run(http, "bj_boss", reference, "issue_agreement").status_code == 403
    assert run(http, "wh_boss", reference, "issue_agreement").status_code == 409
    assert run(http, "wh_clerk", reference, "register_agreement").status_code == 403

    assert http["wh_clerk"].get(f"/cases/{reference}").json()["available_transitions"] == [
        "start_verification", "withdraw",
    ]
    assert run(http, "wh_clerk", reference, "start_verification").json()["status"] == "verifying"
    assert run(http, "wh_clerk", reference, "start_verification").status_code == 409
    assert run(http, "wh_clerk", reference, "request_info").status_code == 400  # a reason is required
    assert run(http, "wh_clerk", reference, "request_info", "请提供2013年劳动合同").json()["status"] == "info_requested"
    assert run(http, "bj_clerk", reference, "provide_info", "已寄出").json()["status"] == "verifying"
    assert run(http, "wh_clerk", reference, "issue_agreement").status_code == 403  # a supervisor's step

    # The provincial rates before 2016 are missing: the refusal names the year.
    refused = run(http, "wh_boss", reference, "issue_agreement")
    assert refused.status_code == 400
    assert "2013" in refused.json()["detail"]
    for year in ("2013", "2014", "2015"):
        command("set_credit_rate", year, "3.50")
    issued = run(http, "wh_boss", reference, "issue_agreement")
    assert issued.status_code == 200, issued.content
    case = issued.json()
    assert_case_shape(case)
    assert case["status"] == "agreement_issued"
    assert MONEY.match(case["figures"]["personal_account_balance"])
    assert case["figures"]["pooled_fund_amount"] == "44928.00"
    code = case["agreement"]["verification_code"]

    for clerk in ("wh_clerk", "bj_clerk"):
        pdf = http[clerk].client.get(f"{BASE}/cases/{reference}/agreement.pdf")
        assert pdf.status_code == 200
        assert pdf["Content-Type"] == "application/pdf"
        assert pdf.content.startswith(b"%PDF")
    assert http["gz_clerk"].client.get(f"{BASE}/cases/{reference}/agreement.pdf").status_code == 404
    assert http[None].get(f"/verify/{code}").status_code == 200

    assert run(http, "bj_clerk", reference, "register_agreement").json()["status"] == "receiving"
    blocked = run(http, "bj_boss", reference, "complete")
    assert blocked.status_code == 400 and blocked.json()["detail"]  # the duplicate is unresolved
    resolve = f"/cases/{reference}/duplicates/resolve"
    assert http["wh_clerk"].post(resolve, {"keep_city_code": BEIJING}).status_code == 403
    resolved = http["bj_clerk"].post(resolve, {"keep_city_code": BEIJING})
    assert resolved.status_code == 200
    assert [d["resolved"] for d in resolved.json()["duplicates"]] == [True]
    assert run(http, "bj_clerk", reference, "complete").status_code == 403
    # A full transfer completes once Beijing has received what Wuhan remitted (1.1).
    assert run(http, "bj_boss", reference, "complete").status_code == 400
    moving, today = resolved.json()["transfer"], resolved.json()["events"][-1]["at"][:10]
    remitted = http["wh_clerk"].post(f"/cases/{reference}/remittance", {
        "pooled_fund": moving["pooled_fund"], "personal_account": moving["personal_account"],
        "bank_reference": "WH-0001", "value_date": today,
    })
    assert remitted.status_code == 200, remitted.content
    received = http["bj_clerk"].post(f"/cases/{reference}/receipts", {
        "amount": remitted.json()["funds"]["remittance"]["total"], "received_on": today, "bank_reference": "BJ-0001",
    })
    assert received.json()["funds"]["status"] == "received"
    done = run(http, "bj_boss", reference, "complete")
    assert done.status_code == 200
    assert done.json()["status"] == "completed"
    assert done.json()["available_transitions"] == []
    assert [e["transition"] for e in done.json()["events"] if e["from"] != e["to"]] == [
        "open", "start_verification", "request_info", "provide_info", "issue_agreement", "register_agreement",
        "complete",
    ]
    assert run(http, "bj_clerk", reference, "withdraw").status_code == 409
    assert run(http, "wh_boss", reference, "complete").status_code == 403


def test_outcomes_other_types_and_the_case_list(http):
    older = id_number("420102", "19680905", 15)  # a man over 50, hukou Hubei
    approved = id_number("420102", "19690101", 17)  # the same, with an approved transfer
    returning = id_number("330106", "19700412", 28)  # a woman over 40 going home to Zhejiang
    for number, hukou in ((older, WUHAN), (approved, WUHAN), (returning, HANGZHOU)):
        register(http, "wh_clerk", number, "测试" + number[-4:], hukou)
    for number in (older, approved):
        record(http, "wh_clerk", number, row("pension", WUHAN, "2016-01", "2024-06", "7000.00"))
    record(
        http, "gz_clerk", returning,
        row("pension", GUANGZHOU, "2016-01", "2024-06", "9000.00"),
        row("medical", GUANGZHOU, "2016-01", "2024-06", "9000.00", personal_account_credit="180.00"),
        row("unemployment", GUANGZHOU, "2016-01", "2024-06", "9000.00"),
    )

    temporary = open_case(http, "wh_clerk", older, "pension", WUHAN, BEIJING)
    assert temporary["outcome"] == "temporary_account"
    moved = open_case(http, "bj_clerk", approved, "pension", WUHAN, BEIJING,
                      approved_transfer_reference="京人社调〔2026〕8号")
    assert moved["outcome"] == "full_transfer"
    home = open_case(http, "hz_clerk", returning, "pension", GUANGZHOU, HANGZHOU)
    assert home["outcome"] == "full_transfer"
    medical = open_case(http, "gz_clerk", returning, "medical", GUANGZHOU, HANGZHOU)
    unemployment = open_case(http, "hz_clerk", returning, "unemployment", GUANGZHOU, HANGZHOU)
    for case in (temporary, moved, home, medical, unemployment):
        assert_case_shape(case)
    assert medical["figures"]["personal_account_balance"] == "18360.00"  # 180 × 102 months, as recorded
    assert unemployment["figures"]["contribution_months"] == 102

    # Pensions are pooled per province, medical insurance per city: Guangzhou → Shenzhen moves only the latter.
    young = id_number("440104", "19990909", 51)
    register(http, "gz_clerk", young, "林一帆", GUANGZHOU)
    same_area = http["gz_clerk"].post("/cases", {
        "worker": young, "insurance_type": "pension", "origin_agency": GUANGZHOU, "destination_agency": SHENZHEN,
    })
    assert same_area.status_code == 400 and same_area.json()["detail"]
    open_case(http, "gz_clerk", young, "medical", GUANGZHOU, SHENZHEN)

    def references(clerk: str, **filters: str) -> set[str]:
        body = http[clerk].get("/cases", filters).json()
        assert set(body) == PAGE_KEYS
        return {c["reference"] for c in body["results"]}

    wuhan = references("wh_clerk")
    assert wuhan == {temporary["reference"], moved["reference"]}
    assert references("wh_clerk", side="origin") == wuhan
    assert references("wh_clerk", side="destination") == set()
    assert references("bj_clerk", side="destination") == wuhan
    assert references("hz_clerk") == {home["reference"], medical["reference"], unemployment["reference"]}
    assert references("hz_clerk", q=returning[:10]) == references("hz_clerk")
    assert references("hz_clerk", q=home["reference"]) == {home["reference"]}
    run(http, "gz_clerk", medical["reference"], "start_verification")
    assert references("hz_clerk", status="verifying") == {medical["reference"]}
    assert references("hz_clerk", status="", side="", overdue="", q="") == references("hz_clerk")
    assert references("hz_clerk", overdue="true") == set()
    assert references("hz_clerk", overdue="false") == references("hz_clerk")
    assert http["hz_clerk"].get("/cases", {"side": "both"}).status_code == 400
    assert http["hz_clerk"].get("/cases/" + home["reference"]).json()["available_transitions"] == ["withdraw"]


# --- Workers checking their case (public) -----------------------------------------------------


def test_workers_check_their_case_and_the_public_checks_an_agreement(http):
    number = id_number("110108", "19950611", 22)
    other = id_number("110108", "19950611", 24)
    register(http, "bj_clerk", number, "沈嘉禾", BEIJING)
    register(http, "bj_clerk", other, "沈嘉木", BEIJING)
    record(http, "bj_clerk", number, row("unemployment", BEIJING, "2018-01", "2024-12", "12000.00"))
    case = open_case(http, "wh_clerk", number, "unemployment", BEIJING, WUHAN)
    reference = case["reference"]
    run(http, "bj_clerk", reference, "start_verification")
    issued = run(http, "bj_boss", reference, "issue_agreement").json()

    def lookup(reference: str, id_number: str, address: str = "198.51.100.20"):
        return http[None].post("/status", {"reference": reference, "id_number": id_number}, REMOTE_ADDR=address)

    response = lookup(reference, number)
    assert response.status_code == 200
    body = response.json()
    assert set(body) == STATUS_FIELDS
    assert (body["reference"], body["status"], body["insurance_type"]) == (reference, "agreement_issued", "unemployment")
    assert "北京" in body["origin_agency_name"] and "武汉" in body["destination_agency_name"]
    assert [entry["status"] for entry in body["timeline"]] == ["submitted", "verifying", "agreement_issued"]
    assert all(set(entry) == {"at", "status", "status_label"} for entry in body["timeline"])
    text = response.content.decode()
    assert number not in text and number.lower() not in text and "沈嘉禾" not in text and "1995-06-11" not in text

    wrong_id = lookup(reference, other)
    unknown = lookup("TR-2026-WWWWWW", number)
    assert wrong_id.status_code == unknown.status_code == 404
    assert wrong_id.content == unknown.content

    # 10 failed attempts from one address within the hour, then 429 even for the right pair.
    for attempt in range(10):
        assert lookup(f"TR-2026-NOPE{attempt:02d}", number, "198.51.100.99").status_code == 404
    limited = lookup(reference, number, "198.51.100.99")
    assert limited.status_code == 429
    assert limited.json()["detail"]
    assert lookup(reference, number, "198.51.100.100").status_code == 200

    verified = http[None].get(f"/verify/{issued['agreement']['verification_code']}")
    assert verified.status_code == 200
    assert set(verified.json()) == VERIFY_FIELDS
    assert verified.json()["agreement_number"] == issued["agreement"]["number"]
    assert verified.json()["insurance_type"] == "unemployment"
    assert verified.json()["worker_masked_id"] == f"{number[:4]}**********{number[-4:]}"
    assert "北京" in verified.json()["issuing_agency_name"]
    assert http[None].get("/verify/NOSUCHCODE42").status_code == 404
