from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cases import services
from cases.models import Actor, CaseStatus, TransferCase, Worker
from regions.models import Agency, City
from tests.factories import WorkerFactory, agency, make_id_number, open_case

WORKLIST = "/"


def bulk_cases(count: int, *, status: str = CaseStatus.SUBMITTED, due_in_days: int = 10) -> None:
    """Many cases cheaply: the query count must not grow with them."""
    hukou = City.objects.get(code="510100")
    workers = Worker.objects.bulk_create([
        Worker(id_number=make_id_number(), name=f"批量{n}", gender="male", birth_date=dt.date(1990, 1, 1), hukou_city=hukou)
        for n in range(count)
    ])
    origin, destination = Agency.objects.get(code="440300"), Agency.objects.get(code="510100")
    today = timezone.localdate()
    TransferCase.objects.bulk_create([
        TransferCase(
            reference=f"TR-BULK-{worker.pk:06d}", worker=worker, insurance_type="pension", origin_agency=origin,
            destination_agency=destination, lodged_at=origin, status=status, application_date=today,
            outcome="full_transfer", due_date=today + dt.timedelta(days=due_in_days + n % 30),
        )
        for n, worker in enumerate(workers)
    ])


def worklist_queries(client, path: str = WORKLIST) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200
    return len(queries)


def test_anonymous_gets_the_public_home_not_the_worklist(client, users):
    response = client.get(WORKLIST)
    assert response.status_code == 200
    assert "cases/worklist.html" not in [t.name for t in response.templates]


def test_a_user_without_agency_is_told_so_with_a_link_to_the_admin(client, django_user_model, reference_data):
    admin = django_user_model.objects.create_superuser("boss", "boss@example.org", "x")
    client.force_login(admin)
    response = client.get(WORKLIST)
    assert response.status_code == 403
    assert b"/admin/" in response.content
    assert "cases/no_agency.html" in [t.name for t in response.templates]


def test_the_tabs_count_and_list_our_cases_only(client, users):
    submitted = open_case(users)
    receiving = open_case(users, status="receiving")
    completed = open_case(users, status="completed")
    outsider = services.case_open(
        actor=Actor.for_user(users["outsider_clerk"]), worker=WorkerFactory(), insurance_type="pension",
        origin_agency=agency("330100"), destination_agency=agency("510100"),
    )
    client.force_login(users["origin_clerk"])

    response = client.get(WORKLIST)
    tabs = {name: count for name, _label, count in response.context["tabs"]}
    assert tabs == {"todo": 1, "outgoing": 2, "incoming": 0, "overdue": 0, "closed": 1}
    assert [row.case for row in response.context["rows"]] == [submitted]

    listed = {row.case for row in client.get(WORKLIST + "?tab=outgoing").context["rows"]}
    assert listed == {submitted, receiving}
    assert outsider.reference.encode() not in client.get(WORKLIST + "?tab=closed").content
    assert [row.case for row in client.get(WORKLIST + "?tab=closed").context["rows"]] == [completed]


def test_the_destination_sees_its_move_under_to_act_on(client, users):
    case = open_case(users, status="agreement_issued")
    client.force_login(users["dest_clerk"])
    response = client.get(WORKLIST)
    assert [row.case for row in response.context["rows"]] == [case]
    assert response.context["rows"][0].our_turn
    assert not response.context["rows"][0].outgoing


def test_overdue_rows_stand_out_with_working_days(client, users):
    case = open_case(users, status="verifying")
    TransferCase.objects.filter(pk=case.pk).update(due_date=dt.date(2026, 1, 5))
    client.force_login(users["origin_clerk"])
    response = client.get(WORKLIST + "?tab=overdue")
    row = response.context["rows"][0]
    assert row.overdue and row.days_left < 0
    assert b"table-overdue" in response.content
    # 2026-01-05 is a Monday; counting to a fixed today keeps the number exact.
    assert response.context["tabs"][3][2] == 1


def test_cases_waiting_for_information_come_after_dated_ones(client, users):
    paused = open_case(users, status="info_requested")
    dated = open_case(users, status="verifying")
    client.force_login(users["origin_clerk"])
    rows = client.get(WORKLIST, {"tab": "outgoing"}).context["rows"]
    assert [row.case for row in rows] == [dated, paused]


def test_search_by_reference_id_number_and_name(client, users):
    case = open_case(users)
    other = open_case(users)
    client.force_login(users["origin_clerk"])
    for query in (case.reference.lower(), case.worker.id_number.lower(), case.worker.name):
        rows = client.get(WORKLIST, {"q": query}, follow=True).context["rows"]  # an ID number continues under a token
        assert [row.case for row in rows] == [case], query
    assert other in [row.case for row in client.get(WORKLIST).context["rows"]]


def test_filters_and_sorting(client, users):
    pension = open_case(users)
    medical = open_case(users, insurance_type="medical")
    client.force_login(users["origin_clerk"])
    rows = client.get(WORKLIST, {"insurance_type": "medical"}).context["rows"]
    assert [row.case for row in rows] == [medical]
    rows = client.get(WORKLIST, {"status": "verifying"}).context["rows"]
    assert rows == []
    # Medical cases have a shorter deadline (10 working days against 15).
    rows = client.get(WORKLIST, {"o": "-due_date"}).context["rows"]
    assert [row.case for row in rows] == [pension, medical]
    rows = client.get(WORKLIST, {"due_to": f"{medical.due_date:%Y-%m-%d}"}).context["rows"]
    assert [row.case for row in rows] == [medical]


def test_the_empty_state_says_what_to_do(client, users):
    client.force_login(users["origin_clerk"])
    response = client.get(WORKLIST)
    assert response.context["rows"] == []
    assert b'href="/cases/new/"' in response.content
    searched = client.get(WORKLIST, {"q": "nobody"})
    assert searched.context["searching"]


def test_the_list_is_paginated(client, users):
    bulk_cases(30)
    client.force_login(users["origin_clerk"])
    first = client.get(WORKLIST)
    assert len(first.context["rows"]) == 25
    second = client.get(WORKLIST, {"page": 2})
    assert len(second.context["rows"]) == 5
    assert not {row.case.pk for row in first.context["rows"]} & {row.case.pk for row in second.context["rows"]}


def test_the_query_count_does_not_grow_with_the_cases(client, users, django_assert_max_num_queries):
    bulk_cases(10)
    client.force_login(users["origin_clerk"])
    with_ten = worklist_queries(client)
    bulk_cases(990)
    assert TransferCase.objects.count() == 1000
    assert worklist_queries(client) == with_ten
    assert worklist_queries(client, WORKLIST + "?tab=outgoing&q=批量&o=-due_date&page=3") == with_ten
    with django_assert_max_num_queries(7):
        client.get(WORKLIST)


@pytest.mark.parametrize("language,text", [("zh-hans", "待办"), ("en", "To act on")])
def test_the_worklist_speaks_both_languages(client, users, language, text):
    client.force_login(users["origin_clerk"])
    client.cookies["django_language"] = language
    assert text in client.get(WORKLIST).content.decode()
