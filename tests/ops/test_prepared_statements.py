"""Statements a connection repeats are prepared on PostgreSQL and planned once (DATABASE_PREPARE_THRESHOLD)."""

from __future__ import annotations

import pytest
from django.db import connection

from cases.selectors.portal import case_by_reference_and_id_number
from tests.factories import open_case

pytestmark = pytest.mark.postgres


def prepared_lookups() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements WHERE statement LIKE '%%cases_transfercase%%'")
        return [row[0] for row in cursor.fetchall()]


@pytest.mark.django_db
def test_a_repeated_lookup_is_prepared_with_its_values_apart(users):
    case = open_case(users)
    for _ in range(connection.settings_dict["OPTIONS"]["prepare_threshold"] + 1):
        assert case_by_reference_and_id_number(case.reference, case.worker.id_number) == case
    assert case_by_reference_and_id_number(case.reference, "110101199003074477") is None
    statements = prepared_lookups()
    assert statements and all(case.reference not in statement and "$1" in statement for statement in statements)
