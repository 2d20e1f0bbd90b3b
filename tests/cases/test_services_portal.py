"""The worker's side: access codes and the rate-limited status lookup."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from cases.services import TooManyAttempts, case_check_access_code, case_issue_access_code, status_lookup
from tests.factories import open_case

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("reference_data")]


@pytest.fixture(autouse=True)
def fresh_cache():
    cache.clear()
    yield
    cache.clear()


def test_an_access_code_is_stored_hashed_and_checked_with_the_id_number(users):
    case = open_case(users)
    code = case_issue_access_code(case=case)
    case.refresh_from_db()
    assert len(code) == 8 and code not in case.access_code_hash
    assert case_check_access_code(case, case.worker.id_number.lower(), code.lower())
    assert not case_check_access_code(case, case.worker.id_number, "WRONG123")
    assert not case_check_access_code(case, "440524188001010014", code)
    # A new code replaces the old one.
    newer = case_issue_access_code(case=case)
    assert case_check_access_code(case, case.worker.id_number, newer)
    assert not case_check_access_code(case, case.worker.id_number, code)


def test_no_code_issued_no_access(users):
    case = open_case(users)
    assert not case_check_access_code(case, case.worker.id_number, "")


def test_status_lookup_needs_reference_and_id_number(users):
    case = open_case(users)
    assert status_lookup(reference=f" {case.reference.lower()} ", id_number=case.worker.id_number,
                         client_address="10.0.0.1") == case
    assert status_lookup(reference=case.reference, id_number="440524188001010014", client_address="10.0.0.1") is None
    assert status_lookup(reference="TR-2026-NOSUCH", id_number=case.worker.id_number, client_address="10.0.0.1") is None


def test_ten_failures_from_one_address_lock_it_out(users, settings):
    case = open_case(users)
    for _ in range(settings.STATUS_LOOKUP_MAX_FAILURES):
        assert status_lookup(reference="TR-2026-NOSUCH", id_number="x", client_address="10.0.0.2") is None
    with pytest.raises(TooManyAttempts) as caught:
        status_lookup(reference="TR-2026-OTHER1", id_number="y", client_address="10.0.0.2")
    assert caught.value.retry_at is not None
    # The address is refused wrong tries only: a real worker behind the same (shared) address still gets an answer.
    assert status_lookup(reference=case.reference, id_number=case.worker.id_number, client_address="10.0.0.2") == case
    # Another address is unaffected; successes do not count as failures.
    for _ in range(settings.STATUS_LOOKUP_MAX_FAILURES + 1):
        assert status_lookup(reference=case.reference, id_number=case.worker.id_number,
                             client_address="10.0.0.3") == case
