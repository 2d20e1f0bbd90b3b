"""The worklist's tab counts come from the cache while nothing they count changed (cases/selectors/freshness.py),
and every kind of write that changes one is seen on the next page view."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from redis.exceptions import ConnectionError as RedisConnectionError

from cases import services
from cases.models import Actor
from cases.selectors import freshness
from tests.factories import open_case

WORKLIST = "/"


@pytest.fixture(autouse=True)
def counts_cached(settings):
    settings.WORKLIST_COUNTS_CACHED = True
    cache.clear()
    yield
    cache.clear()


def tabs_and_count_queries(client, path: str = WORKLIST) -> tuple[dict, int]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200
    counting = [q for q in queries.captured_queries if "COUNT(*)" in q["sql"]]
    return {name: count.value for name, _label, count in response.context["tabs"]}, len(counting)


def test_a_second_view_reads_the_counts_from_the_cache(client, users):
    open_case(users)
    client.force_login(users["origin_clerk"])
    first, counted = tabs_and_count_queries(client)
    again, counted_again = tabs_and_count_queries(client)
    assert counted == 1 and counted_again == 0
    assert again == first and first["todo"] == 1


def test_a_transition_by_the_other_agency_is_counted_at_once(client, users):
    case = open_case(users, status="agreement_issued")
    client.force_login(users["origin_clerk"])
    before, _counted = tabs_and_count_queries(client)
    services.case_transition(case=case, actor=Actor.for_user(users["dest_clerk"]), name="register_agreement")
    after, counted = tabs_and_count_queries(client)
    assert counted == 1
    assert after["news"] == before["news"] + 1


def test_a_new_case_is_counted_at_once(client, users):
    client.force_login(users["origin_clerk"])
    before, _counted = tabs_and_count_queries(client)
    open_case(users)
    after, _counted = tabs_and_count_queries(client)
    assert after["todo"] == before["todo"] + 1 and after["outgoing"] == before["outgoing"] + 1


def test_a_note_from_the_other_agency_is_news_at_once(client, users):
    case = open_case(users)
    client.force_login(users["origin_clerk"])
    client.get(case.get_absolute_url())  # read: nothing unread
    before, _counted = tabs_and_count_queries(client)
    services.case_add_note(case=case, actor=Actor.for_user(users["dest_clerk"]), user=users["dest_clerk"], text="Hi")
    after, _counted = tabs_and_count_queries(client)
    assert after["news"] == before["news"] + 1


def test_reading_a_case_clears_it_from_my_news_but_not_my_colleagues(client, users):
    case = open_case(users, status="agreement_issued")
    services.case_transition(case=case, actor=Actor.for_user(users["dest_clerk"]), name="register_agreement")
    client.force_login(users["origin_supervisor"])
    colleague_before, _counted = tabs_and_count_queries(client)
    client.force_login(users["origin_clerk"])
    before, _counted = tabs_and_count_queries(client)
    assert before["news"] == 1
    client.get(case.get_absolute_url())
    after, counted = tabs_and_count_queries(client)
    assert after["news"] == 0 and counted == 1
    client.force_login(users["origin_supervisor"])
    colleague_after, counted = tabs_and_count_queries(client)
    assert colleague_after == colleague_before and counted == 0


def test_assigning_a_case_is_counted_at_once(client, users):
    case = open_case(users)
    client.force_login(users["origin_clerk"])
    before, _counted = tabs_and_count_queries(client)
    services.case_assign(case=case, actor=Actor.for_user(users["origin_clerk"]), assignee_id=users["origin_clerk"].pk)
    after, _counted = tabs_and_count_queries(client)
    assert (before["mine"], after["mine"]) == (0, 1)


def test_a_search_is_counted_in_the_database_every_time(client, users):
    case = open_case(users)
    client.force_login(users["origin_clerk"])
    first, _counted = tabs_and_count_queries(client, f"/?q={case.reference}")
    again, counted = tabs_and_count_queries(client, f"/?q={case.reference}")
    # The tabs over the search's matches; the navigation's unread count (all the agency's cases) from the cache.
    assert counted == 1 and again == first and first["todo"] == 1


def test_each_day_is_counted_afresh(client, users, monkeypatch):
    import datetime as dt

    from django.utils import timezone

    open_case(users)
    client.force_login(users["origin_clerk"])
    tabs_and_count_queries(client)
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: tomorrow)
    _tabs, counted = tabs_and_count_queries(client)
    assert counted == 1


def test_counts_made_before_a_commit_are_not_kept_after_it(users, django_capture_on_commit_callbacks):
    """A writer replaces the agency's token at once and again on commit: counts read in between (from a snapshot
    without the change) were stored under a token nobody will ask for."""
    case = open_case(users)
    today = case.application_date
    calls = []

    def count() -> dict:
        calls.append(1)
        return {}

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        freshness.agencies_changed([case.origin_agency_id])
        freshness.cached_counts("tabs", case.origin_agency_id, users["origin_clerk"].pk, today, count)
    for callback in callbacks:
        callback()
    freshness.cached_counts("tabs", case.origin_agency_id, users["origin_clerk"].pk, today, count)
    assert len(calls) == 2


def test_without_redis_the_counts_come_from_the_database(users, monkeypatch):
    case = open_case(users)

    def down(*args: object, **kwargs: object) -> None:
        raise RedisConnectionError("down")

    monkeypatch.setattr(cache, "get_many", down)
    monkeypatch.setattr(cache, "set_many", down)
    counted = freshness.cached_counts("tabs", case.origin_agency_id, None, case.application_date, lambda: {"todo": 1})
    assert counted == {"todo": 1}
    freshness.agencies_changed([case.origin_agency_id])  # and a write does not fail for it


def test_without_a_shared_cache_nothing_is_kept(client, users, settings):
    settings.WORKLIST_COUNTS_CACHED = False
    open_case(users)
    client.force_login(users["origin_clerk"])
    tabs_and_count_queries(client)
    _tabs, counted = tabs_and_count_queries(client)
    assert counted == 1


def test_opening_a_case_already_read_writes_nothing_and_keeps_the_counts(client, users):
    case = open_case(users)
    client.force_login(users["origin_clerk"])
    client.get(case.get_absolute_url())  # the first reading moves the mark
    tabs_and_count_queries(client)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(case.get_absolute_url()).status_code == 200
    assert not [q for q in queries.captured_queries if "cases_caseview" in q["sql"] and "INSERT" in q["sql"]]
    _tabs, counted = tabs_and_count_queries(client)
    assert counted == 0


def test_the_navigation_count_on_a_case_page_comes_from_the_cache(client, users):
    read, other = open_case(users), open_case(users)
    client.force_login(users["origin_clerk"])
    client.get(read.get_absolute_url())
    client.get(read.get_absolute_url())
    with CaptureQueriesContext(connection) as queries:
        response = client.get(read.get_absolute_url())
    assert not [q for q in queries.captured_queries if "COUNT(*)" in q["sql"]]
    # The other case was opened by the origin clerk's own hand (open_case): nothing unread, no badge.
    assert b'data-testid="unread-count"' not in response.content
    services.case_add_note(case=other, actor=Actor.for_user(users["dest_clerk"]), user=users["dest_clerk"], text="Hi")
    response = client.get(read.get_absolute_url())
    assert b'data-testid="unread-count"' in response.content
