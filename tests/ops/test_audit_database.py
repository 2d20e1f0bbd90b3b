"""The database defends the audit: no TRUNCATE of events, no status change without its event, a role that owns
nothing."""

from __future__ import annotations

import secrets

import psycopg
import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.db.utils import DatabaseError

from cases.models import Actor, TransferCase
from cases.services import case_transition
from tests.factories import open_case

pytestmark = pytest.mark.django_db


def test_a_bare_status_update_is_refused_on_every_database(users):
    case = open_case(users)
    with pytest.raises(TypeError, match="transition"):
        TransferCase.objects.filter(pk=case.pk).update(status="verifying")
    case.refresh_from_db()
    assert case.status == "submitted"
    # Other fields may still be updated in bulk.
    assert TransferCase.objects.filter(pk=case.pk).update(due_estimated=True) == 1


@pytest.mark.postgres
def test_truncate_of_the_event_table_is_refused():
    # On an empty table: the trigger is per statement, and rows written in this transaction would make PostgreSQL
    # refuse for its own reason (their deferred foreign-key checks).
    with pytest.raises(DatabaseError, match="TRUNCATE refused"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL sstransfer.allow_event_truncate = 'off'")
        cursor.execute("TRUNCATE cases_caseevent")


def check_now(cursor) -> None:
    cursor.execute("SET CONSTRAINTS cases_transfercase_status_has_event IMMEDIATE")


@pytest.mark.postgres
def test_a_status_change_without_its_event_is_refused_at_commit(users):
    case = open_case(users)
    with pytest.raises(DatabaseError, match="without an event"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE cases_transfercase SET status = 'verifying' WHERE id = %s", [case.pk])
        check_now(cursor)
    case.refresh_from_db()
    assert case.status == "submitted"


@pytest.mark.postgres
def test_an_event_to_another_status_does_not_count(users):
    case = open_case(users)
    with pytest.raises(DatabaseError, match="without an event"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE cases_transfercase SET status = 'completed' WHERE id = %s", [case.pk])
        cursor.execute(
            "INSERT INTO cases_caseevent (case_id, at, transition, from_status, to_status, actor_label, note) "
            "VALUES (%s, now(), 'start_verification', 'submitted', 'verifying', '', '')", [case.pk],
        )
        check_now(cursor)


@pytest.mark.postgres
def test_transitions_pass_the_check_even_several_in_one_transaction(users):
    case = open_case(users)
    with transaction.atomic(), connection.cursor() as cursor:
        case = case_transition(case=case, actor=Actor.for_user(users["origin_clerk"]), name="start_verification")
        case = case_transition(case=case, actor=Actor.for_user(users["origin_clerk"]), name="request_info",
                               note="请补充劳动合同")
        check_now(cursor)
    assert case.status == "info_requested"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_application_role_owns_nothing_and_cannot_alter_the_schema(reference_data):
    role = f"sst_app_test_{secrets.token_hex(4)}"
    call_command("create_app_role", role)
    settings = connection.settings_dict
    dsn = f"host={settings['HOST'] or '127.0.0.1'} port={settings['PORT'] or 5432} dbname={settings['NAME']} user={role}"
    try:
        with psycopg.connect(dsn, autocommit=True) as app:
            assert app.execute("SELECT count(*) FROM regions_city").fetchone()[0] > 0
            app.execute("UPDATE regions_city SET name = name WHERE code = '440300'")
            for refused in [
                "TRUNCATE cases_caseevent", "UPDATE cases_caseevent SET note = ''", "DELETE FROM cases_caseevent",
                "ALTER TABLE cases_transfercase ADD COLUMN x int", "CREATE TABLE sst_app_test (x int)",
                "DROP TABLE cases_casenote",
            ]:
                with pytest.raises(psycopg.errors.InsufficientPrivilege):
                    app.execute(refused)
            owners = app.execute(
                "SELECT count(*) FROM pg_tables WHERE schemaname = 'public' AND tableowner = current_user"
            ).fetchone()[0]
            assert owners == 0
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f'DROP OWNED BY "{role}"')
            cursor.execute(f'DROP ROLE "{role}"')


def test_the_role_command_says_it_needs_postgresql(users, is_postgres):
    if is_postgres:
        pytest.skip("on PostgreSQL the command runs (the test above)")
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="PostgreSQL"):
        call_command("create_app_role", "sst_app")
