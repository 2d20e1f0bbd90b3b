"""Online applications in the clerk workspace: the worklist tab, the identity check on the case page, the
contact letter, and who hears of what (docs/domain.md §3, §7)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from cases.models import Worker
from tests.factories import WorkerFactory, advance, apply_online, open_case
from tests.pdf import pdf_fonts, pdf_text

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("reference_data")]

WORKLIST = reverse("cases:home")


def transition_url(case, name):
    return reverse("cases:transition", args=[case.reference, name])


def test_the_lodging_agency_lists_applications_to_accept(client, users):
    waiting, accepted = apply_online(), apply_online()
    advance(accepted, users, "accept_application")
    client.force_login(users["dest_clerk"])
    response = client.get(WORKLIST, {"tab": "applications"})
    assert [row.case for row in response.context["rows"]] == [waiting]
    tabs = {name: count for name, _label, count in response.context["tabs"]}
    assert tabs["applications"] == 1
    # Its turn: the application is also under "to act on".
    assert waiting in [row.case for row in client.get(WORKLIST).context["rows"]]
    # The origin sees the application among its outgoing cases, but has none to accept nor to act on.
    client.force_login(users["origin_clerk"])
    tabs = {name: count for name, _label, count in client.get(WORKLIST).context["tabs"]}
    assert tabs["applications"] == 0
    assert waiting not in [row.case for row in client.get(WORKLIST).context["rows"]]
    assert waiting in [row.case for row in client.get(WORKLIST, {"tab": "outgoing"}).context["rows"]]


def test_the_worklist_finds_an_application_by_the_applicants_name(client, users):
    case = apply_online(name="欧阳娜娜")
    client.force_login(users["dest_clerk"])
    assert [row.case for row in client.get(WORKLIST, {"q": "欧阳娜娜"}).context["rows"]] == [case]


def test_the_page_shows_the_names_side_by_side_and_asks_which_is_right(client, users):
    worker = WorkerFactory(name="王五")
    case = apply_online(id_number=worker.id_number, name="王武")
    client.force_login(users["dest_clerk"])
    response = client.get(case.get_absolute_url())
    html = response.content.decode()
    assert response.context["names_differ"]
    assert 'data-testid="applicant-name">王武<' in html and 'data-testid="registered-name">王五<' in html
    assert 'name="accept_application-identity_checked"' in html
    assert 'name="accept_application-confirmed_name"' in html and 'value="王五"' in html and 'value="王武"' in html
    # Nobody's history or full ID number is offered before acceptance.
    assert reverse("cases:reveal_id", args=[case.reference]) not in html
    assert client.post(reverse("cases:reveal_id", args=[case.reference])).status_code == 404
    assert client.get(reverse("cases:contributions", args=[case.reference])).status_code == 404


def test_a_new_id_number_needs_no_choice_of_name(client, users):
    case = apply_online()
    client.force_login(users["dest_clerk"])
    html = client.get(case.get_absolute_url()).content.decode()
    assert 'name="accept_application-identity_checked"' in html
    assert 'name="accept_application-confirmed_name"' not in html


def test_the_origin_sees_the_application_but_can_run_nothing(client, users):
    case = apply_online()
    client.force_login(users["origin_clerk"])
    response = client.get(case.get_absolute_url())
    assert response.status_code == 200
    assert response.context["transition_forms"] == []
    assert client.post(transition_url(case, "withdraw"), {"withdraw-confirm": "on"}).status_code == 302
    case.refresh_from_db()
    assert case.status == "applied"


def test_accepting_without_the_check_comes_back_with_the_error(client, users):
    case = apply_online()
    client.force_login(users["dest_clerk"])
    response = client.post(transition_url(case, "accept_application"), {})
    assert response.status_code == 400
    assert "identity_checked" in response.context["transition_forms"][0].errors
    case.refresh_from_db()
    assert case.status == "applied" and not Worker.objects.exists()


def test_accepting_on_the_page_corrects_the_register_and_links_the_contact_letter(client, users):
    worker = WorkerFactory(name="王五")
    case = apply_online(id_number=worker.id_number, name="王武")
    client.force_login(users["dest_clerk"])
    response = client.post(transition_url(case, "accept_application"), {
        "accept_application-identity_checked": "on", "accept_application-confirmed_name": "王武",
    })
    assert response.status_code == 302
    worker.refresh_from_db()
    case.refresh_from_db()
    assert (case.status, case.worker, worker.name) == ("submitted", worker, "王武")
    html = client.get(case.get_absolute_url()).content.decode()
    letter_url = reverse("cases:contact_letter_pdf", args=[case.reference])
    assert letter_url in html
    pdf = client.get(letter_url)
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert case.reference in pdf_text(pdf.content)
    assert all(embedded for _name, embedded in pdf_fonts(pdf.content))


def test_a_name_outside_the_two_is_refused_on_the_page(client, users):
    worker = WorkerFactory(name="王五")
    case = apply_online(id_number=worker.id_number, name="王武")
    client.force_login(users["dest_clerk"])
    response = client.post(transition_url(case, "accept_application"), {
        "accept_application-identity_checked": "on", "accept_application-confirmed_name": "张三",
    })
    assert response.status_code == 400
    case.refresh_from_db()
    assert case.status == "applied"


def test_declining_needs_a_reason_and_the_confirmation(client, users):
    case = apply_online()
    client.force_login(users["dest_clerk"])
    assert client.post(transition_url(case, "decline_application"), {"decline_application-confirm": "on"}
                       ).status_code == 400
    response = client.post(transition_url(case, "decline_application"), {
        "decline_application-note": "证件与申请不符", "decline_application-confirm": "on",
    })
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == "rejected"
    assert client.get(reverse("cases:contact_letter_pdf", args=[case.reference])).status_code == 404


def test_the_contact_letter_is_404_for_a_case_lodged_at_the_origin(client, users):
    case = open_case(users)
    client.force_login(users["origin_clerk"])
    assert client.get(reverse("cases:contact_letter_pdf", args=[case.reference])).status_code == 404


def test_the_application_page_runs_a_fixed_number_of_queries(client, users, django_assert_max_num_queries):
    worker = WorkerFactory(name="王五")
    case = apply_online(id_number=worker.id_number, name="王武")
    client.force_login(users["dest_clerk"])
    client.get(case.get_absolute_url())
    with django_assert_max_num_queries(16):
        assert client.get(case.get_absolute_url()).status_code == 200


# --- who hears of what -------------------------------------------------------------------------


def test_a_new_application_tells_the_lodging_agency_not_the_origin(users, mailoutbox,
                                                                    django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        case = apply_online()
    [message] = mailoutbox
    assert set(message.to) == {"dest_clerk@example.org", "dest_supervisor@example.org"}
    assert case.reference in message.subject


def test_acceptance_sends_the_origin_the_contact_letter_and_tells_the_worker(
    users, mailoutbox, django_capture_on_commit_callbacks
):
    case = apply_online(email="me@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        advance(case, users, "accept_application")
    case.refresh_from_db()
    [to_origin] = [m for m in mailoutbox if "origin_clerk@example.org" in m.to]
    assert reverse("cases:contact_letter_pdf", args=[case.reference]) in to_origin.body
    assert f"{case.due_date:%Y-%m-%d}" in to_origin.body
    [to_worker] = [m for m in mailoutbox if m.to == ["me@example.org"]]
    assert case.worker.id_number not in to_worker.body and case.worker.name not in to_worker.body


def test_a_counter_case_at_the_destination_sends_the_contact_letter(users, mailoutbox,
                                                                     django_capture_on_commit_callbacks):
    from cases import services
    from cases.models import Actor
    from tests.factories import agency

    with django_capture_on_commit_callbacks(execute=True):
        case = services.case_open(actor=Actor.for_user(users["dest_clerk"]), worker=WorkerFactory(),
                                  insurance_type="pension", origin_agency=agency("440300"),
                                  destination_agency=agency("510100"))
    [message] = mailoutbox
    assert reverse("cases:contact_letter_pdf", args=[case.reference]) in message.body


def test_the_worker_hears_of_a_request_with_the_link_and_of_completion(users, mailoutbox,
                                                                        django_capture_on_commit_callbacks):
    case = apply_online(email="me@example.org")
    advance(case, users, "accept_application", "start_verification")
    with django_capture_on_commit_callbacks(execute=True):
        advance(case, users, "request_info", note="请补充劳动合同。")
    [request] = [m for m in mailoutbox if m.to == ["me@example.org"]]
    assert "请补充劳动合同。" in request.body and reverse("cases:act") in request.body
    case.refresh_from_db()
    from tests.factories import periods

    advance(case, users, "provide_info")
    periods(case.worker, ("440300", "2018-01", "2025-06", "7000"))
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        advance(case, users, "issue_agreement", "register_agreement", "remit", "receive", "complete")
    subjects = [m.subject for m in mailoutbox if m.to == ["me@example.org"]]
    assert any(case.reference in s and ("complete" in s or "办结" in s) for s in subjects), subjects


def test_an_automatic_decline_is_mailed_to_whoever_applied(users, mailoutbox, django_capture_on_commit_callbacks):
    real = apply_online(email="real@example.org")
    apply_online(id_number=real.applicant.id_number, name="冒名者", email="impostor@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        advance(real, users, "accept_application")
    [declined] = [m for m in mailoutbox if m.to == ["impostor@example.org"]]
    assert real.reference not in declined.body


def test_a_worker_registered_without_e_mail_hears_at_the_address_they_applied_with(
    users, mailoutbox, django_capture_on_commit_callbacks
):
    worker = WorkerFactory(name="李明", email="")
    case = apply_online(id_number=worker.id_number, email="now@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        advance(case, users, "accept_application")
    assert [m for m in mailoutbox if m.to == ["now@example.org"]]


def test_the_export_and_the_printable_summary_name_the_applicant(client, users):
    case = apply_online(name="欧阳娜娜")
    client.force_login(users["dest_clerk"])
    text = client.get("/worklist.csv", {"tab": "applications"}).content.decode("utf-8")
    assert case.reference in text and "欧阳娜娜" in text and case.applicant.masked_id in text
    assert case.applicant.id_number not in text
    printed = client.get(reverse("cases:print", args=[case.reference]))
    assert printed.status_code == 200 and "欧阳娜娜" in printed.content.decode()
