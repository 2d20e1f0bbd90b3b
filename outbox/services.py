"""Write e-mail to the outbox and deliver it; the only place the project talks to the mail server.

A message is a row written in the caller's transaction: when the change rolls back, so does its mail, and when
the change commits, the mail is there even if the mail server, the broker or the process dies right after.
Delivery is a task (outbox.tasks) that retries with backoff; a periodic task re-sends whatever is still due.
"""

from __future__ import annotations

import datetime as dt
import logging
from functools import partial

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from outbox.models import OutboundEmail

logger = logging.getLogger(__name__)


def email_enqueue(*, subject: str, body: str, to: list[str], about: str = "") -> OutboundEmail:
    """Queue one message to `to` (all in one mail, as send_mail would); handed to a worker after the commit."""
    message = OutboundEmail.objects.create(
        subject=subject[:500], body=body, recipients=list(to), from_email=settings.DEFAULT_FROM_EMAIL, about=about[:200],
    )
    transaction.on_commit(partial(_dispatch, message.pk))
    return message


def _dispatch(message_id: int) -> None:
    from outbox.tasks import deliver_email

    try:
        # No publish retries: with the broker down the request would wait; the periodic re-send takes it instead.
        deliver_email.apply_async((message_id,), retry=False)
    except Exception:
        logger.warning("outbox message %s not handed to the queue; the periodic re-send will take it", message_id)


def retry_delay(attempts: int) -> dt.timedelta:
    """Backoff after the n-th failed attempt: 1, 2, 4 … minutes, at most OUTBOX_MAX_DELAY_SECONDS."""
    return dt.timedelta(seconds=min(60 * 2 ** max(attempts - 1, 0), settings.OUTBOX_MAX_DELAY_SECONDS))


def email_deliver(message_id: int) -> bool | None:
    """Send one pending message. True when sent (now or before), False when the attempt failed, None when another
    worker holds it. The row stays locked while the mail server talks, so no two workers send it twice."""
    with transaction.atomic():
        message = (
            OutboundEmail.objects.select_for_update(skip_locked=True).filter(pk=message_id).first()
        )
        if message is None:
            return None
        if message.status != OutboundEmail.Status.PENDING:
            return message.status == OutboundEmail.Status.SENT
        try:
            send_mail(message.subject, message.body, message.from_email, message.recipients, fail_silently=False)
        except Exception as error:
            attempts = message.attempts + 1
            gave_up = attempts >= settings.OUTBOX_MAX_ATTEMPTS
            OutboundEmail.objects.filter(pk=message.pk).update(
                attempts=F("attempts") + 1, last_error=f"{type(error).__name__}: {error}"[:2000],
                next_attempt_at=timezone.now() + retry_delay(attempts),
                status=OutboundEmail.Status.FAILED if gave_up else OutboundEmail.Status.PENDING,
            )
            logger.warning("outbox message %s (%s) not sent, attempt %s: %s", message.pk, message.about, attempts, error)
            return False
        # A sent message keeps no body: an access code must not stay readable in the database after it left.
        OutboundEmail.objects.filter(pk=message.pk).update(
            attempts=F("attempts") + 1, status=OutboundEmail.Status.SENT, sent_at=timezone.now(), last_error="", body="",
        )
    return True


def email_due(limit: int = 500) -> list[int]:
    """Pending messages whose next attempt is due, oldest first."""
    return list(
        OutboundEmail.objects.filter(status=OutboundEmail.Status.PENDING, next_attempt_at__lte=timezone.now())
        .order_by("next_attempt_at", "pk").values_list("pk", flat=True)[:limit]
    )


def email_requeue(queryset: object) -> int:
    """Given-up messages back in the queue (the admin's action once the mail server is fixed)."""
    return queryset.filter(status=OutboundEmail.Status.FAILED).update(  # type: ignore[attr-defined]
        status=OutboundEmail.Status.PENDING, next_attempt_at=timezone.now(), attempts=0,
    )
