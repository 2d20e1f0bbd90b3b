"""E-mail waiting to leave: written in the transaction of the change it reports (docs/deploy.md, "Outbox")."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class OutboundEmail(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("waiting to be sent")
        SENT = "sent", _("sent")
        FAILED = "failed", _("given up")

    created_at = models.DateTimeField(_("written at"), default=timezone.now)
    # What the message is about, for the admin and the log (an event number, a case reference): never a body.
    about = models.CharField(_("about"), max_length=200, blank=True)
    from_email = models.CharField(_("sender"), max_length=254)
    recipients = models.JSONField(_("recipients"), default=list)
    subject = models.CharField(_("subject"), max_length=500)
    body = models.TextField(_("body"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    next_attempt_at = models.DateTimeField(_("next attempt at"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("outgoing e-mail")
        verbose_name_plural = _("outgoing e-mail")
        ordering = ["-created_at", "-id"]
        indexes = [
            # The periodic re-send reads only what is due; sent mail never slows it down.
            models.Index(
                fields=["next_attempt_at"], name="outbox_pending_due", condition=models.Q(status="pending"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.subject} → {', '.join(self.recipients)}"
