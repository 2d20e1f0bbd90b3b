from __future__ import annotations

from cases.models import TransferCase, Worker
from tests.factories import WorkerFactory, make_id_number, open_case

INTAKE = "/cases/new/"


def open_form(worker: Worker, **overrides: str) -> dict[str, str]:
    return {
        "action": "open", "id_number": worker.id_number, "insurance_type": "pension", "our_side": "origin",
        "other_agency": str(_agency_pk("510100")), "approved_transfer_reference": "", **overrides,
    }


def _agency_pk(code: str) -> int:
    from regions.models import Agency

    return Agency.objects.get(code=code).pk


def test_anonymous_is_sent_to_sign_in(client, users):
    for response in (client.get(INTAKE), client.post(INTAKE, {"action": "register"})):
        assert response.status_code == 302 and response.url.startswith("/accounts/login/")


def test_an_invalid_id_number_says_what_is_wrong_inline(client, users):
    client.force_login(users["origin_clerk"])
    client.cookies["django_language"] = "en"
    response = client.get(INTAKE, {"id_number": "320106199003071235"})
    assert response.context["lookup"].errors["id_number"] == ["The check character is wrong: it should be 4."]
    assert response.context["register_form"] is None


def test_an_unknown_worker_is_registered_then_the_case_opened(client, users):
    client.force_login(users["dest_clerk"])
    number = make_id_number(county="510104")
    response = client.get(INTAKE, {"id_number": number.lower()})
    assert response.context["register_form"].initial["id_number"] == number
    response = client.post(INTAKE, {
        "action": "register", "id_number": number, "name": "王小明", "hukou_city": "510100", "email": "w@example.org",
    })
    assert response.status_code == 302 and response.url == f"{INTAKE}?id_number={number}"
    worker = Worker.objects.get(id_number=number)
    assert worker.gender == "male" and worker.email == "w@example.org"
    response = client.get(response.url)
    assert response.context["worker"] == worker and response.context["case_form"] is not None

    response = client.post(INTAKE, open_form(worker, our_side="destination", other_agency=str(_agency_pk("440300"))))
    case = TransferCase.objects.get(worker=worker)
    assert response.status_code == 302 and response.url == case.get_absolute_url()
    assert (case.origin_agency.code, case.destination_agency.code, case.lodged_at.code) == ("440300", "510100", "510100")


def test_registering_twice_is_refused_inline(client, users):
    worker = WorkerFactory()
    client.force_login(users["origin_clerk"])
    response = client.post(INTAKE, {
        "action": "register", "id_number": worker.id_number, "name": "重复", "hukou_city": "510100",
    })
    assert response.status_code == 400
    assert response.context["register_form"].errors["id_number"]


def test_no_transfer_is_needed_inside_one_pooling_area(client, users):
    worker = WorkerFactory()
    client.force_login(users["origin_clerk"])
    client.cookies["django_language"] = "en"
    response = client.post(INTAKE, open_form(worker, other_agency=str(_agency_pk("440100"))))
    assert response.status_code == 400
    assert "no transfer is needed" in response.context["case_form"].non_field_errors()[0]
    assert not TransferCase.objects.exists()


def test_a_second_open_case_of_the_same_type_is_refused(client, users):
    case = open_case(users)
    client.force_login(users["origin_clerk"])
    client.cookies["django_language"] = "en"
    response = client.post(INTAKE, open_form(case.worker))
    assert response.status_code == 400
    assert "already has an open case" in response.context["case_form"].non_field_errors()[0]
    assert response.context["existing"] == case
    assert TransferCase.objects.count() == 1


def test_the_other_agency_excludes_our_own(client, users):
    worker = WorkerFactory()
    client.force_login(users["origin_clerk"])
    response = client.get(INTAKE, {"id_number": worker.id_number})
    queryset = response.context["case_form"].fields["other_agency"].queryset
    assert not queryset.filter(code="440300").exists()
    assert queryset.filter(code="510100").exists()
    response = client.post(INTAKE, open_form(worker, other_agency=str(_agency_pk("440300"))))
    assert response.context["case_form"].errors["other_agency"]


def test_opening_for_an_unknown_worker_is_refused_with_a_message(client, users):
    client.force_login(users["origin_clerk"])
    response = client.post(INTAKE, {"action": "open", "id_number": make_id_number()}, follow=True)
    assert [m.tags for m in response.context["messages"]] == ["error"]


def test_the_intake_runs_a_fixed_number_of_queries(client, users, django_assert_max_num_queries):
    worker = WorkerFactory()
    client.force_login(users["origin_clerk"])
    with django_assert_max_num_queries(6):
        client.get(INTAKE, {"id_number": worker.id_number})
