"""No public page shows more about a worker than the masked ID number."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.urls import reverse

from cases import services
from tests.cases.portal_support import assert_no_personal_data
from tests.factories import WorkerFactory, latest_agreement, open_case

PUBLIC_PAGES = ("/", "/status/", "/apply/", "/act/", "/verify/", "/agencies/")


@pytest.fixture(autouse=True)
def fresh_rate_limit():
    cache.clear()


@pytest.mark.parametrize("status", ["verifying", "info_requested", "agreement_issued", "completed"])
def test_every_public_page_keeps_the_worker_private(client, users, status):
    worker = WorkerFactory(phone="13912345678", email="private@example.org")
    case = open_case(users, worker=worker, status=status)
    code = services.case_issue_access_code(case=case)
    pages = [client.get(url) for url in PUBLIC_PAGES]
    pages.append(client.post(reverse("cases:status"), {"reference": case.reference, "id_number": worker.id_number}))
    client.post(reverse("cases:act"), {"reference": case.reference, "id_number": worker.id_number, "access_code": code})
    pages.append(client.get(reverse("cases:act_case")))
    if status in ("verifying", "info_requested"):
        pages.append(client.get(reverse("cases:act_withdraw")))
    if latest_agreement(case) is not None:
        pages.append(client.get(reverse("cases:verify", args=[latest_agreement(case).verification_code])))
    for response in pages:
        assert response.status_code == 200, response.wsgi_request.path
        assert_no_personal_data(response.content.decode(), worker, case)
    assert sum(worker.masked_id in response.content.decode() for response in pages) >= 2
