from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from cases.models import TransferCase, Worker
from cases.selectors import worker_token
from tests.factories import WorkerFactory, make_id_number, open_case

INTAKE = "/cases/new/"


def open_form(worker: Worker, **overrides: str) -> dict[str, str]:
    return {
        "action": "open", "worker": worker_token(worker.pk), "insurance_type": "pension", "our_side": "origin",
        "other_agency": str(_agency_pk("510100")), "approved_transfer_reference": "", **overrides,
    }


def look_up(client, id_number: str, follow: bool = True):
    return client.post(INTAKE, {"action": "lookup", "id_number": id_number}, follow=follow)


def _agency_pk(code: str) -> int:
    from regions.models import Agency

    return Agency.objects.get(code=code).pk


def test_anonymous_is_sent_to_sign_in(client, users):
    for response in (client.get(INTAKE), client.post(INTAKE, {"action": "register"})):
        assert response.status_code == 302 and response.url.startswith("/accounts/login/")


def test_an_invalid_id_number_says_what_is_wrong_inline(client, users):
    client.force_login(users["origin_clerk"])
    client.cookies["django_language"] = "en"
    response = look_up(client, "320106199003071235")
    assert response.status_code == 400
    assert response.context["lookup"].errors["id_number"] == ["The check character is wrong: it should be 4."]
    assert response.context["register_form"] is None


def test_the_lookup_is_posted_and_the_worker_carried_by_a_token_not_the_id_number(client, users):
    worker = WorkerFactory()
    client.force_login(users["origin_clerk"])
    page = client.get(INTAKE).content.decode()
    assert 'method="post"' in page and 'value="lookup"' in page
    spaced = f"{worker.id_number[:6]} {worker.id_number[6:14]}-{worker.id_number[14:].lower()}"
    response = look_up(client, spaced, follow=False)
    assert response.status_code == 302
    assert worker.id_number not in response.url and worker.id_number.lower() not in response.url
    token = parse_qs(urlsplit(response.url).query)["worker"][0]
    followed = client.get(response.url)
    assert followed.context["worker"] == worker and followed.context["case_form"] is not None
    assert f'name="worker" value="{token}"' in followed.content.decode()
    assert worker.id_number not in followed.content.decode()


def test_an_altered_or_foreign_token_finds_no_worker(client, users):
    worker = WorkerFactory()
    client.force_login(users["origin_clerk"])
    response = client.get(INTAKE, {"worker": worker_token(worker.pk) + "0"}, follow=True)
    assert response.redirect_chain == [(INTAKE, 302)]
    assert [m.tags for m in response.context["messages"]] == ["error"]
    response = client.post(INTAKE, {**open_form(worker), "worker": str(worker.pk)}, follow=True)
    assert [m.tags for m in response.context["messages"]] == ["error"]
    assert not TransferCase.objects.exists()


def test_an_unknown_worker_is_registered_then_the_case_opened(client, users):
    client.force_login(users["dest_clerk"])
    number = make_id_number(county="510104")
    response = look_up(client, number.lower())
    assert response.context["register_form"].initial["id_number"] == number
    response = client.post(INTAKE, {
        "action": "register", "id_number": number, "name": "王小明", "hukou_city": "510100", "email": "w@example.org",
        "phone": "138 0013 8000",
    })
    worker = Worker.objects.get(id_number=number)
    assert response.status_code == 302 and response.url == f"{INTAKE}?worker={worker_token(worker.pk)}".replace(":", "%3A")
    assert worker.gender == "male" and worker.email == "w@example.org"
    assert worker.phone == "+8613800138000" and worker.registered_by_agency.code == "510100"
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
    response = look_up(client, worker.id_number)
    queryset = response.context["case_form"].fields["other_agency"].queryset
    assert not queryset.filter(code="440300").exists()
    assert queryset.filter(code="510100").exists()
    response = client.post(INTAKE, open_form(worker, other_agency=str(_agency_pk("440300"))))
    assert response.context["case_form"].errors["other_agency"]


def test_opening_for_an_unknown_worker_is_refused_with_a_message(client, users):
    client.force_login(users["origin_clerk"])
    response = client.post(INTAKE, {"action": "open", "worker": ""}, follow=True)
    assert [m.tags for m in response.context["messages"]] == ["error"]


def test_the_intake_runs_a_fixed_number_of_queries(client, users, django_assert_max_num_queries):
    worker = WorkerFactory()
    client.force_login(users["origin_clerk"])
    with django_assert_max_num_queries(6):
        client.get(INTAKE, {"worker": worker_token(worker.pk)})


def test_a_phone_number_the_library_refuses_is_an_error_in_place(client, users):
    client.force_login(users["dest_clerk"])
    client.cookies["django_language"] = "en"
    number = make_id_number()
    for phone in ("12345", "138001380001", "not a phone"):
        response = client.post(INTAKE, {"action": "register", "id_number": number, "name": "王", "hukou_city": "510100",
                                        "phone": phone})
        assert response.status_code == 400
        assert response.context["register_form"].errors["phone"]
    assert not Worker.objects.filter(id_number=number).exists()
