from __future__ import annotations

import datetime as dt
import html
import re

import pytest
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cases import services
from cases.models import OPEN_STATUSES, Actor, CaseStatus, TransferCase, Worker
from regions.models import Agency, City
from tests.factories import WorkerFactory, agency, make_id_number, open_case, remit

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
    # The destination registered the agreement of one and completed the other: news from the other agency.
    assert tabs == {
        "todo": 1, "applications": 0, "news": 2, "mine": 0, "outgoing": 2, "incoming": 0, "overdue": 0, "to_remit": 0,
        "to_receive": 0, "closed": 1,
    }
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
    assert dict((name, count) for name, _label, count in response.context["tabs"])["overdue"] == 1


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
    worklist_queries(client)  # the process's calendar is loaded once, on the first page
    with_ten = worklist_queries(client)
    bulk_cases(990)
    assert TransferCase.objects.count() == 1000
    assert worklist_queries(client) == with_ten
    deep = client.get(WORKLIST, {"tab": "outgoing"})
    for _ in range(3):
        deep = client.get(WORKLIST + next_link(deep))
    # session, user with membership, every tab's count, one page read per end of the tab
    for path in (WORKLIST, WORKLIST + "?tab=closed", WORKLIST + "?tab=outgoing&q=批量&o=-due_date&page=3",
                 WORKLIST + next_link(deep), WORKLIST + "?q=批量1"):
        with django_assert_max_num_queries(5):
            assert client.get(path).status_code == 200


def next_link(response) -> str:
    """The page's own "next" link, as a clerk would follow it."""
    found = re.search(r'href="(\?[^"]+)" rel="next"', response.content.decode())
    assert found, "no next link"
    return html.unescape(found.group(1))


def walk(client, params: dict) -> list[list[int]]:
    """Every page of a tab, following the next links; each page's case ids."""
    response = client.get(WORKLIST, params)
    pages = [[row.case.pk for row in response.context["rows"]]]
    while response.context["page"].has_next:
        response = client.get(WORKLIST + next_link(response))
        pages.append([row.case.pk for row in response.context["rows"]])
    return pages


def test_following_next_shows_every_case_once_in_the_tab_order(client, users):
    bulk_cases(60)
    open_case(users, status="info_requested")  # no due date: last
    # Our agency at the other end: in the incoming tab, not the outgoing one.
    incoming = services.case_open(
        actor=Actor.for_user(users["origin_clerk"]), worker=WorkerFactory(), insurance_type="pension",
        origin_agency=agency("330100"), destination_agency=agency("440300"),
    )
    client.force_login(users["origin_clerk"])
    pages = walk(client, {"tab": "outgoing"})
    assert [len(p) for p in pages] == [25, 25, 11]
    shown = [pk for p in pages for pk in p]
    expected = list(
        TransferCase.objects.filter(origin_agency__code="440300", status__in=OPEN_STATUSES)
        .order_by(F("due_date").asc(nulls_last=True), "-pk").values_list("pk", flat=True)
    )
    assert shown == expected
    assert incoming.pk not in shown
    # The overdue and closed tabs merge both ends of the agency, and so does every page of them.
    TransferCase.objects.filter(pk__in=expected[:30]).update(due_date=dt.date(2026, 1, 5))
    TransferCase.objects.filter(pk=incoming.pk).update(due_date=dt.date(2026, 1, 6))
    overdue = [pk for p in walk(client, {"tab": "overdue"}) for pk in p]
    assert sorted(overdue) == sorted([*expected[:30], incoming.pk]) and len(set(overdue)) == 31
    assert overdue.index(incoming.pk) == 30  # due a day later than the others


def test_previous_goes_back_to_the_same_rows(client, users):
    bulk_cases(60)
    client.force_login(users["origin_clerk"])
    first = client.get(WORKLIST, {"tab": "outgoing"})
    second = client.get(WORKLIST + next_link(first))
    third = client.get(WORKLIST + next_link(second))
    back = re.search(r'href="(\?[^"]+)" rel="prev"', third.content.decode()).group(1)
    again = client.get(WORKLIST + html.unescape(back))
    assert [r.case.pk for r in again.context["rows"]] == [r.case.pk for r in second.context["rows"]]
    assert again.context["page"].number == 2
    assert b"26\xe2\x80\x9350" in again.content  # "26–50 of 60"


def test_the_pages_keep_the_search_filters_and_sort(client, users):
    bulk_cases(40)
    medical = [open_case(users, insurance_type="medical") for _ in range(3)]
    client.force_login(users["origin_clerk"])
    pages = walk(client, {"tab": "outgoing", "q": "批量", "o": "-reference"})
    shown = [pk for p in pages for pk in p]
    references = list(TransferCase.objects.filter(pk__in=shown).values_list("reference", flat=True))
    assert len(shown) == 40 == len(set(shown))
    assert [TransferCase.objects.get(pk=pk).reference for pk in shown] == sorted(references, reverse=True)
    assert not {c.pk for c in medical} & set(shown)
    only_medical = walk(client, {"tab": "outgoing", "insurance_type": "medical"})
    assert sorted(pk for p in only_medical for pk in p) == sorted(c.pk for c in medical)


def test_a_case_changing_between_pages_is_neither_lost_nor_repeated(client, users):
    bulk_cases(50)
    client.force_login(users["origin_clerk"])
    first = client.get(WORKLIST, {"tab": "outgoing"})
    seen = [r.case.pk for r in first.context["rows"]]
    # A new case arrives at the top of the tab while the clerk reads page 1: page 2 still starts where page 1 ended.
    open_case(users)
    second = client.get(WORKLIST + next_link(first))
    following = [r.case.pk for r in second.context["rows"]]
    assert not set(seen) & set(following)
    remaining = set(TransferCase.objects.filter(origin_agency__code="440300").values_list("pk", flat=True)) - set(seen)
    assert set(following) <= remaining


def test_a_tampered_cursor_shows_the_first_page(client, users):
    bulk_cases(30)
    client.force_login(users["origin_clerk"])
    for cursor in ("not-a-cursor", "W10", "WyJ4Il0", "%00"):
        response = client.get(WORKLIST, {"tab": "outgoing", "after": cursor})
        assert response.status_code == 200
        assert len(response.context["rows"]) == 25


def test_counts_stop_at_the_cap_and_say_so(client, users, monkeypatch):
    from cases.selectors import clerk

    monkeypatch.setattr(clerk, "WORKLIST_COUNT_CAP", 20)
    bulk_cases(30)
    client.force_login(users["origin_clerk"])
    response = client.get(WORKLIST, {"tab": "outgoing"})
    tabs = {name: count for name, _label, count in response.context["tabs"]}
    assert tabs["outgoing"].capped and tabs["outgoing"].value == 20
    assert tabs["incoming"] == 0
    assert "20+" in response.content.decode()


@pytest.mark.parametrize("language,text", [("zh-hans", "待办"), ("en", "To act on")])
def test_the_worklist_speaks_both_languages(client, users, language, text):
    client.force_login(users["origin_clerk"])
    client.cookies["django_language"] = language
    assert text in client.get(WORKLIST).content.decode()


def test_the_money_tabs_list_what_each_end_must_do(client, users):
    to_remit = open_case(users, status="agreement_issued")
    to_receive = remit(open_case(users, status="agreement_issued"), users)
    open_case(users, status="receiving")  # received in full: in neither tab
    client.force_login(users["origin_clerk"])
    response = client.get(WORKLIST + "?tab=to_remit")
    assert [row.case for row in response.context["rows"]] == [to_remit]
    tabs = {name: count for name, _label, count in response.context["tabs"]}
    assert (tabs["to_remit"], tabs["to_receive"]) == (1, 0)
    client.force_login(users["dest_clerk"])
    response = client.get(WORKLIST + "?tab=to_receive")
    assert [row.case for row in response.context["rows"]] == [to_receive]
    tabs = {name: count for name, _label, count in response.context["tabs"]}
    assert (tabs["to_remit"], tabs["to_receive"]) == (0, 1)


def test_the_filter_form_shows_each_search_in_each_language(client, users):
    """The form's HTML is kept per language and values (the "fragments" cache): never another clerk's search."""
    from django.core.cache import caches

    caches["fragments"].clear()
    client.force_login(users["origin_clerk"])
    first = client.get(WORKLIST, {"q": "王某"}).content.decode()
    second = client.get(WORKLIST, {"q": "李某"}).content.decode()
    assert 'value="王某"' in first and 'value="李某"' in second and 'value="王某"' not in second
    client.cookies["django_language"] = "en"
    english = client.get(WORKLIST).content.decode()
    client.cookies["django_language"] = "zh-hans"
    chinese = client.get(WORKLIST).content.decode()
    assert "Any status" in english and "Any status" not in chinese
    assert len(caches["fragments"]._cache) >= 3
