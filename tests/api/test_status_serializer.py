"""The status lookup's serializers build their answer directly (cases/api/serializers.py): it must stay exactly
what their declared fields, which document the answer, would give."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone, translation
from rest_framework import serializers

from cases.api.serializers import StatusSerializer, TimelineEntrySerializer
from cases.selectors import case_timeline
from cases.selectors.portal import case_by_reference_and_id_number
from tests.factories import apply_online, open_case

pytestmark = pytest.mark.django_db


def by_declared_fields(case, timeline) -> dict:
    answer = serializers.Serializer.to_representation(StatusSerializer(case, context={"timeline": timeline}), case)
    answer["timeline"] = [
        serializers.Serializer.to_representation(TimelineEntrySerializer(event), event) for event in timeline
    ]
    return answer


@pytest.mark.parametrize("status", ["submitted", "agreement_issued", "rejected", "applied"])
@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_the_direct_answer_is_the_declared_fields_answer(users, status, language):
    case = open_case(users, status=status)
    id_number = case.worker.id_number if case.worker_id else case.applicant.id_number
    found = case_by_reference_and_id_number(case.reference, id_number)
    timeline = case_timeline(found)
    with translation.override(language), timezone.override(dt.timezone(dt.timedelta(hours=8))):
        direct = StatusSerializer(found, context={"timeline": timeline}).data
        assert direct == by_declared_fields(found, timeline)
    assert list(direct) == list(StatusSerializer().fields) and direct["timeline"]


def test_an_answer_without_a_due_date_and_an_application_without_a_worker(users):
    case = apply_online(id_number=None, name="王芳", insurance_type="pension", origin="440300", destination="510100")
    case.due_date = None
    timeline = case_timeline(case)
    assert StatusSerializer(case, context={"timeline": timeline}).data == by_declared_fields(case, timeline)
