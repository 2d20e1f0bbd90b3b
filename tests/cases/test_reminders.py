"""Due-date reminders (cases/services/reminders.py): three working days before, once missed, never twice."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import CommandError, call_command

from cases import services
from cases.models import Actor, CaseReminder, TransferCase
from cases.services.reminders import _remind
from tests.factories import open_case

# A Monday in an ordinary week of 2026: three working days on is Thursday the 5th.
MONDAY = dt.date(2026, 3, 2)
ORIGIN_STAFF = {"origin_clerk@example.org", "origin_supervisor@example.org"}


def due(case: TransferCase, day: dt.date) -> TransferCase:
    TransferCase.objects.filter(pk=case.pk).update(due_date=day)
    case.refresh_from_db()
    return case


def send(capture, today: dt.date = MONDAY) -> dict:
    with capture(execute=True):
        return services.reminders_send(today=today)


def test_the_agency_whose_turn_it_is_hears_three_working_days_before(users, django_capture_on_commit_callbacks,
                                                                      mailoutbox):
    soon = due(open_case(users, status="verifying"), dt.date(2026, 3, 5))
    later = due(open_case(users, status="verifying"), dt.date(2026, 3, 6))  # four working days
    assert send(django_capture_on_commit_callbacks) == {"due_soon": 1, "missed": 0}
    reminder = CaseReminder.objects.get()
    assert (reminder.case, reminder.kind, reminder.status, reminder.due_date, reminder.agency.code) == (
        soon, "due_soon", "verifying", dt.date(2026, 3, 5), "440300"
    )
    (mail,) = mailoutbox
    assert set(mail.to) == ORIGIN_STAFF
    assert soon.reference in mail.subject and "2026-03-05" in mail.subject
    assert soon.get_absolute_url() in mail.body
    assert later.reference not in mail.body
    # Working days, not calendar days: on Friday the 6th is one working day away, and gets its reminder.
    assert send(django_capture_on_commit_callbacks, dt.date(2026, 3, 4))["due_soon"] == 1


def test_the_destination_is_reminded_of_its_own_step(users, django_capture_on_commit_callbacks, mailoutbox):
    due(open_case(users, status="receiving"), dt.date(2026, 3, 3))
    send(django_capture_on_commit_callbacks)
    assert set(mailoutbox[0].to) == {"dest_clerk@example.org", "dest_supervisor@example.org"}


def test_a_missed_due_date_is_reminded_on_the_first_day_it_is_overdue(users, django_capture_on_commit_callbacks,
                                                                       mailoutbox):
    missed = due(open_case(users, status="verifying"), dt.date(2026, 2, 27))
    due(open_case(users, status="verifying"), dt.date(2026, 2, 20))  # long overdue: no news
    due(open_case(users, status="verifying"), MONDAY)  # due today: not missed yet, but due soon
    assert send(django_capture_on_commit_callbacks) == {"due_soon": 1, "missed": 1}
    (overdue,) = [m for m in mailoutbox if missed.reference in m.subject]
    assert "2026-02-27" in overdue.subject
    assert CaseReminder.objects.get(case=missed).kind == "missed"


def test_never_twice_for_the_same_step(users, django_capture_on_commit_callbacks, mailoutbox):
    case = due(open_case(users, status="verifying"), dt.date(2026, 3, 4))
    send(django_capture_on_commit_callbacks)
    assert send(django_capture_on_commit_callbacks) == {"due_soon": 0, "missed": 0}
    assert send(django_capture_on_commit_callbacks, dt.date(2026, 3, 3)) == {"due_soon": 0, "missed": 0}
    assert len(mailoutbox) == 1
    # A run that read the case before another run wrote the reminder: the constraint stops it.
    assert _remind(case, CaseReminder.Kind.DUE_SOON) is False
    assert CaseReminder.objects.count() == 1
    # Missed later: a reminder of the other kind.
    assert send(django_capture_on_commit_callbacks, dt.date(2026, 3, 5)) == {"due_soon": 0, "missed": 1}
    assert len(mailoutbox) == 2


def test_a_step_started_again_is_reminded_again(users, django_capture_on_commit_callbacks):
    case = due(open_case(users, status="verifying"), dt.date(2026, 3, 4))
    send(django_capture_on_commit_callbacks)
    due(case, dt.date(2026, 3, 5))  # e.g. sent back and due again
    assert send(django_capture_on_commit_callbacks)["due_soon"] == 1


def test_paused_and_closed_cases_are_not_reminded(users, django_capture_on_commit_callbacks, mailoutbox):
    open_case(users, status="info_requested")  # the clock is paused: no due date
    closed = open_case(users, status="completed")
    TransferCase.objects.filter(pk=closed.pk).update(due_date=dt.date(2026, 3, 3))
    assert send(django_capture_on_commit_callbacks) == {"due_soon": 0, "missed": 0}
    assert mailoutbox == []


def test_an_assigned_case_reminds_its_assignee_and_the_supervisors(users, django_capture_on_commit_callbacks,
                                                                    mailoutbox):
    case = due(open_case(users, status="verifying"), dt.date(2026, 3, 5))
    services.case_assign(case=case, actor=Actor.for_user(users["origin_clerk"]), assignee_id=users["origin_clerk"].pk)
    users["origin_supervisor"].email = ""
    users["origin_supervisor"].save()
    send(django_capture_on_commit_callbacks)
    assert mailoutbox[0].to == ["origin_clerk@example.org"]


def test_the_command_sends_and_says_how_many(users, capsys, mailoutbox):
    due(open_case(users, status="verifying"), dt.date(2026, 3, 5))
    call_command("send_reminders", "--today", "2026-03-02")
    assert "1 due soon, 0 missed" in capsys.readouterr().out
    call_command("send_reminders", "--today", "2026-03-02")
    assert "0 due soon, 0 missed" in capsys.readouterr().out
    assert CaseReminder.objects.count() == 1
    with pytest.raises(CommandError):
        call_command("send_reminders", "--today", "March")


def test_the_scheduled_task_runs_the_same_service(users):
    from cases.tasks import send_reminders

    assert send_reminders() == {"due_soon": 0, "missed": 0}


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_runs_at_once_send_each_reminder_once(users, mailoutbox):
    from tests.concurrency import race

    for _ in range(3):
        due(open_case(users, status="verifying"), dt.date(2026, 3, 5))
    mailoutbox.clear()  # the steps' own notifications
    results = race(*(lambda: services.reminders_send(today=MONDAY) for _ in range(3)))
    assert not [r for r in results if isinstance(r, Exception)], results
    assert sum(r["due_soon"] for r in results) == 3
    assert CaseReminder.objects.count() == 3 and len(mailoutbox) == 3
