"""Users in the healthchecks manner: a clerk and a supervisor at each end, an outsider."""

from __future__ import annotations

import os
from decimal import Decimal

import pytest
from django.db import connection
from django.db.backends.signals import connection_created
from django.utils import timezone

from regions.models import AgencyMembership, City
from regions.services import clerk_create, credit_rate_set, regions_load

PASSWORD = "test-pass-2026"
ORIGIN, DESTINATION, OUTSIDER = "440300", "510100", "330100"


def _allow_event_truncate(sender: object, connection: object, **kwargs: object) -> None:
    # Transactional tests end by flushing every table with TRUNCATE, which the event table refuses on PostgreSQL
    # unless the session allows it (cases/migrations/0008); the application never does.
    if connection.vendor == "postgresql":  # type: ignore[attr-defined]
        with connection.cursor() as cursor:  # type: ignore[attr-defined]
            cursor.execute("SET sstransfer.allow_event_truncate = 'on'")


connection_created.connect(_allow_event_truncate)


def pytest_configure(config: pytest.Config) -> None:
    on_postgres = os.environ.get("DATABASE_URL", "").startswith("postgres")
    if os.environ.get("CI") == "true" and not on_postgres:
        raise pytest.UsageError("CI=true but DATABASE_URL is not PostgreSQL: CI must test on PostgreSQL.")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if os.environ.get("DATABASE_URL", "").startswith(("postgres", "postgis")):
        return
    skip = pytest.mark.skip(reason="needs PostgreSQL: set DATABASE_URL=postgres://… to run it")
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(skip)


def pytest_report_header(config: pytest.Config) -> str:
    url = os.environ.get("DATABASE_URL", "")
    return "database: " + ("PostgreSQL" if url.startswith("postgres") else "SQLite (PostgreSQL-only tests are skipped)")


def ensure_reference_data() -> None:
    if not City.objects.filter(code=ORIGIN).exists():
        regions_load()
    # A pension balance needs every year's rate up to last year; the published ones stop at 2024.
    for year in range(2025, max(2026, timezone.localdate().year)):
        credit_rate_set(year=year, percent=Decimal("1.50"), source="test", placeholder=True)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        ensure_reference_data()


@pytest.fixture(autouse=True)
def fresh_process_copies():
    """The calendar and the agencies are kept per process; a test's rows vanish with its transaction, so must the
    copies."""
    from regions.directory import AGENCY_DIRECTORY
    from regions.workdays import OFFICIAL_CALENDAR

    for copy in (OFFICIAL_CALENDAR, AGENCY_DIRECTORY):
        copy.forget()
    yield
    for copy in (OFFICIAL_CALENDAR, AGENCY_DIRECTORY):
        copy.forget()


@pytest.fixture
def reference_data(db):
    # Transactional tests flush the tables; put the reference data back when it is gone.
    ensure_reference_data()


@pytest.fixture
def users(reference_data):
    from tests.factories import agency

    made = {}
    for name, code, role in [
        ("origin_clerk", ORIGIN, AgencyMembership.Role.CLERK),
        ("origin_supervisor", ORIGIN, AgencyMembership.Role.SUPERVISOR),
        ("dest_clerk", DESTINATION, AgencyMembership.Role.CLERK),
        ("dest_supervisor", DESTINATION, AgencyMembership.Role.SUPERVISOR),
        ("outsider_clerk", OUTSIDER, AgencyMembership.Role.CLERK),
        ("outsider_supervisor", OUTSIDER, AgencyMembership.Role.SUPERVISOR),
    ]:
        made[name] = clerk_create(
            username=name, agency=agency(code), role=role, password=PASSWORD, email=f"{name}@example.org"
        )
    return made


@pytest.fixture
def is_postgres() -> bool:
    return connection.vendor == "postgresql"


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # PBKDF2 is slow by design; the tests hash a password for every user they make.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def english():
    # Messages are asserted in English; the default language (zh-hans) would translate them once catalogues land.
    from django.utils import translation

    with translation.override("en"):
        yield
