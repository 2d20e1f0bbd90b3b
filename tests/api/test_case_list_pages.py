"""GET /api/v1/cases pages by keyset behind the contract's (docs/api.md): {"count", "next", "previous", "results"}, ?page=N."""

from __future__ import annotations

import datetime as dt
from urllib.parse import parse_qs, urlsplit

import pytest
from django.utils import timezone

from cases.api.views import CaseListPagination
from cases.models import TransferCase, Worker
from regions.models import Agency, City
from tests.factories import make_id_number

PAGE_KEYS = {"count", "next", "previous", "results"}


def many_cases(count: int, *, origin: str = "440300", destination: str = "510100", status: str = "submitted") -> None:
    hukou = City.objects.get(code="510100")
    workers = Worker.objects.bulk_create([
        Worker(id_number=make_id_number(), name=f"分页{n}", gender="male", birth_date=dt.date(1990, 1, 1), hukou_city=hukou)
        for n in range(count)
    ])
    start = timezone.now() - dt.timedelta(days=10)
    # Some share one creation time, so that the order's tie-break (the id) matters too.
    TransferCase.objects.bulk_create([
        TransferCase(
            reference=f"TR-PAGE-{worker.pk:06d}", worker=worker, insurance_type="pension",
            origin_agency=Agency.objects.get(code=origin), destination_agency=Agency.objects.get(code=destination),
            lodged_at=Agency.objects.get(code=origin), status=status, application_date=start.date(),
            outcome="full_transfer", created_at=start + dt.timedelta(minutes=n // 3),
        )
        for n, worker in enumerate(workers)
    ])


def query(url: str | None) -> dict[str, str]:
    assert url is not None
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


def walk(client, params: dict | None = None) -> list[dict]:
    pages = [client.get("/cases", params or {}).json()]
    while pages[-1]["next"]:
        pages.append(client.get("/cases", query(pages[-1]["next"])).json())
    return pages


def test_next_links_walk_every_case_once_newest_first(api, users):
    many_cases(70)
    many_cases(45, origin="330100", destination="440300")  # the agency at the other end: the same list
    pages = walk(api("origin_clerk"))
    assert all(set(page) == PAGE_KEYS for page in pages)
    assert [len(page["results"]) for page in pages] == [50, 50, 15]
    assert [page["count"] for page in pages] == [115, 115, 115]
    shown = [case["reference"] for page in pages for case in page["results"]]
    expected = list(TransferCase.objects.order_by("-created_at", "-pk").values_list("reference", flat=True))
    assert shown == expected
    assert pages[0]["previous"] is None and pages[-1]["next"] is None
    assert query(pages[1]["next"])["page"] == "3"


def test_previous_links_come_back_to_the_same_page(api, users):
    many_cases(120)
    client = api("origin_clerk")
    first = client.get("/cases").json()
    second = client.get("/cases", query(first["next"])).json()
    third = client.get("/cases", query(second["next"])).json()
    back = client.get("/cases", query(third["previous"])).json()
    assert back["results"] == second["results"]
    # Page 2's previous is page 1 itself, without a cursor.
    assert set(query(second["previous"]) if urlsplit(second["previous"]).query else {}) <= {"page"}
    assert client.get(second["previous"].split("/api/v1")[1]).json()["results"] == first["results"]


def test_a_page_number_alone_is_the_same_page_as_the_links_reach(api, users):
    many_cases(130)
    client = api("origin_clerk")
    by_links = walk(client)
    for number in (1, 2, 3):
        assert client.get("/cases", {"page": number}).json()["results"] == by_links[number - 1]["results"]
    assert client.get("/cases", {"page": 4}).status_code == 404
    assert client.get("/cases", {"page": "last"}).json()["results"] == by_links[2]["results"]


def test_the_links_keep_the_filters(api, users):
    many_cases(60)
    many_cases(60, status="verifying")
    client = api("origin_clerk")
    pages = walk(client, {"status": "verifying", "side": "origin"})
    assert query(pages[0]["next"])["status"] == "verifying"
    shown = [case for page in pages for case in page["results"]]
    assert len(shown) == 60 and {case["status"] for case in shown} == {"verifying"}


def test_a_tampered_cursor_is_a_400(api, users):
    many_cases(3)
    response = api("origin_clerk").get("/cases", {"page": 2, "after": "bm9wZQ"})
    assert response.status_code == 400
    assert set(response.json()) == {"after"}


def test_the_count_stops_at_the_cap(api, users, monkeypatch):
    monkeypatch.setattr(CaseListPagination, "COUNT_CAP", 60)
    many_cases(130)
    client = api("origin_clerk")
    body = client.get("/cases").json()
    assert body["count"] == 60
    second = client.get("/cases", {"page": 2}).json()
    # A page number alone goes no deeper than the cap; the links go on.
    assert client.get("/cases", {"page": 3}).status_code == 404
    assert len(client.get("/cases", query(second["next"])).json()["results"]) == 30


@pytest.mark.parametrize("params", [
    {}, {"status": "submitted"}, {"q": "分页1"}, {"q": "TR-PAGE"}, {"overdue": "false"}, {"side": "destination"},
])
def test_the_query_count_does_not_grow_with_the_cases(api, users, django_assert_max_num_queries, params):
    client = api("origin_clerk")
    many_cases(5)
    client.get("/cases", params)
    # token with user and membership, (a search's matches,) the count, the sort keys at each end, the rows shown
    with django_assert_max_num_queries(6 if "q" in params else 5) as few:
        client.get("/cases", params)
    many_cases(300)
    with django_assert_max_num_queries(len(few.captured_queries)):
        body = client.get("/cases", params).json()
    if body["next"]:
        with django_assert_max_num_queries(len(few.captured_queries)):
            client.get("/cases", query(body["next"]))


def test_the_unfiltered_count_is_kept_until_a_case_of_the_agency_changes(api, users, settings):
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    settings.WORKLIST_COUNTS_CACHED = True
    cache.clear()
    client = api("origin_clerk")
    many_cases(3)
    assert client.get("/cases").json()["count"] == 3
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/cases").json()["count"] == 3
    assert not [q for q in queries.captured_queries if "COUNT(*)" in q["sql"]]
    from tests.factories import open_case

    open_case(users)  # through the services, as every case is written
    assert client.get("/cases").json()["count"] == 4
    with CaptureQueriesContext(connection) as queries:
        client.get("/cases", {"status": "submitted"})
    assert [q for q in queries.captured_queries if "COUNT(*)" in q["sql"]]
    cache.clear()
