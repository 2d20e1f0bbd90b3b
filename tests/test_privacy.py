"""No response of the app puts a full ID number in a URL or a Location header, and every private answer carries
`Cache-Control: no-store` (issue 12). The clerk's pages are crawled link by link; the portal, the forms that take an
ID number and the API are driven by hand."""

from __future__ import annotations

import html
import json
import logging
import re
from urllib.parse import unquote, urljoin, urlsplit

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from cases.models import Worker
from cases.selectors import worker_token
from cases.services import case_issue_access_code
from tests.api.conftest import Api, token_for
from tests.factories import make_id_number, open_case, periods

URL_ATTRIBUTE = re.compile(r'(?:href|src|action|formaction|data-url)\s*=\s*"([^"]*)"')
# Never followed: signing out, the admin, static assets, and links that change state on GET do not exist.
SKIP = ("/accounts/logout", "/admin/", "/static/", "/media/", "/api/v1/docs", "/api/v1/schema")


def full_ids() -> list[str]:
    numbers = list(Worker.objects.values_list("id_number", flat=True))
    return numbers + [n.lower() for n in numbers]


def urls_of(response) -> list[str]:
    found = []
    if response.get("Location"):
        found.append(response["Location"])
    if response.get("Link"):
        found.append(response["Link"])
    content_type = response.get("Content-Type", "")
    if content_type.startswith("text/html"):
        found += [html.unescape(url) for url in URL_ATTRIBUTE.findall(response.content.decode())]
    return found


def assert_no_id_in_urls(response, ids: list[str], where: str) -> None:
    for url in urls_of(response):
        readable = unquote(url)
        leaked = [number for number in ids if number in readable or number in url]
        assert not leaked, f"{where}: a full ID number in the URL {url!r}"


def assert_no_store(response, where: str) -> None:
    assert "no-store" in response.get("Cache-Control", ""), f"{where}: Cache-Control {response.get('Cache-Control')!r}"


def crawl(client, start: list[str], limit: int = 80) -> list[str]:
    """Every page reachable by GET from `start` within the app, each checked; returns the paths seen."""
    seen: list[str] = []
    queue = list(start)
    while queue and len(seen) < limit:
        url = queue.pop(0)
        parts = urlsplit(url)
        if parts.netloc or not parts.path.startswith("/") or any(parts.path.startswith(s) for s in SKIP):
            continue
        target = parts.path + (f"?{parts.query}" if parts.query else "")
        if target in seen:
            continue
        seen.append(target)
        response = client.get(target)
        ids = full_ids()
        assert_no_id_in_urls(response, ids, target)
        assert_no_store(response, target)
        queue += [urljoin(target, u) for u in urls_of(response) if not u.startswith(("#", "mailto:", "tel:", "javascript:"))]
    return seen


@pytest.fixture
def world(users):
    """Cases in several states, with periods, arrears, a correction, notes and an attachment."""
    verifying = open_case(users, status="verifying")
    periods(verifying.worker, ("440300", "2024-07", "2024-09", "8000", None, False))
    issued = open_case(users, status="completed")
    medical = open_case(users, insurance_type="medical", origin="510100", destination="440300")
    return {"verifying": verifying, "completed": issued, "medical": medical}


def test_no_clerk_page_puts_a_full_id_number_in_a_url_and_every_one_is_no_store(client, users, world):
    client.force_login(users["origin_clerk"])
    case = world["verifying"]
    seen = crawl(client, [case.get_absolute_url(), f"/cases/{case.reference}/contributions/",
                          world["completed"].get_absolute_url(), "/cases/new/", "/dashboard/", "/"])
    # The crawl reached the worklist's tabs, the cases, their contribution pages and the correction forms.
    assert any(path.startswith("/?") for path in seen)
    assert any(path.endswith("/correct/") for path in seen) and any(path.endswith("/delete/") for path in seen)
    assert any(path.endswith("agreement.pdf") for path in seen)
    assert any("contributions-template" in path for path in seen)


def test_a_worklist_search_by_full_id_number_continues_under_a_token(client, users, world):
    client.force_login(users["origin_clerk"])
    case = world["verifying"]
    number = case.worker.id_number
    for typed in (number, number.lower(), f"{number[:6]} {number[6:14]} {number[14:]}"):
        response = client.get("/", {"q": typed, "tab": "outgoing"})
        assert response.status_code == 302
        assert_no_id_in_urls(response, full_ids(), "worklist search")
        followed = client.get(response["Location"])
        assert [row.case for row in followed.context["rows"]] == [case]
        assert_no_id_in_urls(followed, full_ids(), "worklist result")
        assert number not in followed.content.decode()
    # A search for a number nobody has finds nothing, under a token all the same.
    response = client.get("/", {"q": make_id_number()})
    assert response.status_code == 302 and not client.get(response["Location"]).context["rows"]


def test_the_intake_posts_and_redirects_without_the_number(client, users):
    client.force_login(users["dest_clerk"])
    number = make_id_number()
    steps = [
        client.post("/cases/new/", {"action": "lookup", "id_number": number}),
        client.post("/cases/new/", {"action": "register", "id_number": number, "name": "王", "hukou_city": "510100"}),
    ]
    worker = Worker.objects.get(id_number=number)
    steps.append(client.get("/cases/new/", {"worker": worker_token(worker.pk)}))
    for response in steps:
        assert_no_id_in_urls(response, [number, number.lower()], "intake")
        assert_no_store(response, "intake")
    assert steps[1].status_code == 302


def test_the_workers_pages_put_no_id_number_in_a_url(client, users, world):
    case = world["verifying"]
    number = case.worker.id_number
    responses = [client.get("/"), client.get("/status/"), client.get("/apply/"), client.get("/act/")]
    responses.append(client.post("/status/", {"reference": case.reference, "id_number": number}))
    code = case_issue_access_code(case=case)
    responses.append(client.post("/act/", {"reference": case.reference, "id_number": number, "access_code": code}))
    responses.append(client.get("/act/case/"))
    applicant = make_id_number()
    responses.append(client.post("/apply/", {
        "id_number": applicant, "name": "申请人", "hukou_city": "510100", "phone": "13800138000",
        "email": "a@example.org", "insurance_type": "pension", "origin_city": "440300", "destination_city": "510100",
        "consent": "on",
    }))
    responses.append(client.get("/apply/done/"))
    ids = [*full_ids(), applicant, applicant.lower()]
    for response in responses:
        assert_no_id_in_urls(response, ids, response.wsgi_request.path)
    # What shows a worker's case, or answers a form, is never stored by a cache.
    for response in responses[4:]:
        assert_no_store(response, response.wsgi_request.path)


def test_downloads_are_no_store(client, users, world):
    client.force_login(users["dest_clerk"])
    case = world["completed"]
    client.post(f"/cases/{case.reference}/attachments/", {
        "file": SimpleUploadedFile("a.pdf", b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n", content_type="application/pdf"),
    })
    downloads = [
        f"/cases/{case.reference}/agreement.pdf", f"/cases/{case.reference}/acceptance.pdf",
        "/contributions-template.csv", "/contributions-template.xlsx?headers=zh",
    ]
    attachment = case.attachments.first()
    if attachment is not None:
        downloads.append(f"/cases/{case.reference}/attachments/{attachment.pk}/")
    for url in downloads:
        response = client.get(url)
        assert response.status_code == 200, url
        assert_no_store(response, url)


def test_every_api_answer_is_no_store_and_no_location_carries_a_number(users, world):
    case = world["verifying"]
    number = case.worker.id_number
    clerk = Api(token_for("origin_clerk"))
    period = case.worker.periods.first()
    answers = [
        clerk.get(f"/workers/{number}"), clerk.get(f"/workers/{number}/contributions"),
        clerk.get(f"/workers/{number}/contributions/{period.pk}/history"), clerk.get("/cases", {"q": number}),
        clerk.get(f"/cases/{case.reference}"), clerk.get("/workers/440524188001010014"),
        clerk.post("/workers", {"id_number": make_id_number(), "name": "x", "hukou_city_code": "440300"}),
        clerk.client.patch(f"/api/v1/workers/{number}/contributions/{period.pk}",
                           json.dumps({"monthly_base": "8100.00", "reason": "x"}), content_type="application/json"),
        Api().get("/agencies"), Api().get(f"/workers/{number}"),
        Api().post("/status", {"reference": case.reference, "id_number": number}),
    ]
    for response in answers:
        assert_no_store(response, response.wsgi_request.path)
        assert "Location" not in response
    # The case list's paging links echo the query; a full number is searched under the same rules as the page.
    body = answers[3].json()
    assert body["next"] is None and body["previous"] is None


def test_the_request_log_masks_full_id_numbers(client, users, world, caplog):
    from sstransfer.logging import JsonFormatter

    number = world["verifying"].worker.id_number
    clerk = Api(token_for("origin_clerk"))
    with caplog.at_level(logging.INFO):
        clerk.get(f"/workers/{number}")
        clerk.get("/workers/440524188001010014/contributions")  # a 404, which Django itself logs with the path
    lines = [JsonFormatter().format(record) for record in caplog.records]
    assert lines and not any(number in line or "440524188001010014" in line for line in lines)
    assert any(f"{number[:4]}**********{number[-4:]}" in line for line in lines)
    assert any("4405**********0014" in line and "Not Found" in line for line in lines)


@pytest.mark.django_db
def test_a_page_that_reads_no_session_may_be_cached(client, reference_data):
    assert "no-store" not in client.get("/agencies/").get("Cache-Control", "")
