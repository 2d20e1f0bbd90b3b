"""CaseEvent is the audit trail: append-only in code, in the admin, and protected from cascades."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.db import transaction
from django.db.models import ProtectedError
from django.test import RequestFactory

from cases.models import CaseEvent, TransferCase
from tests.factories import open_case

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("reference_data")]


@pytest.fixture
def event(users) -> CaseEvent:
    return open_case(users, status="verifying").events.order_by("id").last()


def test_an_event_cannot_be_saved_again(event):
    event.note = "changed"
    with pytest.raises(TypeError, match="append-only"):
        event.save()
    with pytest.raises(TypeError, match="append-only"):
        event.save(update_fields=["note"])
    assert CaseEvent.objects.get(pk=event.pk).note == "reason"


def test_an_event_cannot_be_deleted(event):
    with pytest.raises(TypeError, match="append-only"):
        event.delete()
    assert CaseEvent.objects.filter(pk=event.pk).exists()


def test_querysets_cannot_update_or_delete_events(event):
    with pytest.raises(TypeError):
        CaseEvent.objects.filter(pk=event.pk).update(note="changed")
    with pytest.raises(TypeError):
        CaseEvent.objects.all().delete()
    with pytest.raises(TypeError):
        event.case.events.update(note="changed")
    with pytest.raises(TypeError):
        event.case.events.all().delete()
    event.note = "changed"
    with pytest.raises(TypeError), transaction.atomic():
        CaseEvent.objects.bulk_update([event], ["note"])
    assert CaseEvent.objects.get(pk=event.pk).note == "reason"


def test_deleting_the_case_is_refused_while_it_has_events(event):
    with pytest.raises(ProtectedError):
        TransferCase.objects.filter(pk=event.case_id).delete()
    with pytest.raises(ProtectedError):
        event.case.delete()


def test_new_events_are_still_written(event):
    CaseEvent.objects.create(case=event.case, transition="note", to_status=event.to_status)
    assert event.case.events.count() == 3


@pytest.mark.parametrize("model", [CaseEvent, TransferCase])
def test_the_admin_may_not_add_change_or_delete(admin_user, event, model):
    request = RequestFactory().get("/admin/")
    request.user = admin_user
    model_admin = admin.site._registry[model]
    assert model_admin.has_view_permission(request, event if model is CaseEvent else event.case)
    assert not model_admin.has_add_permission(request)
    for obj in (None, event if model is CaseEvent else event.case):
        assert not model_admin.has_change_permission(request, obj)
        assert not model_admin.has_delete_permission(request, obj)
    # Nor through the case page's inline.
    if model is TransferCase:
        for inline in model_admin.get_inline_instances(request, event.case):
            assert not inline.has_add_permission(request, event.case)
            assert not inline.has_change_permission(request, event.case)
            assert not inline.has_delete_permission(request, event.case)


@pytest.mark.postgres
def test_postgresql_itself_refuses_to_change_or_delete_an_event(event):
    from django.db import DatabaseError

    # The base manager and raw SQL skip the model's guards; the trigger does not.
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        CaseEvent._base_manager.filter(pk=event.pk).update(note="changed")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        CaseEvent._base_manager.filter(pk=event.pk)._raw_delete(CaseEvent._base_manager.db)
    assert CaseEvent.objects.get(pk=event.pk).note == "reason"
