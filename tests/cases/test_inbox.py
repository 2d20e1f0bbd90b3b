"""The clerk's inbox: unread markers, the navigation's count and the tab "new from the other agency"."""

from __future__ import annotations

import datetime as dt
import html
import re

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from cases import services
from cases.models import Actor, CaseView, TransferCase
from tests.cases.test_worklist_view import bulk_cases
from tests.factories import advance, open_case

WORKLIST = "/"


def tabs(response) -> dict:
    return {name: count for name, _label, count in response.context["tabs"]}


def unread_rows(response) -> list:
    return [row.case for row in response.context["rows"] if row.unread]


def unread_count(response):
    return response.wsgi_request.inbox_unread


def test_what_a_clerk_writes_is_no_news_to_them_but_is_to_everyone_else(client, users):
    case = open_case(users)  # lodged by origin_clerk
    client.force_login(users["origin_clerk"])
    response = client.get(WORKLIST)
    assert unread_rows(response) == [] and unread_count(response) == 0
    # A colleague at the same agency sees the change, but it is not news from the other agency.
    client.force_login(users["origin_supervisor"])
    response = client.get(WORKLIST)
    assert unread_rows(response) == [case]
    assert unread_count(response) == 1
    assert tabs(response)["news"] == 0
    assert b'data-testid="unread"' in response.content and b'data-testid="unread-count"' in response.content
    # The destination's clerk: unread and news from the origin.
    client.force_login(users["dest_clerk"])
    response = client.get(WORKLIST, {"tab": "news"})
    assert [row.case for row in response.context["rows"]] == [case]
    assert unread_rows(response) == [case] and tabs(response)["news"] == 1


def test_opening_the_case_reads_it_until_the_other_agency_writes_again(client, users):
    case = open_case(users, status="agreement_issued")
    client.force_login(users["dest_clerk"])
    assert tabs(client.get(WORKLIST))["news"] == 1
    page = client.get(case.get_absolute_url())
    assert page.status_code == 200
    assert CaseView.objects.filter(user=users["dest_clerk"], case=case).exists()
    assert unread_count(page) == 0  # counted after the mark, so the open case no longer counts
    response = client.get(WORKLIST)
    assert unread_rows(response) == [] and tabs(response)["news"] == 0 and unread_count(response) == 0
    services.case_add_note(case=case, actor=Actor.for_user(users["origin_clerk"]), user=users["origin_clerk"],
                           text="Please register it")
    response = client.get(WORKLIST, {"tab": "news"})
    assert [row.case for row in response.context["rows"]] == [case] and unread_rows(response) == [case]
    # The destination's own step is no news from the other agency, and the clerk who ran it has read it.
    advance(case, users, "register_agreement")
    response = client.get(WORKLIST, {"tab": "news"})
    assert response.context["rows"] == []
    client.force_login(users["dest_supervisor"])
    assert unread_rows(client.get(WORKLIST, {"tab": "todo"})) == [case]


def test_the_worker_s_material_is_unread_but_not_from_the_other_agency(client, users):
    case = open_case(users)
    client.force_login(users["origin_clerk"])
    services.case_worker_add_material(case=case, files=[SimpleUploadedFile("a.pdf", b"%PDF-1.4 x")], note="more")
    response = client.get(WORKLIST)
    assert unread_rows(response) == [case] and tabs(response)["news"] == 0


def test_an_assignment_is_no_news_to_the_other_agency(client, users):
    case = open_case(users)
    client.force_login(users["dest_clerk"])
    client.get(case.get_absolute_url())
    services.case_assign(case=case, actor=Actor.for_user(users["origin_clerk"]), assignee_id=users["origin_clerk"].pk)
    response = client.get(WORKLIST, {"tab": "news"})
    assert unread_rows(response) == [] and tabs(response)["news"] == 0


def test_news_older_than_the_window_is_no_news(client, users):
    case = open_case(users)
    old = timezone.now() - dt.timedelta(days=31)
    TransferCase.objects.filter(pk=case.pk).update(activity_at=old, origin_activity_at=old)
    client.force_login(users["dest_clerk"])
    response = client.get(WORKLIST, {"tab": "incoming"})
    assert unread_rows(response) == [] and tabs(response)["news"] == 0 and unread_count(response) == 0


def _news(count: int) -> list[int]:
    """`count` cases of the origin (440300), each written on by the destination a minute apart, newest last."""
    bulk_cases(count)
    start = timezone.now() - dt.timedelta(days=1)
    pks = list(TransferCase.objects.filter(reference__startswith="TR-BULK-").order_by("pk").values_list("pk", flat=True))
    for n, pk in enumerate(pks):
        at = start + dt.timedelta(minutes=n)
        TransferCase.objects.filter(pk=pk).update(activity_at=at, destination_activity_at=at)
    return pks


def test_the_news_tab_pages_from_the_latest_and_shows_each_case_once(client, users):
    pks = _news(60)
    client.force_login(users["origin_clerk"])
    response = client.get(WORKLIST, {"tab": "news"})
    shown = [row.case.pk for row in response.context["rows"]]
    while response.context["page"].has_next:
        link = re.search(r'href="(\?[^"]+)" rel="next"', response.content.decode()).group(1)
        response = client.get(WORKLIST + html.unescape(link))
        shown += [row.case.pk for row in response.context["rows"]]
    assert shown == list(reversed(pks))


def test_markers_and_counts_cost_a_fixed_number_of_queries(client, users, django_assert_max_num_queries):
    _news(30)
    client.force_login(users["origin_clerk"])
    client.get(WORKLIST)  # the process's calendar
    # session, user, membership, every tab's count with the unread count, the page (the keys at each end and the
    # rows of a two-ended tab), the page's last-seen marks
    budgets = {}
    for params in ({}, {"tab": "news"}, {"tab": "outgoing"}, {"tab": "mine"}, {"tab": "news", "mine": "on"}):
        with django_assert_max_num_queries(8) as queries:
            response = client.get(WORKLIST, params)
        assert response.status_code == 200
        budgets[str(params)] = len(queries)
    assert unread_count(response) == 30
    _news(200)
    for params in ({}, {"tab": "news"}, {"tab": "outgoing"}, {"tab": "mine"}, {"tab": "news", "mine": "on"}):
        with django_assert_max_num_queries(budgets[str(params)]):
            client.get(WORKLIST, params)


def test_only_the_latest_cases_of_each_end_are_looked_at(client, users, monkeypatch):
    monkeypatch.setattr("cases.selectors.inbox.INBOX_SCAN_CAP", 5)
    pks = _news(8)
    client.force_login(users["origin_clerk"])
    response = client.get(WORKLIST, {"tab": "news"})
    assert [row.case.pk for row in response.context["rows"]] == list(reversed(pks))[:5]
    assert tabs(response)["news"] == 5 and unread_count(response) == 5
