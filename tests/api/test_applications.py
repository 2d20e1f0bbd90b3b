"""Online applications on the API: POST /applications waits in `applied`; accept_application and
decline_application by the lodging agency; the contact letter (docs/api.md "Online applications wait")."""

from __future__ import annotations

import pytest

from cases.models import CaseEvent, TransferCase, Worker
from tests.api.conftest import detail
from tests.factories import WorkerFactory, apply_online, make_id_number, open_case
from tests.pdf import pdf_fonts, pdf_text

pytestmark = pytest.mark.django_db


def body(**changes):
    data = {
        "id_number": make_id_number(), "name": "李明", "hukou_city_code": "510100", "phone": "13800138000",
        "email": "liming@example.org", "insurance_type": "pension", "origin_city_code": "440300",
        "destination_city_code": "510100", "consent": True,
    }
    data.update(changes)
    return data


def transition(api, who, case, name, **data):
    return api(who).post(f"/cases/{case.reference}/transitions/{name}", data)


# --- POST /applications ------------------------------------------------------------------------


def test_an_application_answers_201_with_reference_code_and_applied(anonymous, reference_data):
    data = body()
    response = anonymous.post("/applications", data)
    assert response.status_code == 201, response.content
    answer = response.json()
    assert set(answer) == {"reference", "access_code", "status"}
    assert answer["status"] == "applied"
    case = TransferCase.objects.get(reference=answer["reference"])
    assert case.status == "applied" and case.worker is None
    assert case.lodged_at == case.destination_agency
    assert case.applicant.id_number == data["id_number"]
    assert not Worker.objects.exists()


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"consent": False}, "consent"),
        ({"id_number": "320106199003071235"}, "id_number"),
        ({"hukou_city_code": "999999"}, "hukou_city_code"),
        ({"email": "nope"}, "email"),
        ({"phone": "12345"}, "phone"),
        ({"insurance_type": "work_injury"}, "insurance_type"),
        ({"destination_city_code": "999999"}, "destination_city_code"),
    ],
)
def test_bad_input_is_a_400_naming_the_field(anonymous, reference_data, changes, field):
    response = anonymous.post("/applications", body(**changes))
    assert response.status_code == 400
    assert field in response.json()
    assert not TransferCase.objects.exists()


def test_no_transfer_needed_is_a_400(anonymous, reference_data):
    response = anonymous.post("/applications", body(origin_city_code="440100", destination_city_code="440300"))
    assert response.status_code == 400


def test_the_fourth_open_application_of_an_id_number_is_a_400(anonymous, reference_data):
    number = make_id_number()
    for insurance_type in ("pension", "pension", "medical"):
        assert anonymous.post("/applications", body(id_number=number, insurance_type=insurance_type)).status_code == 201
    response = anonymous.post("/applications", body(id_number=number, insurance_type="unemployment"),
                              HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert "3 online applications waiting" in detail(response)
    # Another ID number is not held back.
    assert anonymous.post("/applications", body()).status_code == 201


def test_the_address_limit_is_a_429(anonymous, reference_data, settings):
    settings.ONLINE_APPLICATIONS_PER_ADDRESS = 3
    for _ in range(3):
        assert anonymous.post("/applications", body()).status_code == 201
    response = anonymous.post("/applications", body())
    assert response.status_code == 429
    assert "Retry-After" in response


# --- the case body ------------------------------------------------------------------------------


def test_the_clerks_see_the_applicant_with_no_worker(api, users):
    case = apply_online()
    answer = api("dest_clerk").get(f"/cases/{case.reference}").json()
    assert answer["status"] == "applied" and answer["worker"] is None
    assert answer["applicant"] == {
        "name": "李明", "hukou_city_code": "510100", "phone": "+8613800138000", "email": "applicant@example.org",
        "name_matches_registered": None,
    }
    # The origin sees it too, and may run nothing on it.
    origin = api("origin_clerk").get(f"/cases/{case.reference}").json()
    assert origin["available_transitions"] == []
    assert answer["available_transitions"] == ["accept_application", "decline_application", "withdraw"]


@pytest.mark.parametrize(("registered", "matches"), [("李明", True), ("王五", False)])
def test_name_matches_registered(api, users, registered, matches):
    worker = WorkerFactory(name=registered)
    case = apply_online(id_number=worker.id_number)
    assert api("dest_clerk").get(f"/cases/{case.reference}").json()["applicant"]["name_matches_registered"] is matches


def test_a_counter_case_has_no_applicant(api, users):
    case = open_case(users)
    assert api("origin_clerk").get(f"/cases/{case.reference}").json()["applicant"] is None


def test_the_case_list_shows_an_application_without_worker(api, users):
    case = apply_online()
    rows = api("dest_clerk").get("/cases", {"status": "applied"}).json()["results"]
    assert [(row["reference"], row["worker"]) for row in rows] == [(case.reference, None)]


# --- accept_application ------------------------------------------------------------------------


def test_accepting_registers_the_worker_and_hands_the_case_to_the_origin(api, users, mailoutbox,
                                                                        django_capture_on_commit_callbacks):
    case = apply_online()
    with django_capture_on_commit_callbacks(execute=True):
        response = transition(api, "dest_clerk", case, "accept_application", identity_checked=True, note="ID seen")
    assert response.status_code == 200, response.content
    answer = response.json()
    assert answer["status"] == "submitted"
    case.refresh_from_db()
    worker = Worker.objects.get(id_number=case.applicant.id_number)
    assert case.worker == worker and worker.name == "李明" and worker.hukou_city_id == "510100"
    assert answer["worker"] == {"id_number": worker.id_number, "name": "李明"}
    assert answer["applicant"]["name_matches_registered"] is True
    assert case.awaiting_agency == case.origin_agency_id
    event = case.events.get(transition="accept_application")
    assert (event.from_status, event.to_status, event.agency_id) == ("applied", "submitted", case.destination_agency_id)
    assert "ID seen" in event.note
    # The origin gets the contact letter; the worker hears the application is accepted.
    to_origin = [m for m in mailoutbox if "origin_clerk@example.org" in m.to]
    assert to_origin and "/contact-letter.pdf" in to_origin[0].body
    [to_worker] = [m for m in mailoutbox if m.to == ["applicant@example.org"]]
    assert case.reference in to_worker.subject and "/status/" in to_worker.body


@pytest.mark.parametrize("checked", [None, False, "no"])
def test_accepting_without_the_identity_check_is_a_400(api, users, checked):
    case = apply_online()
    data = {} if checked is None else {"identity_checked": checked}
    response = transition(api, "dest_clerk", case, "accept_application", **data)
    assert response.status_code == 400
    case.refresh_from_db()
    assert case.status == "applied" and not Worker.objects.exists()


def test_a_differing_name_must_be_confirmed(api, users):
    worker = WorkerFactory(name="王五")
    case = apply_online(id_number=worker.id_number, name="王武")
    for confirmed in ("", "张三"):
        response = transition(api, "dest_clerk", case, "accept_application", identity_checked=True,
                              confirmed_name=confirmed)
        assert response.json()["code"] == "confirm_name"
        assert response.status_code == 400
        assert "王五" in detail(response) and "王武" in detail(response)
    case.refresh_from_db()
    assert case.status == "applied"


def test_confirming_the_registered_name_keeps_the_register(api, users):
    worker = WorkerFactory(name="王五")
    case = apply_online(id_number=worker.id_number, name="王武")
    response = transition(api, "dest_clerk", case, "accept_application", identity_checked=True, confirmed_name="王五")
    assert response.status_code == 200
    worker.refresh_from_db()
    assert worker.name == "王五"
    assert response.json()["applicant"]["name_matches_registered"] is False
    assert "王武" in case.events.get(transition="accept_application").note


def test_confirming_the_applicants_name_corrects_the_register_in_the_event(api, users):
    worker = WorkerFactory(name="王五")
    case = apply_online(id_number=worker.id_number, name="王武")
    response = transition(api, "dest_clerk", case, "accept_application", identity_checked=True, confirmed_name="王武")
    assert response.status_code == 200
    worker.refresh_from_db()
    assert worker.name == "王武"
    case.refresh_from_db()
    assert case.worker == worker
    note = case.events.get(transition="accept_application").note
    assert "王五" in note and "王武" in note


def test_accepting_one_declines_the_others_of_that_id_number_and_type(api, users):
    number = make_id_number()
    real, impostor = apply_online(id_number=number), apply_online(id_number=number, name="冒名者")
    medical = apply_online(id_number=number, insurance_type="medical", origin="440300", destination="510100")
    assert transition(api, "dest_clerk", real, "accept_application", identity_checked=True).status_code == 200
    impostor.refresh_from_db()
    medical.refresh_from_db()
    assert impostor.status == "rejected" and impostor.worker is None
    declined = impostor.events.get(transition="decline_application")
    assert "automatically" in declined.note.lower() or "自动" in declined.note
    # The accepted case's reference is not handed to whoever lodged the other one.
    assert real.reference not in declined.note
    # Another insurance type waits on.
    assert medical.status == "applied"


def test_a_worker_with_an_open_case_of_the_type_cannot_be_accepted_again(api, users):
    case = open_case(users)
    application = apply_online(id_number=case.worker.id_number, name=case.worker.name)
    response = transition(api, "dest_clerk", application, "accept_application", identity_checked=True)
    assert response.status_code == 400
    application.refresh_from_db()
    assert application.status == "applied"


@pytest.mark.parametrize("who", ["origin_clerk", "origin_supervisor"])
@pytest.mark.parametrize("name", ["accept_application", "decline_application", "withdraw", "start_verification",
                                  "reject"])
def test_the_origin_may_run_nothing_in_applied(api, users, who, name):
    case = apply_online()
    response = transition(api, who, case, name, note="reason", identity_checked=True)
    assert response.status_code == 403
    case.refresh_from_db()
    assert case.status == "applied"


def test_an_outsider_does_not_see_the_application(api, users):
    case = apply_online()
    assert api("outsider_clerk").get(f"/cases/{case.reference}").status_code == 404
    assert transition(api, "outsider_clerk", case, "accept_application", identity_checked=True).status_code == 404


def test_other_steps_in_applied_are_a_409_for_the_lodging_agency(api, users):
    case = apply_online()
    assert transition(api, "dest_clerk", case, "register_agreement").status_code == 409


def test_accepting_twice_is_a_409(api, users):
    case = apply_online()
    assert transition(api, "dest_clerk", case, "accept_application", identity_checked=True).status_code == 200
    assert transition(api, "dest_clerk", case, "accept_application", identity_checked=True).status_code == 409
    assert transition(api, "dest_clerk", case, "decline_application", note="late").status_code == 409


# --- decline_application and withdraw ---------------------------------------------------------------


def test_declining_needs_a_note(api, users):
    case = apply_online()
    assert transition(api, "dest_clerk", case, "decline_application").status_code == 400
    response = transition(api, "dest_clerk", case, "decline_application", note="The ID card does not match.")
    assert response.status_code == 200
    assert response.json()["status"] == "rejected"
    case.refresh_from_db()
    assert case.worker is None and not Worker.objects.exists()
    assert CaseEvent.objects.get(case=case, transition="decline_application").note == "The ID card does not match."


def test_the_lodging_agency_may_withdraw_an_application(api, users):
    case = apply_online()
    response = transition(api, "dest_clerk", case, "withdraw")
    assert response.status_code == 200
    assert response.json()["status"] == "withdrawn"


# --- the contact letter -------------------------------------------------------------------------


def letter(api, who, case):
    return api(who).get(f"/cases/{case.reference}/contact-letter.pdf")


def test_no_contact_letter_before_acceptance_or_after_a_decline(api, users):
    case = apply_online()
    assert letter(api, "dest_clerk", case).status_code == 404
    transition(api, "dest_clerk", case, "decline_application", note="no")
    assert letter(api, "dest_clerk", case).status_code == 404


def test_no_contact_letter_for_a_case_lodged_at_the_origin(api, users):
    case = open_case(users)
    assert letter(api, "origin_clerk", case).status_code == 404


@pytest.mark.parametrize("who", ["dest_clerk", "origin_clerk", "origin_supervisor"])
def test_the_contact_letter_once_accepted_either_side(api, users, who):
    case = apply_online(name="李明")
    transition(api, "dest_clerk", case, "accept_application", identity_checked=True)
    response = letter(api, who, case)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    case.refresh_from_db()
    assert case.reference in text
    assert case.worker.masked_id in text and case.worker.id_number not in text
    assert case.origin_agency.name in text and case.destination_agency.name in text
    assert f"{case.due_date:%Y-%m-%d}" in text
    assert "养老" in text  # the insurance type, in Chinese
    fonts = pdf_fonts(response.content)
    assert fonts and all(embedded for _name, embedded in fonts), fonts


def test_a_counter_case_lodged_at_the_destination_has_a_contact_letter(api, users):
    from cases import services
    from cases.models import Actor
    from tests.factories import agency

    worker = WorkerFactory()
    case = services.case_open(actor=Actor.for_user(users["dest_clerk"]), worker=worker, insurance_type="pension",
                              origin_agency=agency("440300"), destination_agency=agency("510100"))
    assert letter(api, "origin_clerk", case).status_code == 200


def test_an_outsider_gets_no_contact_letter(api, users):
    case = apply_online()
    transition(api, "dest_clerk", case, "accept_application", identity_checked=True)
    assert letter(api, "outsider_clerk", case).status_code == 404
