"""A signed-in clerk's user comes with their membership in one query, on the pages and in the API alike
(sstransfer/auth_backends.py)."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.api.conftest import Api, token_for
from tests.conftest import PASSWORD
from tests.factories import open_case

pytestmark = pytest.mark.django_db

MEMBERSHIP = '"regions_agencymembership"'


def reads_of(queries: CaptureQueriesContext, table: str) -> list[str]:
    return [q["sql"] for q in queries.captured_queries if f"FROM {table}" in q["sql"]]


def test_a_clerk_page_reads_the_membership_with_the_user(client, users):
    case = open_case(users)
    assert client.login(username="origin_clerk", password=PASSWORD)
    client.get("/")
    with CaptureQueriesContext(connection) as queries:
        page = client.get(case.get_absolute_url())
    assert page.status_code == 200 and page.context["request"].user.membership.agency.city.province
    user_reads = reads_of(queries, '"auth_user"')
    assert len(user_reads) == 1 and MEMBERSHIP in user_reads[0]
    assert not reads_of(queries, MEMBERSHIP)


def test_the_api_reads_the_membership_with_the_token(users):
    client = Api(token_for("origin_clerk"))
    client.get("/cases")
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/cases").status_code == 200
    token_reads = reads_of(queries, '"authtoken_token"')
    assert len(token_reads) == 1 and MEMBERSHIP in token_reads[0]
    assert not reads_of(queries, MEMBERSHIP) and not reads_of(queries, '"auth_user"')


def test_a_signed_in_user_without_an_agency_is_refused_the_clerk_pages(client, users):
    get_user_model().objects.create_user("no_agency", password=PASSWORD)
    assert client.login(username="no_agency", password=PASSWORD)
    page = client.get("/")
    assert page.status_code == 403


def test_a_deactivated_user_is_signed_out_on_the_next_request(client, users):
    assert client.login(username="origin_clerk", password=PASSWORD)
    case = open_case(users)
    get_user_model().objects.filter(username="origin_clerk").update(is_active=False)
    assert client.get(case.get_absolute_url()).status_code == 302


@pytest.mark.parametrize("user_id", [None, "not-a-number", "999999"])
def test_a_session_naming_no_user_signs_in_nobody(user_id):
    from sstransfer.auth_backends import MemberModelBackend

    assert MemberModelBackend().get_user(user_id) is None
