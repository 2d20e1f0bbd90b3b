"""Reminders of due dates (docs/domain.md §4): the agency whose turn it is hears three working days before a step's
due date and on the first day it is missed, once per case and step.

Run daily (`manage.py send_reminders`, or the `cases.send_reminders` task where Celery runs). A run that was skipped
is caught up by the next one: a case due within three working days that had no reminder gets it, as does a case whose
due date passed in the last MISSED_LOOKBACK_DAYS days. Each reminder is a CaseReminder row first; its unique
constraint (case, kind, state, due date) lets only one of two runs at once insert it, and only the run that inserted
it writes the mail, to the outbox in the same transaction (sent after the commit; docs/deploy.md, "Outbox").
"""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from cases import notifications
from cases.models import CaseReminder, TransferCase
from regions.workdays import official_calendar

REMINDER_WORKDAYS = 3
# A missed due date further back is no news: the overdue tab has long shown it (and a first run on an old
# database must not mail every case that was ever late).
MISSED_LOOKBACK_DAYS = 7


def _not_reminded(kind: str) -> Exists:
    return Exists(CaseReminder.objects.filter(
        case=OuterRef("pk"), kind=kind, status=OuterRef("status"), due_date=OuterRef("due_date"),
    ))


def reminders_send(*, today: dt.date | None = None) -> dict[str, int]:
    """Send what is due today; the number of reminders of each kind this run sent."""
    today = today or timezone.localdate()
    soon_until = official_calendar().add_workdays(today, REMINDER_WORKDAYS).date
    open_cases = TransferCase.objects.open().select_related("origin_agency", "destination_agency").order_by("pk")
    batches = {
        CaseReminder.Kind.DUE_SOON: open_cases.filter(due_date__gte=today, due_date__lte=soon_until),
        CaseReminder.Kind.MISSED: open_cases.filter(
            due_date__lt=today, due_date__gte=today - dt.timedelta(days=MISSED_LOOKBACK_DAYS)
        ),
    }
    sent = {}
    for kind, cases in batches.items():
        sent[kind.value] = sum(_remind(case, kind) for case in cases.exclude(_not_reminded(kind)).iterator())
    return sent


def _remind(case: TransferCase, kind: str) -> bool:
    agency_id = case.turn_agency_id()
    if agency_id is None or case.due_date is None:
        return False
    try:
        with transaction.atomic():
            reminder = CaseReminder.objects.create(
                case=case, kind=kind, status=case.status, due_date=case.due_date, agency_id=agency_id,
            )
            notifications.reminder_due(reminder.pk)
    except IntegrityError:
        # Another run sent it between our read and our write.
        return False
    return True
