"""The worker's view: their own answers and documents, more documents at any open step, a withdrawal confirmed."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from cases import selectors, services
from cases.errors import RuleBlocked, StateConflict
from cases.models import Actor, CaseAttachment, CaseEvent, CaseStatus
from tests.cases.portal_support import assert_no_personal_data, in_language
from tests.factories import WorkerFactory, advance, open_case

ACT = reverse("cases:act")
CASE = reverse("cases:act_case")
MATERIAL = reverse("cases:act_material")
WITHDRAW = reverse("cases:act_withdraw")
WITHDRAWN = reverse("cases:act_withdrawn")
PDF = b"%PDF-1.4\n%test\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 16
ORIGIN_CLERKS = {"origin_clerk@example.org", "origin_supervisor@example.org"}
DESTINATION_CLERKS = {"dest_clerk@example.org", "dest_supervisor@example.org"}
OPEN_STATES = ["submitted", "verifying", "info_requested", "agreement_issued", "receiving"]


@pytest.fixture(autouse=True)
def fresh_rate_limit():
    cache.clear()


def pdf(name: str = "证明.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def unlocked(client, case):
    code = services.case_issue_access_code(case=case)
    response = client.post(ACT, {"reference": case.reference, "id_number": case.worker.id_number, "access_code": code})
    assert response["Location"] == CASE
    return client


# --- the service -----------------------------------------------------------------------------


@pytest.mark.parametrize("status", OPEN_STATES)
def test_material_is_taken_at_any_open_step_and_changes_nothing_else(users, status):
    case = open_case(users, status=status)
    before = (case.status, case.due_date, case.paused_days_left)
    event = services.case_worker_add_material(case=case, files=[pdf(), SimpleUploadedFile("p.png", PNG)],
                                              note=" 补充的工资单 ")
    case.refresh_from_db()
    assert (case.status, case.due_date, case.paused_days_left) == before
    assert (event.transition, event.from_status, event.to_status) == ("add_material", status, status)
    assert (event.note, event.actor_id, event.agency_id, event.actor_label) == ("补充的工资单", None, None, "worker")
    files = CaseAttachment.objects.filter(case=case)
    assert sorted(f.content_type for f in files) == ["application/pdf", "image/png"]
    assert all(f.uploaded_by_worker and f.agency_id is None for f in files)


@pytest.mark.parametrize("status", ["completed", "rejected", "withdrawn"])
def test_a_closed_case_takes_no_material(users, status):
    case = open_case(users, status=status)
    with pytest.raises(StateConflict):
        services.case_worker_add_material(case=case, files=[pdf()])
    assert not CaseAttachment.objects.exists()
    assert not CaseEvent.objects.filter(transition="add_material").exists()


def test_material_needs_a_file_and_a_message_of_bounded_length(users):
    case = open_case(users, status="verifying")
    with pytest.raises(RuleBlocked) as no_file:
        services.case_worker_add_material(case=case, files=[], note="只有文字")
    assert no_file.value.code == "no_files"
    with pytest.raises(RuleBlocked) as too_long:
        services.case_worker_add_material(case=case, files=[pdf()], note="字" * 2001)
    assert too_long.value.code == "note_too_long"
    assert not CaseAttachment.objects.exists()


def test_one_bad_file_stores_none_of_them(users):
    case = open_case(users, status="verifying")
    with pytest.raises(RuleBlocked) as refused:
        services.case_worker_add_material(case=case, files=[pdf(), SimpleUploadedFile("x.pdf", b"MZ\x90\x00")])
    assert refused.value.code == "file_type"
    assert not CaseAttachment.objects.exists()
    assert not CaseEvent.objects.filter(transition="add_material").exists()


def test_a_case_takes_a_bounded_number_of_documents_online(users, monkeypatch):
    monkeypatch.setattr("cases.services.portal.MAX_WORKER_FILES_PER_CASE", 3)
    case = open_case(users, status="verifying")
    services.case_worker_add_material(case=case, files=[pdf(), pdf()])
    with pytest.raises(RuleBlocked) as refused:
        services.case_worker_add_material(case=case, files=[pdf(), pdf()])
    assert refused.value.code == "too_many_files"
    # The clerks' own attachments do not count against the worker's.
    services.case_add_attachment(case=case, actor=Actor.for_user(users["origin_clerk"]), uploaded_file=pdf(),
                                 user=users["origin_clerk"])
    services.case_worker_add_material(case=case, files=[pdf()])
    assert CaseAttachment.objects.filter(case=case, uploaded_by_worker=True).count() == 3


@pytest.mark.parametrize(("status", "told"), [
    ("submitted", ORIGIN_CLERKS), ("verifying", ORIGIN_CLERKS), ("info_requested", ORIGIN_CLERKS),
    ("agreement_issued", DESTINATION_CLERKS), ("receiving", DESTINATION_CLERKS),
])
def test_the_agency_whose_turn_it_is_is_told_after_commit(
    users, settings, django_capture_on_commit_callbacks, mailoutbox, status, told
):
    settings.SITE_URL = "https://sst.example.org"
    case = open_case(users, status=status)
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.case_worker_add_material(case=case, files=[pdf("工资单.pdf")], note="2019 年工资单")
    assert mailoutbox == []
    for callback in callbacks:
        callback()
    assert len(mailoutbox) == 1
    mail = mailoutbox[0]
    assert set(mail.to) == told
    assert case.reference in mail.subject
    assert "工资单.pdf" in mail.body and "2019 年工资单" in mail.body
    assert f"https://sst.example.org/cases/{case.reference}/" in mail.body


# --- the worker's page -----------------------------------------------------------------------


def test_the_worker_adds_material_unasked_and_sees_it_listed(client, users, django_capture_on_commit_callbacks):
    case = open_case(users, worker=WorkerFactory(email="w@example.org"), status="agreement_issued")
    unlocked(in_language(client, "en"), case)
    page = client.get(CASE).content.decode()
    assert MATERIAL in page and 'id="answer-heading"' not in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(MATERIAL, {"attachments": [pdf("户口本.pdf")], "note": "户口本首页"})
    assert response.status_code == 302
    assert response["Location"] == f"{CASE}#sent-heading"
    html = client.get(CASE).content.decode()
    assert "Your documents have been sent to" in html and case.destination_agency.name in html
    assert "户口本.pdf" in html and "户口本首页" in html
    assert "You sent more documents." in html
    assert_no_personal_data(html, case.worker, case)


@pytest.mark.parametrize(("data", "field"), [
    ({"note": "只有留言"}, "attachments"),
    ({"attachments": [SimpleUploadedFile("a.exe", b"MZ\x90\x00")]}, "attachments"),
    ({"attachments": [SimpleUploadedFile("ok.pdf", PDF)], "note": "字" * 2001}, "note"),
])
def test_the_material_form_refuses_bad_input_in_place(client, users, data, field):
    case = open_case(users, status="verifying")
    unlocked(client, case)
    response = client.post(MATERIAL, data)
    assert response.status_code == 400
    assert field in response.context["material_form"].errors
    assert not CaseAttachment.objects.exists()


def test_a_closed_case_offers_no_material_form_and_refuses_a_stale_one(client, users):
    case = open_case(users, status="verifying")
    unlocked(client, case)
    advance(case, users, "reject")
    html = client.get(CASE).content.decode()
    assert MATERIAL not in html
    response = client.post(MATERIAL, {"attachments": [pdf()]}, follow=True)
    assert any(m.level_tag == "error" for m in response.context["messages"])
    assert not CaseAttachment.objects.exists()


def test_the_material_pages_need_an_unlocked_case(client, users):
    case = open_case(users, status="verifying")
    attachment = services.case_worker_add_material(case=case, files=[pdf()]) and CaseAttachment.objects.get()
    assert client.post(MATERIAL, {"attachments": [pdf()]})["Location"] == ACT
    assert client.get(reverse("cases:act_attachment", args=[attachment.pk]))["Location"] == ACT
    assert client.get(WITHDRAWN)["Location"] == ACT
    assert client.get(MATERIAL).status_code == 405


def test_the_worker_sees_their_own_answers_and_documents_only(client, users):
    case = open_case(users, status="info_requested")
    case = services.case_worker_provide_info(case=case, note="已补充劳动合同", files=[pdf("合同.pdf")])
    services.case_add_attachment(case=case, actor=Actor.for_user(users["origin_clerk"]),
                                 uploaded_file=pdf("内部核查.pdf"), user=users["origin_clerk"])
    services.case_add_note(case=case, actor=Actor.for_user(users["origin_clerk"]), user=users["origin_clerk"],
                           text="机构间内部意见")
    case = advance(case, users, "request_info", note="请补充工资单")
    # A clerk recording the answer at the counter writes the note, not the worker.
    case = advance(case, users, "provide_info", note="柜台代收工资单")
    unlocked(client, case)
    html = client.get(CASE).content.decode()
    assert "已补充劳动合同" in html and "合同.pdf" in html
    for hidden in ("内部核查.pdf", "机构间内部意见", "柜台代收工资单"):
        assert hidden not in html, hidden
    sent = selectors.worker_sent(case)
    assert [m.text for m in sent.messages] == ["已补充劳动合同"]
    assert [f.name for f in sent.files] == ["合同.pdf"]


def test_the_public_status_page_shows_none_of_what_the_worker_sent(client, users):
    case = open_case(users, status="info_requested")
    services.case_worker_provide_info(case=case, note="已补充劳动合同", files=[pdf("合同.pdf")])
    html = client.post(reverse("cases:status"), {"reference": case.reference, "id_number": case.worker.id_number})
    assert "已补充劳动合同" not in html.content.decode() and "合同.pdf" not in html.content.decode()


def test_the_worker_downloads_their_own_document_and_nothing_else(client, users):
    case = open_case(users, status="verifying")
    services.case_worker_add_material(case=case, files=[pdf("我的证明.pdf")])
    own = CaseAttachment.objects.get()
    clerks = services.case_add_attachment(case=case, actor=Actor.for_user(users["origin_clerk"]),
                                          uploaded_file=pdf("内部.pdf"), user=users["origin_clerk"])
    other_case = open_case(users, status="verifying")
    services.case_worker_add_material(case=other_case, files=[pdf("别人的.pdf")])
    someone_elses = CaseAttachment.objects.get(case=other_case)
    unlocked(client, case)
    response = client.get(reverse("cases:act_attachment", args=[own.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert b"".join(response.streaming_content) == PDF
    for pk in (clerks.pk, someone_elses.pk, 999999):
        assert client.get(reverse("cases:act_attachment", args=[pk])).status_code == 404
    client.post(reverse("cases:act_leave"))
    assert client.get(reverse("cases:act_attachment", args=[own.pk]))["Location"] == ACT


def test_the_worker_page_reads_in_a_fixed_number_of_queries(client, users, django_assert_max_num_queries):
    case = open_case(users, status="verifying")
    unlocked(client, case)
    with django_assert_max_num_queries(9) as few:
        client.get(CASE)
    for _ in range(4):
        services.case_worker_add_material(case=case, files=[pdf(), pdf()], note="再补充")
    with django_assert_max_num_queries(len(few)):
        assert client.get(CASE).status_code == 200


# --- withdrawal ------------------------------------------------------------------------------


@pytest.mark.parametrize(("language", "words"), [("en", "You withdrew your application"), ("zh-hans", "撤回转移申请")])
def test_a_withdrawal_is_confirmed_on_a_page_and_by_mail_in_the_page_language(
    client, users, settings, django_capture_on_commit_callbacks, mailoutbox, language, words
):
    settings.SITE_URL = "https://sst.example.org"
    case = open_case(users, worker=WorkerFactory(email="w@example.org"), status="verifying")
    unlocked(in_language(client, language), case)
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(WITHDRAW)
    assert response["Location"] == WITHDRAWN
    page = client.get(WITHDRAWN)
    assert page.status_code == 200
    html = page.content.decode()
    assert case.reference in html and 'data-testid="withdrawn"' in html
    to_worker = [m for m in mailoutbox if m.to == ["w@example.org"]]
    assert len(to_worker) == 1
    assert case.reference in to_worker[0].subject
    assert words in to_worker[0].body
    assert "https://sst.example.org/apply/" in to_worker[0].body
    assert case.worker.id_number not in to_worker[0].body and case.worker.name not in to_worker[0].body
    # The agencies hear of it too, as of any step the worker takes.
    assert any(set(m.to) == ORIGIN_CLERKS | DESTINATION_CLERKS for m in mailoutbox)


def test_without_an_address_the_page_is_the_confirmation(client, users, django_capture_on_commit_callbacks, mailoutbox):
    case = open_case(users, status="submitted")
    unlocked(in_language(client, "en"), case)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(WITHDRAW)
    assert not [m for m in mailoutbox if case.worker.email and case.worker.email in m.to]
    assert "keep this page" in client.get(WITHDRAWN).content.decode()


def test_the_confirmation_page_is_only_for_a_withdrawn_case(client, users):
    case = open_case(users, status="verifying")
    unlocked(client, case)
    assert client.get(WITHDRAWN)["Location"] == CASE


# --- the e-mails to the worker ---------------------------------------------------------------


def test_a_request_for_information_says_what_is_needed_and_where_to_answer(
    users, settings, django_capture_on_commit_callbacks, mailoutbox
):
    settings.SITE_URL = "https://sst.example.org/".rstrip("/")
    case = open_case(users, worker=WorkerFactory(email="w@example.org"), status="verifying")
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        advance(case, users, "request_info", note="请补充 2019 年劳动合同复印件")
    mail = next(m for m in mailoutbox if m.to == ["w@example.org"])
    assert "请补充 2019 年劳动合同复印件" in mail.body
    assert "https://sst.example.org/act/" in mail.body
    assert case.origin_agency.name in mail.body


def test_other_steps_link_the_worker_to_the_status_page(users, settings, django_capture_on_commit_callbacks, mailoutbox):
    settings.SITE_URL = "https://sst.example.org"
    case = open_case(users, worker=WorkerFactory(email="w@example.org"))
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        advance(case, users, "start_verification")
    mail = next(m for m in mailoutbox if m.to == ["w@example.org"])
    assert "https://sst.example.org/status/" in mail.body
    assert "/act/" not in mail.body


def test_the_clerks_see_the_material_on_the_case_page_and_in_the_api(client, users):
    case = open_case(users, status="verifying")
    services.case_worker_add_material(case=case, files=[pdf("户口本.pdf")], note="户口本首页")
    client.force_login(users["origin_clerk"])
    html = in_language(client, "en").get(case.get_absolute_url()).content.decode()
    assert "The worker sent more material" in html and "户口本首页" in html and "户口本.pdf" in html
    body = client.get(f"/api/v1/cases/{case.reference}").json()
    event = body["events"][-1]
    assert (event["transition"], event["from"], event["to"], event["agency"]) == (
        "add_material", CaseStatus.VERIFYING, CaseStatus.VERIFYING, None,
    )
