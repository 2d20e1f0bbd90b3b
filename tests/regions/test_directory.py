"""The agencies kept per process (regions/directory.py): no query per list, and an administrator's change seen."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cases.models import TransferCase
from regions.directory import AGENCY_DIRECTORY, agencies_by_id
from regions.models import Agency, City
from tests.factories import open_case


@pytest.mark.django_db
def test_agencies_come_from_the_process_copy_after_the_first_use(reference_data):
    some = set(Agency.objects.values_list("pk", flat=True)[:3])
    agencies_by_id(some)
    with CaptureQueriesContext(connection) as queries:
        found = agencies_by_id(some)
    assert not queries.captured_queries
    assert set(found) == some and all(agency.city.province.name for agency in found.values())


@pytest.mark.django_db
def test_an_agency_renamed_in_the_admin_is_named_so_at_once(reference_data):
    agency = Agency.objects.first()
    agencies_by_id({agency.pk})
    agency.name = "新名字社保局"
    agency.save()
    assert agencies_by_id({agency.pk})[agency.pk].name == "新名字社保局"


@pytest.mark.django_db
def test_a_city_renamed_changes_the_agencies_cities_too(reference_data):
    agency = Agency.objects.select_related("city").first()
    agencies_by_id({agency.pk})
    City.objects.filter(pk=agency.city.pk).update(name="改名市")  # no signal: another process did it
    assert agencies_by_id({agency.pk})[agency.pk].city.name != "改名市"
    cache.set(AGENCY_DIRECTORY.version_key, "changed elsewhere", None)
    assert agencies_by_id({agency.pk})[agency.pk].city.name == "改名市"


@pytest.mark.django_db
def test_an_agency_made_since_the_copy_was_built_is_read_from_the_database(reference_data):
    agencies_by_id(set())
    city = City.objects.first()
    Agency.objects.bulk_create([Agency(code="999999", name="新设社保局", city=city)])  # no signal
    made = Agency.objects.get(code="999999")
    assert agencies_by_id({made.pk})[made.pk].name == "新设社保局"


def test_a_list_of_cases_names_their_agencies_without_a_query_for_them(users):
    open_case(users)
    list(TransferCase.objects.with_list_related())
    with CaptureQueriesContext(connection) as queries:
        cases = list(TransferCase.objects.with_list_related())
        names = [(case.origin_agency.city.name, case.destination_agency.name, case.lodged_at.code) for case in cases]
    assert len(queries.captured_queries) == 1 and names


@pytest.mark.django_db
def test_with_the_shared_cache_down_the_copy_still_serves_and_a_change_is_still_saved(reference_data, monkeypatch):
    from redis.exceptions import ConnectionError as RedisConnectionError

    def down(*args: object, **kwargs: object) -> None:
        raise RedisConnectionError("down")

    agency = Agency.objects.first()
    agencies_by_id({agency.pk})
    monkeypatch.setattr(cache, "get", down)
    monkeypatch.setattr(cache, "set", down)
    assert agencies_by_id({agency.pk})[agency.pk].pk == agency.pk
    agency.name = "停电时改名社保局"
    agency.save()  # the signal's receiver does not fail the save
    assert agencies_by_id({agency.pk})[agency.pk].name == "停电时改名社保局"


@pytest.mark.django_db
def test_a_change_is_announced_again_after_its_commit(reference_data, django_capture_on_commit_callbacks):
    """Another process that rebuilt its copy between the change and the commit read the rows as they were: the
    version moves again once the change is committed, so that copy is not kept."""
    agency = Agency.objects.first()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        agency.name = "提交后再告知社保局"
        agency.save()
        during = cache.get(AGENCY_DIRECTORY.version_key)
    assert during is not None
    for callback in callbacks:
        callback()
    assert cache.get(AGENCY_DIRECTORY.version_key) not in (None, during)
