"""E-mail to the other party: written to the outbox with the transition, sent only after it has committed."""

from __future__ import annotations

import pytest
from django.utils import timezone

from cases.errors import NotPermitted
from cases.models import Actor
from cases.services import case_open, case_transition
from outbox import services as outbox_services
from outbox.models import OutboundEmail
from outbox.tasks import send_pending_email
from tests.factories import WorkerFactory, agency, open_case

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("reference_data")]


def start(case, users, who="origin_clerk"):
    return case_transition(case=case, actor=Actor.for_user(users[who]), name="start_verification")


def test_the_other_agency_and_the_worker_are_told_after_commit(users, django_capture_on_commit_callbacks, mailoutbox):
    worker = WorkerFactory(email="worker@example.org")
    case = open_case(users, worker=worker)
    OutboundEmail.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        start(case, users)
    # Nothing leaves inside the transaction; both messages wait in the outbox, one hand-over each after the commit.
    assert len(callbacks) == 2
    assert mailoutbox == []
    assert OutboundEmail.objects.filter(status="pending").count() == 2
    for callback in callbacks:
        callback()
    assert len(mailoutbox) == 2
    assert OutboundEmail.objects.filter(status="sent").count() == 2
    to_clerks, to_worker = mailoutbox
    assert set(to_clerks.to) == {"dest_clerk@example.org", "dest_supervisor@example.org"}
    assert case.reference in to_clerks.subject
    assert to_worker.to == ["worker@example.org"]
    assert case.reference in to_worker.subject and case.reference in to_worker.body
    # E-mail is not private: the worker's copy names no ID number, name or figure.
    assert worker.id_number not in to_worker.body and worker.name not in to_worker.body
    assert worker.id_number[-4:] not in to_worker.body


def test_executed_on_commit(users, django_capture_on_commit_callbacks, mailoutbox):
    case = open_case(users)
    with django_capture_on_commit_callbacks(execute=True):
        start(case, users)
    assert [set(m.to) for m in mailoutbox] == [{"dest_clerk@example.org", "dest_supervisor@example.org"}]


def test_the_worker_acting_tells_both_agencies_but_not_themself(users, django_capture_on_commit_callbacks, mailoutbox):
    case = open_case(users, worker=WorkerFactory(email="worker@example.org"), status="info_requested")
    with django_capture_on_commit_callbacks(execute=True):
        case_transition(case=case, actor=Actor.worker(), name="provide_info")
    assert len(mailoutbox) == 1
    assert set(mailoutbox[0].to) == {
        "origin_clerk@example.org", "origin_supervisor@example.org", "dest_clerk@example.org",
        "dest_supervisor@example.org",
    }


def test_the_reason_goes_to_the_other_agency(users, django_capture_on_commit_callbacks, mailoutbox):
    case = open_case(users, status="receiving")
    with django_capture_on_commit_callbacks(execute=True):
        case_transition(case=case, actor=Actor.for_user(users["dest_clerk"]), name="return_to_origin",
                        note="2019 年缴费记录缺失")
    assert set(mailoutbox[0].to) == {"origin_clerk@example.org", "origin_supervisor@example.org"}
    assert "2019 年缴费记录缺失" in mailoutbox[0].body


def test_a_refused_transition_sends_nothing(users, django_capture_on_commit_callbacks, mailoutbox):
    case = open_case(users)
    with django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(NotPermitted):
        start(case, users, who="dest_clerk")
    assert callbacks == [] and mailoutbox == []


def test_a_mail_outage_does_not_undo_the_transition_and_the_mail_is_sent_later(
    users, django_capture_on_commit_callbacks, monkeypatch, caplog, mailoutbox
):
    def broken(*args, **kwargs):
        raise ConnectionRefusedError("smtp down")

    monkeypatch.setattr(outbox_services, "send_mail", broken)
    case = open_case(users)
    OutboundEmail.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True):
        case = start(case, users)
    case.refresh_from_db()
    assert case.status == "verifying"
    assert "not sent" in caplog.text
    message = OutboundEmail.objects.get(about__contains="event")
    assert (message.status, message.attempts) == ("pending", 1)
    assert "smtp down" in message.last_error
    assert message.next_attempt_at > timezone.now()
    monkeypatch.undo()
    # Once it is due, the periodic re-send delivers it.
    OutboundEmail.objects.update(next_attempt_at=timezone.now())
    assert send_pending_email() == 1
    message.refresh_from_db()
    assert (message.status, message.attempts, message.body) == ("sent", 2, "")
    assert case.reference in mailoutbox[-1].subject


def test_an_application_tells_the_other_end(users, django_capture_on_commit_callbacks, mailoutbox):
    worker = WorkerFactory()
    with django_capture_on_commit_callbacks(execute=True):
        case = case_open(actor=Actor.for_user(users["dest_clerk"]), worker=worker, insurance_type="pension",
                         origin_agency=agency("440300"), destination_agency=agency("510100"))
    assert [set(m.to) for m in mailoutbox] == [{"origin_clerk@example.org", "origin_supervisor@example.org"}]
    assert case.reference in mailoutbox[0].subject
