"""Agreements with a life (docs/api.md "Agreements have a life"): frozen whole, void, superseded, verified.

The API, the pages and the PDFs are read back as a client would: JSON, HTML and the PDF's extracted text.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cases import services
from cases.errors import StateConflict
from cases.models import Agreement, ContributionPeriod
from regions.models import City, CreditRate
from tests.api.conftest import Api, token_for
from tests.factories import WorkerFactory, advance, latest_agreement, make_id_number, open_case, periods
from tests.pdf import pdf_text

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english", "reference_data")]


def api(username: str) -> Api:
    return Api(token_for(username))


def case_body(case, username="origin_clerk") -> dict:
    response = api(username).get(f"/cases/{case.reference}", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    return response.json()


def agreement_text(case, username="origin_clerk") -> str:
    response = api(username).get(f"/cases/{case.reference}/agreement.pdf")
    assert response.status_code == 200
    return pdf_text(response.content)


def test_a_period_recorded_or_corrected_after_issue_changes_neither_the_api_nor_the_pdf(users):
    case = open_case(users, status="agreement_issued")
    before_body, before_text = case_body(case), agreement_text(case)
    # 2016-01..2024-06 at 8,000: 102 months, 12 % × 102 × 8,000 = 97,920.00; 8 % × 816,000 = 65,280.00 principal.
    assert before_body["figures"]["contribution_months"] == 102
    assert before_body["transfer"]["pooled_fund"] == "97920.00"
    assert before_body["figures"]["personal_account_principal"] == "65280.00"
    assert "97,920.00" in before_text
    # The origin records the missing half-year, then corrects it; a third agency records a period elsewhere.
    periods(case.worker, ("440300", "2024-07", "2024-12", "9000"))
    added = ContributionPeriod.objects.get(worker=case.worker, start_month=dt.date(2024, 7, 1))
    assert added.locked is False
    services.contribution_correct(actor=None, worker=case.worker, period_id=added.pk,
                                  changes={"monthly_base": Decimal("9500.00")}, reason="typo")
    periods(case.worker, ("330100", "2025-01", "2025-03", "7000"))
    after_body = case_body(case)
    for field in ("figures", "transfer", "agreement", "agreements", "outcome_reason"):
        assert after_body[field] == before_body[field], field
    assert agreement_text(case) == before_text


def test_the_periods_an_agreement_used_are_locked_until_it_is_void(users):
    case = open_case(users, status="receiving")
    used = ContributionPeriod.objects.get(worker=case.worker)
    assert used.locked is True
    with pytest.raises(StateConflict):
        services.contribution_correct(actor=None, worker=case.worker, period_id=used.pk,
                                      changes={"monthly_base": Decimal("1.00")}, reason="x")
    case = advance(case, users, "return_to_origin", note="2024-07..2024-12 missing")
    used.refresh_from_db()
    assert used.locked is False


def test_return_voids_and_the_next_issue_supersedes(users):
    case = open_case(users, status="receiving")
    first = latest_agreement(case)
    case = advance(case, users, "return_to_origin", note="months missing")
    first.refresh_from_db()
    assert (first.status, first.void_reason, first.superseded_by) == ("void", "months missing", None)
    assert first.voided_at is not None
    body = case_body(case)
    assert body["agreement"]["status"] == "void"
    assert body["transfer"]["pooled_fund"] == "97920.00"  # a live quote again
    verified = Api().get(f"/verify/{first.verification_code}")
    assert verified.status_code == 200
    assert (verified.json()["status"], verified.json()["superseded_by"]) == ("void", None)

    periods(case.worker, ("440300", "2024-07", "2024-12", "8000"))
    case = advance(case, users, "issue_agreement")
    second = latest_agreement(case)
    first.refresh_from_db()
    assert first.superseded_by == second and second.status == "valid"
    body = case_body(case, "dest_clerk")
    assert [(a["number"], a["status"], a["superseded_by"]) for a in body["agreements"]] == [
        (first.number, "void", second.number), (second.number, "valid", None),
    ]
    assert set(body["agreements"][0]) == {"number", "issued_at", "verification_code", "status", "superseded_by"}
    assert body["agreement"] == {k: v for k, v in body["agreements"][1].items() if k != "superseded_by"}
    # 108 × 8,000 × 12 % = 103,680.00
    assert body["transfer"]["pooled_fund"] == "103680.00"
    old = Api().get(f"/verify/{first.verification_code}").json()
    assert (old["status"], old["superseded_by"], old["document"]) == ("void", second.number, "agreement")
    new = Api().get(f"/verify/{second.verification_code}").json()
    assert (new["status"], new["superseded_by"]) == ("valid", None)
    assert new["transfer_total"] == body["transfer"]["total"]
    # The case page lists both, the old one void and superseded.
    from django.test import Client

    client = Client()
    client.force_login(users["dest_clerk"])
    html = client.get(reverse("cases:detail", args=[case.reference]), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert first.number in html and second.number in html and f"superseded by {second.number}" in html


def test_the_verify_page_says_valid_void_or_unknown_and_shows_what_moves(client, users):
    case = open_case(users, status="receiving")
    agreement = latest_agreement(case)
    total = f"{agreement.assessment.transfer.total:,.2f}"
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    valid = client.get(reverse("cases:verify", args=[agreement.verification_code])).content.decode()
    assert "genuine and valid" in valid and total in valid
    advance(case, users, "return_to_origin")
    void = client.get(reverse("cases:verify", args=[agreement.verification_code]))
    assert void.status_code == 200
    assert "is void" in void.content.decode()
    assert client.get(reverse("cases:verify", args=["ZZZZZZZZZZZZ"])).status_code == 404


CODE = "AB01CD11EF0G"


@pytest.mark.parametrize("typed", [CODE, CODE.lower(), "AB-O1CD-LIEF-OG", " ab01 cd11 ef0g ", "aBOICDl1EFOG"])
def test_codes_are_read_forgivingly_on_the_api_and_the_page(client, users, typed):
    case = open_case(users, status="agreement_issued")
    Agreement.objects.filter(case=case).update(verification_code=CODE)
    assert Api().get(f"/verify/{typed}").status_code == 200
    assert client.get(f"/verify/{typed}/").status_code == 200
    found = client.get(reverse("cases:verify_form"), {"code": typed})
    assert found["Location"] == reverse("cases:verify", args=[CODE])


@pytest.mark.parametrize("typed", ["a/b", "%00", "AB01CD11EF0G!", "é" * 5])
def test_codes_that_no_document_can_have_are_unknown_never_an_error(client, users, typed):
    assert client.get("/verify/", {"code": typed}).status_code in (200, 400)
    assert client.get(f"/verify/{typed.replace('/', '%2F')}/").status_code == 404
    assert Api().get(f"/verify/{typed.replace('/', '%2F')}").status_code == 404


def test_the_acceptance_confirmation_has_its_own_code_and_pdf(users):
    receiving = open_case(users, status="receiving")
    for username in ("origin_clerk", "dest_clerk"):
        assert api(username).get(f"/cases/{receiving.reference}/acceptance.pdf").status_code == 404
    assert case_body(receiving)["acceptance"] is None
    case = advance(receiving, users, "complete")
    acceptance = case_body(case)["acceptance"]
    assert set(acceptance) == {"number", "issued_at", "verification_code"}
    assert acceptance["verification_code"] != latest_agreement(case).verification_code
    for username in ("origin_clerk", "dest_supervisor"):
        response = api(username).get(f"/cases/{case.reference}/acceptance.pdf")
        assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
        assert acceptance["verification_code"] in pdf_text(response.content)
    checked = Api().get(f"/verify/{acceptance['verification_code'].lower()}").json()
    assert (checked["document"], checked["status"], checked["agreement_number"]) == (
        "acceptance", "valid", acceptance["number"],
    )
    assert checked["transfer_total"] == case_body(case)["transfer"]["total"]
    assert api("origin_clerk").get("/cases/TR-2026-ZZZZZZ/acceptance.pdf").status_code == 404


def test_a_temporary_account_agreement_moves_nothing_and_says_so(users):
    wuhan = City.objects.get(code="420100")
    worker = WorkerFactory(id_number=make_id_number(county="420103", birth=dt.date(1970, 1, 20)), hukou_city=wuhan)
    case = open_case(users, worker=worker, status="agreement_issued")
    body = case_body(case)
    assert body["outcome"] == "temporary_account"
    assert body["transfer"] == {"pooled_fund": "0.00", "personal_account": "0.00", "total": "0.00"}
    text = agreement_text(case)
    assert "缴费记录保留在转出地" in text  # the PDF is in Chinese: "the record stays at the origin"
    assert "97,920.00" not in text  # the record's pooled fund is not printed as moving
    assert Api().get(f"/verify/{latest_agreement(case).verification_code}").json()["transfer_total"] == "0.00"


def test_set_credit_rate_takes_a_province_for_years_before_2016():
    call_command("set_credit_rate", "2012", "3.50", "--province", "44", stdout=open("/dev/null", "w"))  # noqa: SIM115
    call_command("set_credit_rate", "2012", "3.60", "--province", "44", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert CreditRate.objects.get(year=2012, province_id="44").percent == Decimal("3.6000")
    assert not CreditRate.objects.filter(year=2012, province__isnull=True).exists()
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("set_credit_rate", "2012", "3.50", "--province", "99")
    with pytest.raises(CommandError):
        call_command("set_credit_rate", "2017", "3.50", "--province", "44")


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.sampled_from(["440300", "440100", "330100"]), st.integers(min_value=0, max_value=20),
                          st.integers(min_value=0, max_value=6), st.integers(min_value=1, max_value=60)),
                min_size=1, max_size=3, unique_by=lambda row: row[0]))
def test_recording_a_period_after_issue_never_changes_the_frozen_assessment(users, later):
    case = open_case(users, status="agreement_issued")
    frozen = Agreement.objects.get(case=case).frozen_assessment
    for city, start, length, base in later:
        # After the history (it ends 2024-06) and before today; one period per city, so each batch is accepted.
        first = dt.date(2024, 7, 1) + dt.timedelta(days=31 * start)
        last = first + dt.timedelta(days=31 * length)
        periods(case.worker, (city, f"{first:%Y-%m}", f"{last:%Y-%m}", str(base * 100)))
    assert Agreement.objects.get(case=case).frozen_assessment == frozen
    assert case_body(case)["transfer"]["pooled_fund"] == "97920.00"


def test_a_missing_rate_names_the_year_and_the_province(users):
    case = open_case(users, status="verifying", with_periods=False)
    periods(case.worker, ("440300", "2014-01", "2016-06", "8000"))
    body = case_body(case)
    assert {b["transition"]: b["message"] for b in body["blockers"]}["issue_agreement"] == (
        "The credited interest rate for 2014 in 广东省 is missing; an administrator must enter it."
    )
    assert body["transfer"]["total"] is None
    for year in (2014, 2015):
        call_command("set_credit_rate", str(year), "3.00", "--province", "44", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert case_body(case)["blockers"] == []
    assert advance(case, users, "issue_agreement").status == "agreement_issued"


def test_the_rules_run_once_per_request(users, monkeypatch):
    from cases import rules

    calls = []
    real = rules.assess
    monkeypatch.setattr(rules, "assess", lambda facts: calls.append(facts) or real(facts))
    case = open_case(users, status="verifying")
    calls.clear()
    case_body(case)
    assert len(calls) == 1  # the live quote
    supervisor = api("origin_supervisor")
    calls.clear()
    assert supervisor.post(f"/cases/{case.reference}/transitions/issue_agreement", {"note": ""}).status_code == 200
    assert len(calls) == 1  # checked and frozen once; the answer reads the frozen one
    calls.clear()
    case_body(case)
    assert calls == []  # an issued agreement is read, never recomputed
