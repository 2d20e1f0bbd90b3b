"""Acting on one's case: the access code required and checked, answering, withdrawing."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from cases import services
from cases.models import CaseAttachment, CaseEvent
from tests.cases.portal_support import assert_no_personal_data, in_language, without_csrf
from tests.factories import WorkerFactory, advance, open_case

ACT = reverse("cases:act")
CASE = reverse("cases:act_case")
WITHDRAW = reverse("cases:act_withdraw")
PDF = b"%PDF-1.4\n%test\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 16


@pytest.fixture(autouse=True)
def fresh_rate_limit():
    cache.clear()


@pytest.fixture
def case_with_code(users):
    case = open_case(users, status="info_requested")
    return case, services.case_issue_access_code(case=case)


def unlock(client, case, code, **changes):
    data = {"reference": case.reference, "id_number": case.worker.id_number, "access_code": code, **changes}
    return client.post(ACT, data)


def test_the_right_details_open_the_case(client, case_with_code):
    case, code = case_with_code
    response = unlock(client, case, code)
    assert response.status_code == 302
    assert response["Location"] == CASE
    page = client.get(CASE)
    assert page.status_code == 200
    html = page.content.decode()
    assert case.reference in html
    assert 'name="note"' in html
    assert 'name="attachments"' in html
    assert_no_personal_data(html, case.worker, case)


def test_a_misread_access_code_still_works(client, case_with_code):
    case, code = case_with_code
    typed = code.lower().replace("0", "o").replace("1", "l")
    assert unlock(client, case, f" {typed[:4]}-{typed[4:]} ")["Location"] == CASE


@pytest.mark.parametrize("wrong", ["access_code", "id_number", "reference"])
def test_any_wrong_detail_gives_the_same_refusal(client, case_with_code, wrong):
    case, code = case_with_code
    other = WorkerFactory()
    changes = {
        "access_code": {"access_code": "ZZZZZZZZ"},
        "id_number": {"id_number": other.id_number},
        "reference": {"reference": "TR-2026-ZZZZZZ"},
    }[wrong]
    refused = unlock(client, case, code, **changes)
    baseline = unlock(client, case, "ZZZZZZZZ")
    assert refused.status_code == baseline.status_code == 200
    assert without_csrf(refused.content.decode()) == without_csrf(baseline.content.decode())
    assert client.get(CASE)["Location"] == ACT


def test_the_access_code_is_required(client, case_with_code):
    case, _ = case_with_code
    response = client.post(ACT, {"reference": case.reference, "id_number": case.worker.id_number})
    assert "access_code" in response.context["form"].errors
    assert client.get(CASE)["Location"] == ACT


def test_a_case_without_an_access_code_cannot_be_opened(client, users):
    case = open_case(users, status="info_requested")
    assert unlock(client, case, "ABCDEFGH").status_code == 200
    assert client.get(CASE)["Location"] == ACT


def test_failures_count_toward_the_status_lookup_limit(client, case_with_code, settings):
    case, code = case_with_code
    for _ in range(settings.STATUS_LOOKUP_MAX_FAILURES - 1):
        unlock(client, case, "ZZZZZZZZ")
    client.post(reverse("cases:status"), {"reference": "TR-2026-ZZZZZZ", "id_number": case.worker.id_number})
    refused = in_language(client, "en").post(
        ACT, {"reference": case.reference, "id_number": case.worker.id_number, "access_code": code}
    )
    assert refused.status_code == 429
    assert "try again after" in refused.content.decode()
    status = client.post(reverse("cases:status"), {"reference": case.reference, "id_number": case.worker.id_number})
    assert status.status_code == 429


def test_unlocking_changes_the_session_key(client, case_with_code):
    case, code = case_with_code
    client.get(ACT)
    client.session.save()
    before = client.session.session_key
    unlock(client, case, code)
    assert client.session.session_key != before


def test_the_worker_answers_with_text_and_documents(client, case_with_code, django_capture_on_commit_callbacks):
    case, code = case_with_code
    unlock(client, case, code)
    files = [SimpleUploadedFile("合同.pdf", PDF), SimpleUploadedFile("photo.png", PNG)]
    with django_capture_on_commit_callbacks(execute=True):
        response = in_language(client, "en").post(CASE, {"note": "已上传劳动合同。", "attachments": files})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == "verifying"
    event = CaseEvent.objects.filter(case=case).last()
    assert (event.transition, event.note, event.actor_id, event.agency_id) == ("provide_info", "已上传劳动合同。", None, None)
    attachments = CaseAttachment.objects.filter(case=case)
    assert sorted(a.content_type for a in attachments) == ["application/pdf", "image/png"]
    assert all(a.uploaded_by_worker for a in attachments)
    html = client.get(CASE).content.decode()
    assert "Your answer has been sent" in html
    assert "You sent the information requested." in html
    # The request is answered: no answer form any more, but more documents may follow at any time.
    assert 'id="answer-heading"' not in html
    assert reverse("cases:act_material") in html


def test_a_file_that_is_not_a_document_is_refused_and_nothing_changes(client, case_with_code):
    case, code = case_with_code
    unlock(client, case, code)
    files = [SimpleUploadedFile("ok.pdf", PDF), SimpleUploadedFile("evil.pdf", b"MZ\x90\x00 not a pdf")]
    response = client.post(CASE, {"note": "see files", "attachments": files})
    assert response.status_code == 400
    assert "attachments" in response.context["form"].errors
    case.refresh_from_db()
    assert case.status == "info_requested"
    assert not CaseAttachment.objects.exists()


def test_an_answer_needs_text(client, case_with_code):
    case, code = case_with_code
    unlock(client, case, code)
    response = client.post(CASE, {"note": ""})
    assert "note" in response.context["form"].errors


def test_an_answer_after_the_clerk_moved_on_is_refused_with_a_message(client, users, case_with_code):
    case, code = case_with_code
    unlock(client, case, code)
    advance(case, users, "provide_info")
    response = client.post(CASE, {"note": "late"}, follow=True)
    assert response.status_code == 200
    case.refresh_from_db()
    assert case.status == "verifying"
    assert CaseEvent.objects.filter(case=case, note="late").count() == 0
    assert any(m.level_tag == "error" for m in response.context["messages"])


def test_withdrawal_asks_for_confirmation_first(client, case_with_code):
    case, code = case_with_code
    unlock(client, case, code)
    confirm = in_language(client, "en").get(WITHDRAW)
    assert confirm.status_code == 200
    assert "Yes, withdraw it" in confirm.content.decode()
    case.refresh_from_db()
    assert case.status == "info_requested"
    response = client.post(WITHDRAW)
    assert response["Location"] == reverse("cases:act_withdrawn")
    case.refresh_from_db()
    assert case.status == "withdrawn"
    event = CaseEvent.objects.filter(case=case).last()
    assert (event.transition, event.actor_label) == ("withdraw", "worker")
    assert "You withdrew the application." in client.get(CASE).content.decode()


def test_withdrawal_is_refused_once_the_agreement_is_issued(client, users):
    case = open_case(users, status="agreement_issued")
    code = services.case_issue_access_code(case=case)
    unlock(client, case, code)
    assert "act/withdraw" not in client.get(CASE).content.decode()
    response = client.post(WITHDRAW)
    assert response["Location"] == CASE
    case.refresh_from_db()
    assert case.status == "agreement_issued"


def test_the_pages_need_an_unlocked_case(client):
    for url in (CASE, WITHDRAW):
        assert client.get(url)["Location"] == ACT
    assert client.post(WITHDRAW)["Location"] == ACT


def test_the_unlocked_case_expires(client, case_with_code):
    case, code = case_with_code
    unlock(client, case, code)
    session = client.session
    session["portal_case"] = {**session["portal_case"], "until": 0}
    session.save()
    assert client.get(CASE)["Location"] == ACT


def test_the_worker_can_close_the_case_on_a_shared_device(client, case_with_code):
    case, code = case_with_code
    unlock(client, case, code)
    assert client.post(reverse("cases:act_leave"))["Location"] == reverse("cases:home")
    assert client.get(CASE)["Location"] == ACT


def test_the_case_page_costs_a_fixed_number_of_queries(client, case_with_code, django_assert_max_num_queries):
    case, code = case_with_code
    unlock(client, case, code)
    with django_assert_max_num_queries(5):
        client.get(CASE)
