from __future__ import annotations

import datetime as dt
import logging

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cases import services
from cases.models import CaseNote, TransferCase, WorkerAccess
from regions.models import City
from tests.cases.portal_support import in_language
from tests.factories import WorkerFactory, advance, make_id_number, open_case, periods

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def page(case: TransferCase) -> str:
    return f"/cases/{case.reference}/"


def transition_names(response) -> list[str]:
    return [form.prefix for form in response.context["transition_forms"]]


@pytest.mark.parametrize("suffix,method", [
    ("", "get"), ("transitions/start_verification/", "post"), ("notes/", "post"), ("attachments/", "post"),
    ("worker-id/", "post"), ("duplicates/1/resolve/", "post"), ("attachments/1/", "get"),
])
def test_anonymous_is_sent_to_sign_in(client, users, suffix, method):
    case = open_case(users)
    response = getattr(client, method)(page(case) + suffix)
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/?next=")


@pytest.mark.parametrize("suffix,method", [
    ("", "get"), ("transitions/start_verification/", "post"), ("notes/", "post"), ("attachments/", "post"),
    ("worker-id/", "post"),
])
def test_an_outsider_gets_404(client, users, suffix, method):
    case = open_case(users)
    client.force_login(users["outsider_clerk"])
    assert getattr(client, method)(page(case) + suffix, {"text": "x"}).status_code == 404
    case.refresh_from_db()
    assert case.status == "submitted"
    assert not CaseNote.objects.exists()


def test_the_page_shows_worker_figures_and_timeline(client, users):
    case = open_case(users, status="verifying")
    client.force_login(users["origin_clerk"])
    response = client.get(page(case))
    content = response.content.decode()
    assert response.status_code == 200
    assert case.worker.masked_id in content
    assert case.worker.id_number not in content
    assert response.context["report"].figures.contribution_months == 102
    assert [e.transition for e in response.context["events"]] == ["open", "start_verification"]


@pytest.mark.parametrize("user,status,expected", [
    ("origin_clerk", "submitted", ["start_verification", "withdraw"]),
    ("origin_supervisor", "verifying", ["request_info", "reject", "issue_agreement", "withdraw"]),
    ("origin_clerk", "verifying", ["request_info", "withdraw"]),
    ("dest_clerk", "verifying", ["withdraw"]),
    ("dest_clerk", "info_requested", ["provide_info", "withdraw"]),
    ("dest_clerk", "agreement_issued", ["register_agreement"]),
    ("origin_clerk", "agreement_issued", []),
    ("dest_clerk", "receiving", ["return_to_origin"]),
    ("dest_supervisor", "receiving", ["return_to_origin", "complete"]),
    ("dest_supervisor", "completed", []),
])
def test_exactly_the_transitions_the_service_allows(client, users, user, status, expected):
    case = open_case(users, status=status)
    client.force_login(users[user])
    assert transition_names(client.get(page(case))) == expected


def test_a_blocked_transition_has_no_button_but_says_why(client, users):
    case = open_case(users)
    periods(case.worker, ("440300", "2024-07", "2024-09", "8000", None, False))
    advance(case, users, "start_verification")
    client.force_login(users["origin_supervisor"])
    response = client.get(page(case))
    assert "issue_agreement" not in transition_names(response)
    assert "2024-07" in response.context["blocked"][0][1]


def test_running_a_transition_records_it_and_mails_the_other_agency(
    client, users, django_capture_on_commit_callbacks
):
    case = open_case(users)
    case.worker.email = "worker@example.org"
    case.worker.save(update_fields=["email"])
    client.force_login(users["origin_clerk"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(page(case) + "transitions/start_verification/", follow=True)
    assert response.redirect_chain[-1][0] == page(case)
    case.refresh_from_db()
    assert case.status == "verifying"
    assert "success" in [m.tags for m in response.context["messages"]]
    recipients = {address for message in mail.outbox for address in message.to}
    assert {"dest_clerk@example.org", "dest_supervisor@example.org", "worker@example.org"} <= recipients
    assert "origin_clerk@example.org" not in recipients


def test_a_reason_is_required_and_the_form_comes_back_with_the_error(client, users):
    case = open_case(users, status="verifying")
    client.force_login(users["origin_clerk"])
    response = client.post(page(case) + "transitions/request_info/", {"request_info-note": "  "})
    assert response.status_code == 400
    form = next(f for f in response.context["transition_forms"] if f.prefix == "request_info")
    assert form.errors["note"]
    case.refresh_from_db()
    assert case.status == "verifying"
    too_long = client.post(page(case) + "transitions/request_info/", {"request_info-note": "补" * 2001})
    assert too_long.status_code == 400
    case.refresh_from_db()
    assert case.status == "verifying"
    response = client.post(page(case) + "transitions/request_info/", {"request_info-note": "请补充劳动合同"})
    case.refresh_from_db()
    assert case.status == "info_requested"
    assert case.events.last().note == "请补充劳动合同"


def test_a_terminal_transition_needs_the_confirmation(client, users):
    case = open_case(users)
    client.force_login(users["origin_clerk"])
    response = client.post(page(case) + "transitions/withdraw/", {"withdraw-note": "moved back"})
    assert response.status_code == 400
    case.refresh_from_db()
    assert case.status == "submitted"
    client.post(page(case) + "transitions/withdraw/", {"withdraw-note": "moved back", "withdraw-confirm": "on"})
    case.refresh_from_db()
    assert case.status == "withdrawn"


@pytest.mark.parametrize("user,name,data", [
    ("origin_clerk", "issue_agreement", {}),  # a clerk, not a supervisor
    ("dest_clerk", "start_verification", {}),  # the wrong side
    ("origin_clerk", "register_agreement", {}),  # the wrong side and state
    ("origin_supervisor", "complete", {"complete-confirm": "on"}),
])
def test_refused_transitions_show_a_message(client, users, user, name, data):
    case = open_case(users)
    client.force_login(users[user])
    response = client.post(page(case) + f"transitions/{name}/", data, follow=True)
    assert response.status_code == 200
    assert [m.tags for m in response.context["messages"]] == ["error"]
    case.refresh_from_db()
    assert case.status == "submitted"


def test_an_empty_reason_for_a_transition_not_offered_is_refused_with_a_message(client, users):
    case = open_case(users, status="verifying")
    client.force_login(users["dest_clerk"])
    response = client.post(page(case) + "transitions/request_info/", {"request_info-note": ""}, follow=True)
    assert [m.tags for m in response.context["messages"]] == ["error"]
    case.refresh_from_db()
    assert case.status == "verifying"


def test_a_stale_page_is_refused_with_the_state_message(client, users):
    case = open_case(users)
    client.force_login(users["origin_clerk"])
    client.cookies["django_language"] = "en"
    client.post(page(case) + "transitions/start_verification/", follow=True)
    response = client.post(page(case) + "transitions/start_verification/", follow=True)
    messages = [str(m) for m in response.context["messages"]]
    assert messages == ["“Start verification” is not possible while the case is “Verifying”."]


def test_an_unknown_transition_is_404(client, users):
    case = open_case(users)
    client.force_login(users["origin_clerk"])
    assert client.post(page(case) + "transitions/delete/").status_code == 404


def test_duplicates_are_resolved_by_the_destination(client, users):
    case = open_case(users, status="receiving")
    periods(case.worker, ("510100", "2024-01", "2024-06", "7000"))
    client.force_login(users["origin_clerk"])
    assert client.get(page(case)).context["duplicates"][0][1] is None
    client.force_login(users["dest_supervisor"])
    response = client.get(page(case))
    duplicate, form = response.context["duplicates"][0]
    assert form is not None
    assert "complete" not in transition_names(response)
    url = page(case) + f"duplicates/{duplicate.pk}/resolve/"
    response = client.post(url, {}, follow=True)
    assert [m.tags for m in response.context["messages"]] == ["error"]
    client.post(url, {f"duplicate-{duplicate.pk}-keep_city_code": "510100"})
    duplicate.refresh_from_db()
    assert duplicate.kept_city_id == "510100" and duplicate.refund_amount > 0
    assert "complete" in transition_names(client.get(page(case)))


def test_the_origin_may_not_resolve_duplicates(client, users):
    case = open_case(users, status="receiving")
    periods(case.worker, ("510100", "2024-01", "2024-06", "7000"))
    duplicate = case.duplicates.get()
    client.force_login(users["origin_clerk"])
    response = client.post(
        page(case) + f"duplicates/{duplicate.pk}/resolve/", {f"duplicate-{duplicate.pk}-keep_city_code": "440300"},
        follow=True,
    )
    assert [m.tags for m in response.context["messages"]] == ["error"]
    duplicate.refresh_from_db()
    assert not duplicate.resolved


def test_notes_between_the_agencies(client, users):
    case = open_case(users)
    client.force_login(users["origin_clerk"])
    assert client.post(page(case) + "notes/", {"text": ""}).status_code == 400
    client.post(page(case) + "notes/", {"text": "请尽快核对"})
    client.force_login(users["dest_clerk"])
    response = client.get(page(case))
    assert [n.text for n in response.context["notes"]] == ["请尽快核对"]


def test_attachments_are_checked_by_content_and_served_only_to_the_parties(client, users, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    case = open_case(users)
    client.force_login(users["origin_clerk"])
    fake = SimpleUploadedFile("contract.pdf", b"MZ not a pdf", content_type="application/pdf")
    response = client.post(page(case) + "attachments/", {"file": fake})
    assert response.status_code == 400
    assert response.context["attachment_form"].errors["file"]
    client.post(page(case) + "attachments/", {"file": SimpleUploadedFile("scan.png", PNG, content_type="image/png")})
    attachment = case.attachments.get()
    assert attachment.content_type == "image/png"
    download = client.get(page(case) + f"attachments/{attachment.pk}/")
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment")
    assert b"".join(download.streaming_content) == PNG
    client.force_login(users["outsider_clerk"])
    assert client.get(page(case) + f"attachments/{attachment.pk}/").status_code == 404


def test_attachments_are_size_capped(client, users, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.ATTACHMENT_MAX_BYTES = 1024 * 1024
    case = open_case(users)
    client.force_login(users["origin_clerk"])
    big = SimpleUploadedFile("big.png", PNG + b"\x00" * (1024 * 1024), content_type="image/png")
    response = client.post(page(case) + "attachments/", {"file": big})
    assert response.status_code == 400
    assert not case.attachments.exists()


def test_the_full_id_number_is_shown_on_request_and_recorded(client, users):
    case = open_case(users)
    client.force_login(users["dest_clerk"])
    assert client.get(page(case) + "worker-id/").status_code == 405
    assert not WorkerAccess.objects.exists()
    response = client.post(page(case) + "worker-id/", REMOTE_ADDR="10.1.2.3")
    assert case.worker.id_number in response.content.decode()
    assert "no-store" in response["Cache-Control"]
    access = WorkerAccess.objects.get()
    assert (access.username, access.agency.code, access.worker, access.case, access.what, access.ip, access.path) == (
        "dest_clerk", "510100", case.worker, case, WorkerAccess.What.FULL_ID, "10.1.2.3", page(case) + "worker-id/",
    )


def test_the_page_runs_a_fixed_number_of_queries(client, users, django_assert_max_num_queries):
    live = open_case(users, status="verifying")
    small = open_case(users, status="receiving")
    big = open_case(users, status="receiving")
    for year in range(2010, 2016):
        periods(big.worker, ("510100", f"{year}-01", f"{year}-03", "7000"), ("420100", f"{year}-05", f"{year}-06", "7000"))
    for n in range(10):
        client.force_login(users["dest_clerk"])
        client.post(page(big) + "notes/", {"text": f"note {n}"})
    client.force_login(users["dest_supervisor"])
    # A live quote loads the case's facts in four queries (cases/selectors/assessment.py); a frozen one reads
    # the agreement, which the page lists anyway. The inbox and assignment add three: the last-seen mark, the
    # navigation's unread count, the clerks a supervisor may assign the case to.
    with django_assert_max_num_queries(17):
        client.get(page(live))
    with django_assert_max_num_queries(16) as small_queries:
        client.get(page(small))
    with django_assert_max_num_queries(16) as big_queries:
        client.get(page(big))
    assert len(big_queries) == len(small_queries)


# --- what the page says, from the UI review -----------------------------------------------------


def test_arrears_name_their_city_and_link_to_the_history(client, users):
    case = open_case(users)
    periods(case.worker, ("440300", "2024-07", "2024-09", "8000", None, False))
    client.force_login(users["origin_clerk"])
    content = client.get(page(case)).content.decode()
    assert "广东省深圳市" in content and "440300:" not in content
    assert f"/cases/{case.reference}/contributions/" in content


def test_a_clerk_is_told_which_step_needs_a_supervisor(client, users):
    case = open_case(users, status="receiving")
    client.force_login(users["dest_clerk"])
    response = in_language(client, "en").get(page(case))
    assert response.context["supervisor_steps"] == "“Complete acceptance”"
    assert "A supervisor of your agency does “Complete acceptance”." in response.content.decode()
    client.force_login(users["dest_supervisor"])
    assert client.get(page(case)).context["supervisor_steps"] == ""


def test_the_open_request_stays_in_sight_while_the_case_waits(client, users):
    case = open_case(users, status="verifying")
    advance(case, users, "request_info", note="请补充劳动合同")
    client.force_login(users["dest_clerk"])
    response = client.get(page(case))
    assert response.context["open_request"].note == "请补充劳动合同"
    assert 'data-testid="open-request"' in response.content.decode()


def test_a_closed_case_says_how_it_ended_instead_of_offering_actions(client, users):
    case = open_case(users, status="verifying")
    advance(case, users, "reject", note="本地无参保记录")
    client.force_login(users["dest_clerk"])
    content = in_language(client, "en").get(page(case)).content.decode()
    assert 'data-testid="case-closed"' in content
    assert "The case is closed: Rejected on" in content and "本地无参保记录" in content
    assert "What you can do now" not in content
    assert "Live quote" not in content


def test_issuing_the_agreement_opens_a_warning_first(client, users):
    case = open_case(users, status="verifying")
    client.force_login(users["origin_supervisor"])
    form = next(f for f in client.get(page(case)).context["transition_forms"] if f.prefix == "issue_agreement")
    assert form.needs_input and form.warning
    # The note stays optional: the button under the warning issues it.
    client.post(page(case) + "transitions/issue_agreement/", {})
    case.refresh_from_db()
    assert case.status == "agreement_issued"


def test_a_clerk_issues_a_new_access_code_for_the_worker(client, users, caplog):
    case = open_case(users)
    old = services.case_issue_access_code(case=case)
    assert client.post(page(case) + "access-code/").status_code == 302  # anonymous: to sign in
    client.force_login(users["outsider_clerk"])
    assert client.post(page(case) + "access-code/").status_code == 404
    client.force_login(users["dest_clerk"])
    assert client.get(page(case) + "access-code/").status_code == 405
    with caplog.at_level(logging.INFO, logger="sstransfer.audit"):
        response = client.post(page(case) + "access-code/")
    code = response.context["access_code"]
    assert code in response.content.decode()
    assert response["Cache-Control"].startswith("max-age=0")
    case.refresh_from_db()
    assert services.case_check_access_code(case, case.worker.id_number, code)
    assert not services.case_check_access_code(case, case.worker.id_number, old)
    record = next(r for r in caplog.records if r.name == "sstransfer.audit")
    assert record.fields == {"user": "dest_clerk", "agency": "510100", "case": case.reference}


def test_no_access_code_for_a_closed_case(client, users):
    case = open_case(users, status="completed")
    client.force_login(users["dest_clerk"])
    assert "access-code/" not in client.get(page(case)).content.decode()
    response = client.post(page(case) + "access-code/", follow=True)
    assert "error" in [m.tags for m in response.context["messages"]]
    case.refresh_from_db()
    assert not case.access_code_hash
def test_the_query_count_does_not_grow_with_the_duplicates(client, users):
    # Each duplicate names two cities, and a city's name includes its province's.
    one = open_case(users, status="receiving")
    periods(one.worker, ("510100", "2017-01", "2017-03", "7000"))
    many = open_case(users, status="receiving")
    periods(many.worker, ("510100", "2017-01", "2017-03", "7000"), ("420100", "2018-05", "2018-06", "7000"),
            ("330100", "2019-05", "2019-06", "7000"))
    client.force_login(users["dest_supervisor"])
    client.post(page(many) + f"duplicates/{many.duplicates.first().pk}/resolve/",
                {f"duplicate-{many.duplicates.first().pk}-keep_city_code": "510100"})
    assert (one.duplicates.count(), many.duplicates.count(), many.duplicates.filter(kept_city__isnull=False).count()) \
        == (1, 3, 1)
    for case in (one, many):  # read once: a first reading also moves the clerk's mark
        client.get(page(case))
    with CaptureQueriesContext(connection) as few:
        assert client.get(page(one)).status_code == 200
    with CaptureQueriesContext(connection) as more:
        assert client.get(page(many)).status_code == 200
    assert len(more) == len(few)


def test_the_benefit_place_and_a_temporary_account_are_explained(client, users):
    older = WorkerFactory(id_number=make_id_number(county="420103", birth=dt.date(1970, 1, 20)),
                          hukou_city=City.objects.get(code="420100"))
    case = open_case(users, worker=older, status="verifying")
    client.force_login(users["origin_clerk"])
    content = in_language(client, "en").get(page(case)).content.decode()
    # 8.5 years in Guangdong and none elsewhere: back to the hukou province, Hubei.
    assert "Benefit-receipt place: 湖北省" in content
    assert "No place has ten years of contributions: the hukou province." in content
    assert "alert-warning" in content  # the temporary-account outcome stands out
    assert "temporary contribution account" in content
