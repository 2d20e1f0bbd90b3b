"""E-mail through the outbox: written with the change, delivered by a worker, kept through a mail server outage."""

from __future__ import annotations

import threading

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.db import transaction
from django.test import Client
from django.utils import timezone

from cases.models import Actor
from cases.services import case_transition
from outbox import services
from outbox.models import OutboundEmail
from outbox.tasks import deliver_email, send_pending_email
from sstransfer.celery import app as celery_app
from tests.conftest import PASSWORD
from tests.factories import open_case
from tests.ops.conftest import redis_reachable

pytestmark = pytest.mark.django_db


def queue(**changes) -> OutboundEmail:
    return services.email_enqueue(**{"subject": "s", "body": "b", "to": ["a@example.org"], "about": "t", **changes})


def test_the_message_is_written_in_the_transaction_of_the_change_and_goes_with_its_rollback():
    with pytest.raises(RuntimeError), transaction.atomic():
        queue()
        raise RuntimeError("the change fails")
    assert not OutboundEmail.objects.exists()


def test_a_transition_writes_its_mail_before_the_commit(users):
    case = open_case(users)
    OutboundEmail.objects.all().delete()
    case_transition(case=case, actor=Actor.for_user(users["origin_clerk"]), name="start_verification")
    # No on-commit callback ran (the test's transaction never commits), yet the rows are there.
    message = OutboundEmail.objects.get()
    assert (message.status, message.attempts, message.recipients) == (
        "pending", 0, ["dest_clerk@example.org", "dest_supervisor@example.org"],
    )
    assert mail.outbox == []


def test_delivery_sends_once(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        message = queue()
    assert len(mail.outbox) == 1
    assert services.email_deliver(message.pk) is True
    assert send_pending_email() == 0
    assert len(mail.outbox) == 1


def test_a_failed_attempt_backs_off_and_gives_up_at_the_last(monkeypatch, settings):
    settings.OUTBOX_MAX_ATTEMPTS = 3

    def broken(*args, **kwargs):
        raise TimeoutError("smtp timed out")

    monkeypatch.setattr(services, "send_mail", broken)
    message = queue()
    delays = []
    for _ in range(3):
        OutboundEmail.objects.filter(pk=message.pk).update(next_attempt_at=timezone.now())
        before = timezone.now()
        assert services.email_deliver(message.pk) is False
        message.refresh_from_db()
        delays.append(round((message.next_attempt_at - before).total_seconds() / 60))
    assert delays == [1, 2, 4]
    assert (message.status, message.attempts, message.last_error) == ("failed", 3, "TimeoutError: smtp timed out")
    # Given up, it is no longer due; an administrator queues it again.
    assert services.email_due() == []
    assert services.email_requeue(OutboundEmail.objects.all()) == 1
    assert services.email_due() == [message.pk]


def test_a_broker_outage_loses_nothing(monkeypatch, django_capture_on_commit_callbacks):
    def down(*args, **kwargs):
        raise ConnectionError("broker down")

    monkeypatch.setattr(deliver_email, "apply_async", down)
    with django_capture_on_commit_callbacks(execute=True):
        message = queue()
    assert mail.outbox == []
    monkeypatch.undo()
    assert services.email_due() == [message.pk]
    send_pending_email()
    assert len(mail.outbox) == 1


def test_the_periodic_resend_is_on_the_beat_schedule(settings):
    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "outbox.tasks.send_pending_email" in tasks
    assert "outbox.tasks.send_pending_email" in celery_app.tasks


def test_the_admin_shows_state_attempts_and_error_and_requeues(users):
    get_user_model().objects.create_superuser("root", "root@example.org", PASSWORD)
    message = queue(subject="案件 TR-2026-AAAAAA")
    OutboundEmail.objects.filter(pk=message.pk).update(status="failed", attempts=12, last_error="SMTPServerDisconnected")
    client = Client()
    client.force_login(get_user_model().objects.get(username="root"))
    listing = client.get("/admin/outbox/outboundemail/?status=failed")
    assert listing.status_code == 200
    html = listing.content.decode()
    assert "案件 TR-2026-AAAAAA" in html and ">12<" in html
    detail = client.get(f"/admin/outbox/outboundemail/{message.pk}/change/").content.decode()
    assert "SMTPServerDisconnected" in detail
    response = client.post("/admin/outbox/outboundemail/", {"action": "requeue", "_selected_action": [message.pk]})
    assert response.status_code == 302
    message.refresh_from_db()
    assert (message.status, message.attempts) == ("pending", 0)


def test_a_clerk_without_the_permission_sees_no_outbox(users):
    client = Client()
    get_user_model().objects.filter(username="origin_clerk").update(is_staff=True)
    client.force_login(users["origin_clerk"])
    assert client.get("/admin/outbox/outboundemail/").status_code == 403


@pytest.mark.django_db(transaction=True)
def test_a_real_worker_on_the_local_redis_delivers_the_mail(reference_data, monkeypatch):
    if not redis_reachable():
        pytest.skip("needs the local Redis on 127.0.0.1:6379")
    from celery.contrib.testing.worker import start_worker

    arrived = threading.Event()
    real_send = services.send_mail

    def send_and_tell(*args, **kwargs):
        result = real_send(*args, **kwargs)
        arrived.set()
        return result

    monkeypatch.setattr(services, "send_mail", send_and_tell)
    # A database of its own on the local Redis, so no other worker takes the task.
    for key, value in [("task_always_eager", False), ("broker_url", "redis://127.0.0.1:6379/6")]:
        monkeypatch.setitem(celery_app.conf, key, value)
    # Connections an eager run made for the embedded default must not be reused for the real broker.
    monkeypatch.setattr(celery_app, "_pool", None)
    monkeypatch.setattr(celery_app.amqp, "_producer_pool", None)
    with start_worker(celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        message = queue(subject="through the queue")
        assert arrived.wait(timeout=20), "the worker did not deliver the message"
    message.refresh_from_db()
    assert message.status == "sent"
    assert [m.subject for m in mail.outbox] == ["through the queue"]
