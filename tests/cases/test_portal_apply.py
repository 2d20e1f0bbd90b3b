"""Applying online at /apply/: validation, the access code shown once and e-mailed."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.core.cache import cache
from django.urls import reverse

from cases.ids import check_character
from cases.models import Applicant, CaseEvent, TransferCase, Worker
from cases.services import case_check_access_code
from regions.models import Agency
from tests.cases.portal_support import assert_no_personal_data, in_language
from tests.factories import WorkerFactory, make_id_number, open_case

URL = reverse("cases:apply")
DONE = reverse("cases:apply_done")


@pytest.fixture(autouse=True)
def fresh_rate_limit():
    cache.clear()


def application(**changes):
    data = {
        "id_number": make_id_number(county="510104", birth=dt.date(1992, 5, 17)),
        "name": "李明",
        "hukou_city": "510100",
        "phone": "13800138000",
        "email": "liming@example.org",
        "insurance_type": "pension",
        "origin_city": "440300",
        "destination_city": "510100",
        "consent": "on",
    }
    data.update(changes)
    return data


def test_the_form_groups_the_cities_by_province(client, reference_data):
    html = client.get(URL).content.decode()
    for name in ("id_number", "name", "hukou_city", "phone", "email", "insurance_type", "origin_city",
                 "destination_city", "consent"):
        assert f'name="{name}"' in html
    assert '<optgroup label="广东省">' in html
    assert '<option value="440300">深圳市</option>' in html


def test_a_valid_application_waits_in_applied_at_the_destination(
    client, reference_data, django_capture_on_commit_callbacks
):
    data = application()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(URL, data)
    assert response.status_code == 302
    assert response["Location"] == DONE
    case = TransferCase.objects.get(applicant__id_number=data["id_number"])
    assert case.status == "applied"
    assert case.channel == TransferCase.Channel.ONLINE
    assert case.lodged_at == case.destination_agency == Agency.objects.get(code="510100")
    assert case.origin_agency.code == "440300"
    # Nobody is registered until a clerk of the destination accepts it: the details wait on the case.
    assert case.worker is None and not Worker.objects.exists()
    applicant = case.applicant
    assert (applicant.name, applicant.phone, applicant.email, applicant.hukou_city_id) == (
        "李明", "13800138000", "liming@example.org", "510100"
    )
    # Digits 7–14 (make_id_number moves the date on by a day every 500 numbers it makes, so read them back).
    number = data["id_number"]
    assert applicant.birth_date == dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    # On the lodging agency's clock, with the destination's 15 working days for a pension.
    assert case.awaiting_agency == case.lodged_at_id and case.due_date is not None


def test_the_access_code_is_shown_once_and_e_mailed(client, reference_data, django_capture_on_commit_callbacks):
    data = application()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(URL, data)
    case = TransferCase.objects.get(applicant__id_number=data["id_number"])
    done = client.get(DONE)
    assert done.status_code == 200
    assert "no-store" in done["Cache-Control"]
    html = done.content.decode()
    assert case.reference in html
    code = done.context["access_code"]
    assert code in html
    assert code not in done.wsgi_request.get_full_path()
    assert case_check_access_code(case, data["id_number"], code)
    assert_no_personal_data(html, case.applicant)
    [message] = [m for m in mail.outbox if m.to == ["liming@example.org"]]
    assert code in message.body
    assert case.reference in message.body
    assert data["id_number"] not in message.body
    again = client.get(DONE)
    assert again.status_code == 302
    assert code not in client.get(again["Location"]).content.decode()


def test_the_e_mail_is_in_the_applicants_language(client, reference_data, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        in_language(client, "en").post(URL, application())
    assert "Access code" in mail.outbox[-1].body


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"id_number": "320106199003071235"}, "id_number"),
        ({"id_number": "32010619900307123"}, "id_number"),
        ({"name": ""}, "name"),
        ({"hukou_city": "999999"}, "hukou_city"),
        ({"phone": "call me"}, "phone"),
        ({"phone": "12345"}, "phone"),  # digits, but no Chinese number (the phonenumbers library decides)
        ({"phone": "138001380001"}, "phone"),
        ({"email": "nope"}, "email"),
        ({"insurance_type": "work_injury"}, "insurance_type"),
        ({"origin_city": "510100"}, "destination_city"),
        ({"consent": ""}, "consent"),
    ],
)
def test_invalid_input_is_refused_next_to_its_field(client, reference_data, changes, field):
    response = client.post(URL, application(**changes))
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert not TransferCase.objects.exists()


def test_the_checksum_error_says_what_is_wrong(client, reference_data):
    response = in_language(client, "en").post(URL, application(id_number="320106199003071235"))
    assert "it should be 4" in response.content.decode()


def test_the_same_pooling_area_needs_no_transfer(client, reference_data):
    response = in_language(client, "en").post(URL, application(origin_city="440100", destination_city="440300"))
    assert "no transfer is needed" in str(response.context["form"].errors["destination_city"])
    assert not TransferCase.objects.exists()
    assert not Worker.objects.exists()


def test_medical_insurance_between_two_cities_of_one_province_is_a_transfer(client, reference_data):
    client.post(URL, application(insurance_type="medical", origin_city="440100", destination_city="440300"))
    assert TransferCase.objects.filter(insurance_type="medical").exists()


def test_an_open_case_already_does_not_block_an_application(client, users):
    # Else whoever knows someone's ID number could keep the real worker from applying.
    case = open_case(users)
    response = client.post(URL, application(id_number=case.worker.id_number))
    assert response["Location"] == DONE
    assert TransferCase.objects.filter(applicant__id_number=case.worker.id_number, status="applied").count() == 1


def test_a_fourth_waiting_application_for_one_id_number_is_refused(client, reference_data):
    number = application()["id_number"]
    for insurance_type in ("pension", "medical", "pension"):
        cache.clear()  # the per-address limit is another test's
        assert client.post(URL, application(id_number=number, insurance_type=insurance_type))["Location"] == DONE
    response = in_language(client, "en").post(URL, application(id_number=number, insurance_type="unemployment"))
    assert response.status_code == 200
    assert "3 online applications waiting" in str(response.context["form"].errors["id_number"])
    assert TransferCase.objects.filter(applicant__id_number=number).count() == 3


def test_every_application_counts_toward_the_address_limit(client, reference_data, settings):
    settings.ONLINE_APPLICATIONS_PER_ADDRESS = 3
    for _ in range(3):
        assert client.post(URL, application())["Location"] == DONE
    response = client.post(URL, application())
    assert response.status_code == 429
    assert TransferCase.objects.count() == 3


def test_a_worker_on_record_is_neither_read_nor_changed(client, users, django_capture_on_commit_callbacks):
    worker = WorkerFactory(name="王五", phone="13900000000", email="old@example.org")
    data = application(id_number=worker.id_number, name="冒名者", email="new@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(URL, data)
    assert response["Location"] == DONE
    worker.refresh_from_db()
    assert (worker.name, worker.email, worker.phone) == ("王五", "old@example.org", "13900000000")
    case = TransferCase.objects.get(applicant__id_number=worker.id_number)
    assert case.worker is None
    assert (case.applicant.name, case.applicant.email) == ("冒名者", "new@example.org")
    html = client.get(DONE).content.decode()
    assert "王五" not in html
    assert "old@example.org" not in html
    assert mail.outbox[-1].to == ["new@example.org"]


def test_a_new_worker_gets_no_note_on_the_opening_event(client, reference_data):
    data = application()
    client.post(URL, data)
    assert CaseEvent.objects.get(transition="open").note == ""


def test_the_form_page_costs_a_fixed_number_of_queries(client, reference_data, django_assert_max_num_queries):
    with django_assert_max_num_queries(2):
        client.get(URL)


def test_a_residence_permit_and_a_loosely_typed_phone_are_accepted(client, reference_data):
    first17 = "83000019880808004"
    number = first17 + check_character(first17)
    data = application(id_number=f"830000 19880808 004{number[-1].lower()}", phone="138-0013-8000")
    assert client.post(URL, data).status_code == 302
    applicant = Applicant.objects.get(id_number=number)
    assert applicant.phone == "+8613800138000" and applicant.birth_date == dt.date(1988, 8, 8)
