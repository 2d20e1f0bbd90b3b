"""Queries compiled once per connection (sstransfer/compiled.py): the same rows and objects as the queryset they
stand for, one statement per call, and a refusal, on the first call, of any query whose values cannot be swapped."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.db import connection, connections
from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.test.utils import CaptureQueriesContext

from cases.models import CaseStatus, TransferCase
from sstransfer.compiled import NotCompilable, as_prefetched, compiled
from tests.factories import WorkerFactory, open_case

pytestmark = pytest.mark.django_db


def by_reference_and_worker(reference: str, id_number: str) -> QuerySet[TransferCase]:
    return TransferCase.objects.select_related("worker", "applicant").filter(
        Q(worker__id_number=id_number) | Q(worker__isnull=True, applicant__id_number=id_number), reference=reference,
    ).exclude(status=CaseStatus.WITHDRAWN).order_by()[:1]


def field_values(instance) -> dict:
    return {field.attname: getattr(instance, field.attname) for field in instance._meta.concrete_fields}


def test_each_call_gives_what_the_queryset_gives_for_its_own_values(users):
    cases = [open_case(users, worker=WorkerFactory()) for _ in range(3)]
    lookup = compiled(by_reference_and_worker)
    for case in cases:
        with CaptureQueriesContext(connection) as queries:
            found = lookup(case.reference, case.worker.id_number)
        expected = list(by_reference_and_worker(case.reference, case.worker.id_number))
        assert len(queries) == 1 and len(found) == 1
        assert field_values(found[0]) == field_values(expected[0])
        assert field_values(found[0].worker) == field_values(case.worker)
        assert not hasattr(found[0], "applicant") and found[0]._state.db == "default" and not found[0]._state.adding
    # Another worker's ID number with a real reference finds nothing, as the queryset does.
    assert lookup(cases[0].reference, cases[1].worker.id_number) == []
    assert lookup in connections["default"]._compiled_statements


def test_it_compiles_once_per_connection_and_keeps_the_query_constants(users, monkeypatch):
    case = open_case(users)
    lookup = compiled(by_reference_and_worker)
    compiles = []
    original = type(lookup)._compile
    monkeypatch.setattr(type(lookup), "_compile", lambda self, *a: compiles.append(a) or original(self, *a))
    lookup(case.reference, case.worker.id_number)
    lookup(case.reference, case.worker.id_number)
    statement = connections["default"]._compiled_statements[lookup]
    assert len(compiles) == 1
    assert statement.params_for(("R", "I")) == ["I", "I", "R", CaseStatus.WITHDRAWN]


def test_values_are_checked_on_every_call_not_only_the_first(users):
    case = open_case(users)
    lookup = compiled(by_reference_and_worker)
    assert lookup(case.reference, case.worker.id_number)
    with pytest.raises(NotCompilable, match="only str and int"):
        lookup(case.reference, None)


def test_an_integer_argument_a_missing_row_and_a_related_row_that_is_absent(users):
    user_with_membership = compiled(
        lambda pk: get_user_model()._default_manager.select_related("membership").filter(pk=pk)
    )
    clerk, admin = users["origin_clerk"], get_user_model().objects.create_user("no-membership")
    assert user_with_membership(clerk.pk)[0].membership.agency_id == clerk.membership.agency_id
    found = user_with_membership(admin.pk)[0]
    with CaptureQueriesContext(connection) as queries:
        assert not hasattr(found, "membership")
    assert len(queries) == 0
    assert user_with_membership(10**9) == []


def test_deferred_fields_and_annotations_come_as_the_queryset_gives_them(users):
    case = open_case(users)
    slim = compiled(
        lambda pk: TransferCase.objects.only("reference", "status").annotate(events_count=Count("events")).filter(pk=pk)
    )
    found = slim(case.pk)[0]
    assert found.reference == case.reference and found.events_count == case.events.count()
    assert found.get_deferred_fields() >= {"due_date", "insurance_type"}


@pytest.mark.parametrize("build, values, reason", [
    (lambda name: TransferCase.objects.filter(worker__name__icontains=name), ("Li",), "transformed"),
    (lambda day: TransferCase.objects.filter(due_date=day), (dt.date(2026, 1, 2),), "only str and int"),
    (lambda flag: TransferCase.objects.filter(due_estimated=flag), (True,), "only str and int"),
    (lambda pk: TransferCase.objects.filter(pk=pk).values("reference"), (1,), "model instances"),
    (lambda pk: TransferCase.objects.prefetch_related("events").filter(pk=pk), (1,), "model instances"),
    (lambda pk: TransferCase.objects.using("default").filter(pk=pk), (1,), "using()"),
    (lambda pk: TransferCase.objects.all(), (1,), "never reaches"),
    (lambda ref: TransferCase.objects.filter(reference=ref.strip()), ("TR-1",), "transformed"),
    (lambda pk: TransferCase.objects.select_for_update().filter(pk=pk), (1,), "select_for_update"),
    (lambda pk: TransferCase.objects.filter(pk=pk), (None,), "only str and int"),
    (lambda ref: TransferCase.objects.filter(reference=ref.upper()), ("tr-1",), "transformed"),
])
def test_a_query_whose_values_cannot_be_swapped_is_refused_on_its_first_call(build, values, reason):
    with pytest.raises(NotCompilable, match=reason):
        compiled(build)(*values)


def test_objects_handed_over_as_prefetched_are_what_all_gives_without_a_query(users):
    case = open_case(users)
    events = list(case.events.all())
    fresh = TransferCase.objects.get(pk=case.pk)
    as_prefetched(fresh, "events", events)
    with CaptureQueriesContext(connection) as queries:
        listed = list(fresh.events.all())
        assert all(event.case is fresh for event in listed)
    assert listed == events and len(queries) == 0
    # Narrowing it asks the database, for this case's events only, as after prefetch_related.
    assert list(fresh.events.filter(pk=events[0].pk)) == [events[0]]


def test_the_case_detail_is_four_statements_and_a_404_for_an_agency_not_a_party(users):
    from cases.selectors import case_detail_for_user

    case = open_case(users)
    case_detail_for_user(users["origin_clerk"], case.reference)  # the process's directory of agencies, once
    with CaptureQueriesContext(connection) as queries:
        found = case_detail_for_user(users["origin_clerk"], case.reference.lower())
        assert found.origin_agency.city.province and found.worker.hukou_city.province
        assert list(found.events.all()) and list(found.agreements.all()) == [] and list(found.duplicates.all()) == []
    assert found.pk == case.pk and len(queries) == 4, [q["sql"].split(" FROM ")[1][:60] for q in queries.captured_queries]
    no_membership = get_user_model().objects.create_user("no-membership")
    for outsider in (users["outsider_clerk"], no_membership):
        with pytest.raises(Http404):
            case_detail_for_user(outsider, case.reference)
