"""Outbox delivery on the queue (Celery; eager without a broker, see docs/deploy.md)."""

from __future__ import annotations

from celery import shared_task

from outbox import services


@shared_task(bind=True, max_retries=None, acks_late=True, ignore_result=True)
def deliver_email(self: object, message_id: int) -> None:
    sent = services.email_deliver(message_id)
    # Run eagerly (no broker) a retry would block the request: the periodic re-send takes the message instead.
    if sent is False and not self.request.is_eager:  # type: ignore[attr-defined]
        from outbox.models import OutboundEmail

        message = OutboundEmail.objects.filter(pk=message_id, status=OutboundEmail.Status.PENDING).first()
        if message is not None:
            raise self.retry(countdown=services.retry_delay(message.attempts).total_seconds())  # type: ignore[attr-defined]


@shared_task(ignore_result=True)
def send_pending_email() -> int:
    """The periodic safety net: anything a lost task, a dead worker or a down broker left behind."""
    due = services.email_due()
    for message_id in due:
        services.email_deliver(message_id)
    return len(due)
