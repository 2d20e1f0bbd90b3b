"""The status check at /status/: every state, both languages, identical refusals, the rate limit."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import translation

from cases import services
from cases.models import Actor, CaseStatus, TransferCase
from tests.cases.portal_support import assert_no_personal_data, in_language, without_csrf
from tests.factories import WorkerFactory, advance, apply_online, open_case, periods

URL = reverse("cases:status")
# One phrase per state that only that state's page says, in each language.
STATE_PHRASES = {
    "submitted": ("Your application has been lodged.", "您的申请已受理。"),
    "verifying": ("is checking your contribution history", "正在核查您的缴费记录"),
    "info_requested": ("needs more information from you", "需要您补充材料"),
    "agreement_issued": ("has issued the transfer agreement", "已出具转移协议"),
    "receiving": ("has registered the agreement", "已登记转移协议"),
    "completed": ("The transfer is complete", "转移接续已办结"),
    "rejected": ("has refused the transfer", "不予办理"),
    "withdrawn": ("The application has been withdrawn", "申请已撤回"),
}


@pytest.fixture(autouse=True)
def fresh_rate_limit():
    cache.clear()


def lookup(client, case, id_number=None):
    return client.post(URL, {"reference": case.reference, "id_number": id_number or case.worker.id_number})


def progress_page(client, case) -> str:
    """The case's progress page; a test of what it leaves out must first be sure it is that page."""
    response = lookup(client, case)
    assert response.status_code == 200
    assert "portal/status_result.html" in [t.name for t in response.templates]
    html = response.content.decode()
    assert case.reference in html
    return html


def test_the_form_asks_for_reference_and_id_number(client):
    response = client.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="reference"' in html
    assert 'name="id_number"' in html


@pytest.mark.parametrize("status", [status for status in CaseStatus.values if status != "applied"])
@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_every_state_shows_its_plain_language_progress(client, users, status, language):
    case = open_case(users, status=status)
    response = lookup(in_language(client, language), case)
    assert response.status_code == 200
    html = response.content.decode()
    english, chinese = STATE_PHRASES[status]
    assert (english if language == "en" else chinese) in html
    assert (chinese if language == "en" else english) not in html
    with translation.override(language):
        assert str(CaseStatus(status).label) in html
    assert case.reference in html
    assert case.worker.masked_id in html
    assert_no_personal_data(html, case.worker, case)


@pytest.mark.parametrize(("language", "phrase"), [
    ("en", "which checks your identity and accepts it"), ("zh-hans", "核验您的身份后受理"),
])
def test_an_application_waiting_for_acceptance_shows_its_progress(client, users, language, phrase):
    case = apply_online()
    in_language(client, language)
    response = client.post(URL, {"reference": case.reference, "id_number": case.applicant.id_number})
    html = response.content.decode()
    assert phrase in html
    assert case.destination_agency.name in html
    assert case.applicant.masked_id in html
    assert_no_personal_data(html, case.applicant)


def test_the_worker_follows_acceptance_and_a_decline(client, users):
    accepted, declined = apply_online(), apply_online()
    advance(accepted, users, "accept_application")
    services.case_transition(case=declined, actor=Actor.for_user(users["dest_clerk"]), name="decline_application",
                             note="身份证件与申请不符。")
    html = in_language(client, "en").post(
        URL, {"reference": accepted.reference, "id_number": accepted.applicant.id_number}
    ).content.decode()
    assert "accepted the application and wrote to" in html
    html = client.post(URL, {"reference": declined.reference, "id_number": declined.applicant.id_number}).content.decode()
    assert "declined the application" in html and "身份证件与申请不符。" in html


def test_the_page_names_the_agency_in_charge_and_the_due_date(client, users):
    case = open_case(users, status="receiving")
    html = lookup(in_language(client, "en"), case).content.decode()
    assert "Agency in charge now" in html
    assert case.destination_agency.name in html
    assert f"{case.due_date:%Y-%m-%d}" in html


def test_a_request_for_information_says_what_the_worker_must_do(client, users):
    case = open_case(users, status="verifying")
    advance(case, users, "request_info", note="请补充2019年劳动合同复印件。")
    html = lookup(in_language(client, "en"), case).content.decode()
    assert "What you need to do" in html
    assert "请补充2019年劳动合同复印件。" in html
    assert "The time limit is paused" in html


def test_clerks_notes_and_other_event_notes_never_show(client, users):
    case = open_case(users, status="verifying")
    services.case_add_note(
        case=case, actor=Actor.for_user(users["origin_clerk"]), user=users["origin_clerk"], text="内部备注-不可外泄"
    )
    advance(case, users, "issue_agreement", note="签发备注-不可外泄")
    advance(case, users, "register_agreement", "return_to_origin", note="退回原因-不可外泄")
    html = progress_page(client, case)
    assert "不可外泄" not in html


def test_a_duplicate_resolution_shows_no_refund(client, users):
    worker = WorkerFactory()
    periods(worker, ("440300", "2016-01", "2024-06", "8000"), ("510100", "2020-01", "2020-12", "6000"))
    case = open_case(users, worker=worker, with_periods=False, status="receiving")
    services.duplicates_resolve(
        case=case, actor=Actor.for_user(users["dest_clerk"]), keep_city_code="440300", user=users["dest_clerk"]
    )
    refund = case.duplicates.get().refund_amount
    assert refund > 0
    html = progress_page(in_language(client, "en"), case)
    assert str(refund) not in html and f"{refund:,.2f}" not in html
    assert "440300" not in html


def test_a_wrong_id_number_and_an_unknown_reference_give_the_same_page(client, users):
    case = open_case(users)
    other = WorkerFactory()
    wrong_id = client.post(URL, {"reference": case.reference, "id_number": other.id_number})
    unknown_reference = client.post(URL, {"reference": "TR-2026-ZZZZZZ", "id_number": case.worker.id_number})
    malformed_id = client.post(URL, {"reference": case.reference, "id_number": "320106199003071235"})
    assert wrong_id.status_code == unknown_reference.status_code == malformed_id.status_code == 200
    assert without_csrf(wrong_id.content.decode()) == without_csrf(unknown_reference.content.decode())
    assert without_csrf(wrong_id.content.decode()) == without_csrf(malformed_id.content.decode())
    assert "alert-danger" in wrong_id.content.decode()
    assert case.worker.id_number not in unknown_reference.content.decode()
    assert case.reference not in wrong_id.content.decode()


def test_the_reference_is_case_insensitive_and_the_id_number_accepts_a_lower_case_x(client, users):
    worker = WorkerFactory(id_number="11010519491231002X")
    case = open_case(users, worker=worker)
    response = client.post(URL, {"reference": case.reference.lower(), "id_number": " 11010519491231002x "})
    assert case.worker.masked_id in response.content.decode()


def test_after_ten_failures_the_form_refuses_and_says_when_to_try_again(client, users, settings):
    case = open_case(users)
    for _ in range(settings.STATUS_LOOKUP_MAX_FAILURES):
        assert client.post(URL, {"reference": "TR-2026-ZZZZZZ", "id_number": case.worker.id_number}).status_code == 200
    refused = in_language(client, "en").post(URL, {"reference": case.reference, "id_number": case.worker.id_number})
    assert refused.status_code == 429
    html = refused.content.decode()
    assert "try again after" in html
    assert case.worker.masked_id not in html


def test_the_limit_counts_per_address(client, users, settings):
    case = open_case(users)
    for _ in range(settings.STATUS_LOOKUP_MAX_FAILURES):
        client.post(URL, {"reference": "TR-2026-ZZZZZZ", "id_number": "x"}, REMOTE_ADDR="10.0.0.1")
    assert lookup(client, case).status_code == 200


def test_a_forwarded_for_header_is_ignored_without_trusted_proxies(client, users, settings):
    for n in range(settings.STATUS_LOOKUP_MAX_FAILURES):
        client.post(URL, {"reference": "TR-2026-ZZZZZZ", "id_number": "x"}, HTTP_X_FORWARDED_FOR=f"10.9.9.{n}")
    assert client.post(URL, {"reference": "TR-2026-YYYYYY", "id_number": "y"}).status_code == 429


def test_a_shared_address_does_not_lock_out_a_real_worker(client, users, settings):
    """Behind one mobile-network address, others' wrong lookups refuse further wrong ones, never the right one."""
    case = open_case(users)
    for n in range(settings.STATUS_LOOKUP_MAX_FAILURES):
        assert client.post(URL, {"reference": f"TR-2026-ZZZZ{n:02d}", "id_number": "x"}).status_code == 200
    assert client.post(URL, {"reference": "TR-2026-YYYYYY", "id_number": "y"}).status_code == 429
    assert case.worker.masked_id in lookup(client, case).content.decode()


def test_one_worker_is_not_guessed_at_from_many_addresses(client, users, settings):
    settings.STATUS_LOOKUP_MAX_FAILURES_PER_TARGET = 3
    case = open_case(users)
    for n in range(3):
        client.post(URL, {"reference": case.reference, "id_number": "x"}, REMOTE_ADDR=f"10.8.8.{n}")
    assert client.post(URL, {"reference": case.reference, "id_number": case.worker.id_number},
                       REMOTE_ADDR="10.8.8.99").status_code == 429


def test_behind_a_trusted_proxy_the_forwarded_address_counts(client, users, settings):
    settings.NUM_PROXIES = 1
    case = open_case(users)
    for _ in range(settings.STATUS_LOOKUP_MAX_FAILURES):
        client.post(URL, {"reference": "TR-2026-ZZZZZZ", "id_number": "x"}, HTTP_X_FORWARDED_FOR="spoofed, 10.1.1.1")
    assert client.post(URL, {"reference": case.reference, "id_number": case.worker.id_number},
                       HTTP_X_FORWARDED_FOR="10.1.1.2").status_code == 200
    assert client.post(URL, {"reference": "TR-2026-YYYYYY", "id_number": "y"},
                       HTTP_X_FORWARDED_FOR="other, 10.1.1.1").status_code == 429


def test_the_result_is_never_cached(client, users):
    case = open_case(users)
    response = lookup(client, case)
    assert case.reference in response.content.decode()
    assert "no-store" in response["Cache-Control"]


def test_the_lookup_costs_a_fixed_number_of_queries(client, users, django_assert_max_num_queries):
    case = open_case(users, status="completed")
    with django_assert_max_num_queries(3):
        response = lookup(client, case)
    assert "portal/status_result.html" in [t.name for t in response.templates]


def test_an_overdue_case_says_so(client, users):
    case = open_case(users, status="verifying")
    TransferCase.objects.filter(pk=case.pk).update(due_date=dt.date(2020, 1, 6))
    html = lookup(in_language(client, "en"), case).content.decode()
    assert "passed its time limit" in html


def test_a_case_on_time_does_not_say_so(client, users):
    case = open_case(users, status="verifying")
    html = progress_page(in_language(client, "en"), case)
    assert f"{case.due_date:%Y-%m-%d}" in html
    assert "passed its time limit" not in html
