"""Scheduled jobs for Celery beat (README "Production"); each is also a management command, for cron or by hand."""

from __future__ import annotations

from celery import shared_task

from cases.services.reminders import reminders_send


@shared_task(name="cases.send_reminders")
def send_reminders() -> dict[str, int]:
    """Daily: due-date reminders (cases/services/reminders.py); re-running it sends nothing twice."""
    return reminders_send()
