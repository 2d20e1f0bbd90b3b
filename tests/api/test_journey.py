"""A pension case from lodging at the destination to completion, through the API alone."""

from __future__ import annotations

from tests.api.conftest import Api, token_for


def test_a_pension_case_lodged_at_the_destination_goes_to_completion(users):
    origin_clerk, origin_supervisor = Api(token_for("origin_clerk")), Api(token_for("origin_supervisor"))
    dest_clerk, dest_supervisor = Api(token_for("dest_clerk")), Api(token_for("dest_supervisor"))

    # The worker comes to the Chengdu counter; Chengdu registers them and records its own months.
    worker = dest_clerk.post("/workers", {"id_number": "510104199003070031", "name": "张三", "hukou_city_code": "510100"})
    assert worker.status_code == 201, worker.content
    id_number = worker.json()["id_number"]
    recorded = dest_clerk.post(f"/workers/{id_number}/contributions", {"records": [
        {"insurance_type": "pension", "city_code": "510100", "start_month": "2024-01", "end_month": "2024-03",
         "monthly_base": "6000.00"},
    ]})
    assert recorded.status_code == 201

    # Shenzhen records the history it holds.
    recorded = origin_clerk.post(f"/workers/{id_number}/contributions", {"records": [
        {"insurance_type": "pension", "city_code": "440300", "start_month": "2016-01", "end_month": "2019-12",
         "monthly_base": "8000.00"},
        {"insurance_type": "pension", "city_code": "440300", "start_month": "2020-01", "end_month": "2024-06",
         "monthly_base": "9000.00", "personal_account_credit": "720.00"},
    ]})
    assert recorded.status_code == 201
    assert recorded.json() == {"created": 2}

    # Chengdu lodges the application (国办发〔2009〕66号 Art. 8: the worker applies at the new agency).
    opened = dest_clerk.post("/cases", {
        "worker": id_number, "insurance_type": "pension", "origin_agency": "440300", "destination_agency": "510100",
    })
    assert opened.status_code == 201, opened.content
    case = opened.json()
    reference = case["reference"]
    assert case["lodged_at"] == "510100"
    assert case["status"] == "submitted"
    assert case["duplicates"][0]["city_code"] == "510100"
    assert case["figures"]["contribution_months"] == 102
    assert case["figures"]["pooled_fund_amount"] == "104400.00"  # 12% × (48 × 8000 + 54 × 9000)

    # Shenzhen finds it in its worklist and verifies.
    waiting = origin_clerk.get("/cases", {"side": "origin", "status": "submitted"}).json()
    assert [c["reference"] for c in waiting["results"]] == [reference]

    def run(client: Api, name: str, note: str = "") -> dict:
        response = client.post(f"/cases/{reference}/transitions/{name}", {"note": note})
        assert response.status_code == 200, (name, response.content)
        return response.json()

    assert run(origin_clerk, "start_verification")["status"] == "verifying"
    assert run(origin_clerk, "request_info", "请提供2019年的工资单")["status"] == "info_requested"
    assert run(dest_clerk, "provide_info", "工资单已上传")["status"] == "verifying"
    assert origin_supervisor.get(f"/cases/{reference}").json()["available_transitions"] == [
        "request_info", "reject", "issue_agreement", "withdraw",
    ]
    issued = run(origin_supervisor, "issue_agreement")
    assert issued["status"] == "agreement_issued"
    assert issued["figures"]["frozen"] is True
    code = issued["agreement"]["verification_code"]

    # Either side prints the agreement; anyone checks it.
    pdf = dest_clerk.get(f"/cases/{reference}/agreement.pdf")
    assert pdf.status_code == 200
    assert pdf.content.startswith(b"%PDF-")
    verified = Api().get(f"/verify/{code}").json()
    assert verified["agreement_number"] == issued["agreement"]["number"]
    assert verified["worker_masked_id"] == "5101**********0031"

    # Chengdu accepts; completion waits for the duplicated months of 2024.
    assert run(dest_clerk, "register_agreement")["status"] == "receiving"
    blocked = dest_supervisor.post(f"/cases/{reference}/transitions/complete")
    assert blocked.status_code == 400
    assert blocked.json()["code"] == "complete"
    resolved = dest_clerk.post(f"/cases/{reference}/duplicates/resolve", {"keep_city_code": "510100"})
    assert resolved.status_code == 200
    assert resolved.json()["duplicates"][0]["resolved"] is True

    # Completion waits for the money too: Shenzhen remits what moves, Chengdu receives it.
    blocked = dest_supervisor.post(f"/cases/{reference}/transitions/complete")
    assert blocked.status_code == 400 and blocked.json()["code"] == "complete"
    moving = resolved.json()["transfer"]
    today = resolved.json()["events"][-1]["at"][:10]
    remitted = origin_clerk.post(f"/cases/{reference}/remittance", {
        "pooled_fund": moving["pooled_fund"], "personal_account": moving["personal_account"],
        "bank_reference": "ICBC-0001", "value_date": today,
    })
    assert remitted.status_code == 200, remitted.content
    total = remitted.json()["funds"]["remittance"]["total"]
    received = dest_clerk.post(f"/cases/{reference}/receipts", {
        "amount": total, "received_on": today, "bank_reference": "BOC-0001",
    })
    assert received.json()["funds"]["status"] == "received"
    done = run(dest_supervisor, "complete")
    assert done["status"] == "completed"
    assert done["acceptance"]["number"].startswith("JS-510100-")
    assert done["available_transitions"] == []
    assert [e["transition"] for e in done["events"]] == [
        "open", "start_verification", "request_info", "provide_info", "issue_agreement", "register_agreement",
        "resolve_duplicate", "record_remittance", "record_receipt", "complete",
    ]

    # The worker follows it online.
    status = Api().post("/status", {"reference": reference, "id_number": id_number}).json()
    assert status["status"] == "completed"
    assert [step["status"] for step in status["timeline"]] == [
        "submitted", "verifying", "info_requested", "verifying", "agreement_issued", "receiving", "completed",
    ]
