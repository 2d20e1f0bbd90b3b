"""E-mail to the other party, sent only after the transition has committed."""

from __future__ import annotations

import pytest

from cases import notifications
from cases.errors import NotPermitted
from cases.models import Actor
from cases.services import case_open, case_transition
from tests.factories import WorkerFactory, agency, open_case

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("reference_data")]


def start(case, users, who="origin_clerk"):
    return case_transition(case=case, actor=Actor.for_user(users[who]), name="start_verification")


def test_the_other_agency_and_the_worker_are_told_after_commit(users, django_capture_on_commit_callbacks, mailoutbox):
    worker = WorkerFactory(email="worker@example.org")
    case = open_case(users, worker=worker)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        start(case, users)
    # Nothing leaves inside the transaction.
    assert len(callbacks) == 1
    assert mailoutbox == []
    callbacks[0]()
    assert len(mailoutbox) == 2
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


def test_a_mail_outage_does_not_undo_the_transition(users, django_capture_on_commit_callbacks, monkeypatch, caplog):
    def broken(*args, **kwargs):
        raise ConnectionRefusedError("smtp down")

    monkeypatch.setattr(notifications, "send_mass_mail", broken)
    case = open_case(users)
    with django_capture_on_commit_callbacks(execute=True):
        case = start(case, users)
    case.refresh_from_db()
    assert case.status == "verifying"
    assert "not sent" in caplog.text


def test_an_application_tells_the_other_end(users, django_capture_on_commit_callbacks, mailoutbox):
    worker = WorkerFactory()
    with django_capture_on_commit_callbacks(execute=True):
        case = case_open(actor=Actor.for_user(users["dest_clerk"]), worker=worker, insurance_type="pension",
                         origin_agency=agency("440300"), destination_agency=agency("510100"))
    assert [set(m.to) for m in mailoutbox] == [{"origin_clerk@example.org", "origin_supervisor@example.org"}]
    assert case.reference in mailoutbox[0].subject
