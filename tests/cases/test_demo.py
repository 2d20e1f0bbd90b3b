"""The demo lives: its cases took their time over the last quarter, so every figure has something to show.

Each test loads the whole demo (some seconds), so each checks several things."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth import authenticate
from django.db.models import Max, Min
from django.utils import timezone

from cases import services
from cases.demo import DEMO_ACCESS_CODE, DEMO_PASSWORD, demo_load
from cases.models import OPEN_STATUSES, CaseEvent, CaseStatus, TransferCase
from regions.models import Agency


@pytest.fixture
def demo(reference_data):
    demo_load()


@pytest.mark.parametrize("username", ["origin_supervisor", "dest_supervisor"])
def test_the_dashboard_of_a_demo_agency_shows_a_median_for_every_step(client, demo, username):
    client.force_login(authenticate(username=username, password=DEMO_PASSWORD))
    figures = client.get("/dashboard/").context["figures"]
    steps = {step.status: step for step in figures.steps}
    assert set(steps) == set(OPEN_STATUSES)
    for status, step in steps.items():
        assert step.count > 0, status
        assert step.median_workdays is not None and step.median_workdays > 0, status
    assert figures.overdue_ours > 0 and figures.overdue_theirs > 0


def test_the_events_span_the_quarter_in_order_and_the_cases_carry_their_times(demo):
    span = CaseEvent.objects.aggregate(first=Min("at"), last=Max("at"))
    assert span["last"] - span["first"] > dt.timedelta(days=30)
    assert span["first"] >= timezone.now() - dt.timedelta(days=120)
    assert span["last"] <= timezone.now()
    for case in TransferCase.objects.prefetch_related("events"):
        times = [event.at for event in case.events.all()]
        assert times == sorted(times) and len(set(times)) == len(times), case.reference
        by_name = {event.transition: event.at for event in case.events.all()}
        assert case.created_at == by_name["open"]
        assert case.application_date == timezone.localdate(by_name["open"])
        for agreement in case.agreements.all():
            assert agreement.issued_at == by_name["issue_agreement"]
        if case.completed_at:
            assert case.completed_at == by_name["complete"]

    completed = TransferCase.objects.filter(status=CaseStatus.COMPLETED)
    assert len({timezone.localdate(case.completed_at) for case in completed}) >= 4
    overdue = TransferCase.objects.overdue(timezone.localdate())
    for code in ("440300", "510100"):
        assert overdue.awaiting(Agency.objects.get(code=code).pk).exists(), code
    # The worker answered one request online, some days after it was made.
    answered = CaseEvent.objects.get(transition="provide_info")
    assert answered.agency_id is None
    assert answered.at - answered.case.events.get(transition="request_info").at > dt.timedelta(days=3)


def test_the_case_waiting_on_the_worker_opens_with_the_published_code_and_a_second_load_adds_nothing(demo):
    case = TransferCase.objects.get(status=CaseStatus.INFO_REQUESTED)
    opened = services.case_worker_access(
        reference=case.reference, id_number=case.worker.id_number, access_code=DEMO_ACCESS_CODE,
        client_address="192.0.2.1",
    )
    assert opened == case
    events = CaseEvent.objects.count()
    assert demo_load() == 0
    assert CaseEvent.objects.count() == events


def test_the_demo_clerks_have_names_and_a_case_each(demo):
    from django.contrib.auth import get_user_model

    from cases.people import person_name

    for username in ("origin_clerk", "dest_clerk"):
        clerk = get_user_model().objects.get(username=username)
        assert person_name(clerk) != username
        assert TransferCase.objects.filter(assignee=clerk).count() == 1
