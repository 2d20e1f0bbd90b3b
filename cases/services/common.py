"""Helpers every service shares: codes, deadlines, the event row."""

from __future__ import annotations

import datetime as dt
import secrets

from django.utils import timezone

from cases import rules
from cases.models import (
    Actor,
    CaseEvent,
    CaseView,
    TransferCase,
)
from cases.selectors import (
    calendar_overrides,
    unread_among,
)
from cases.selectors.freshness import agencies_changed, reader_changed
from regions.workdays import Deadline, add_workdays

# Crockford's alphabet: no I, L, O or U to misread over the phone.
CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def random_code(length: int) -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(length))


def step_deadline(insurance_type: str, side: str, start: dt.date, days: int | None = None) -> Deadline:
    days = rules.step_working_days(insurance_type, side) if days is None else days
    return add_workdays(start, days, calendar_overrides(start))


def record_event(
    case: TransferCase, actor: Actor, name: str, from_status: str, to_status: str, note: str, agency_id: int | None,
    *, news: bool = True,
) -> CaseEvent:
    """The event row; unless `news` is false, the inbox hears of it too (record_activity)."""
    event = CaseEvent.objects.create(
        case=case, transition=name, from_status=from_status, to_status=to_status, actor_id=actor.user_id,
        actor_label=actor.label, agency_id=agency_id, note=note,
    )
    if news:
        record_activity(case, actor, event.at, agency_id)
    return event


def record_activity(case: TransferCase, actor: Actor, at: dt.datetime, agency_id: int | None) -> None:
    """Something new on the case for the inbox (cases/selectors/inbox.py): by a clerk or by the worker.

    The administration's bookkeeping (a calendar entered, a history corrected in the admin) is no news to the
    clerks. What a clerk writes, they have read: their own last-seen mark moves with it.
    """
    if agency_id is None and not actor.is_worker:
        return
    changes = {"activity_at": at}
    if agency_id == case.origin_agency_id:
        changes["origin_activity_at"] = at
    elif agency_id == case.destination_agency_id:
        changes["destination_activity_at"] = at
    # An UPDATE of these columns only: updated_at (the closed tab's order) stays the last change of state.
    TransferCase.objects.filter(pk=case.pk).update(**changes)
    # An UPDATE sends no post_save: the cached unread counts of both ends hear of it here.
    agencies_changed((case.origin_agency_id, case.destination_agency_id))
    for name, value in changes.items():
        setattr(case, name, value)
    if actor.user_id is not None:
        mark_seen(user_id=actor.user_id, case_id=case.pk, at=at)


def mark_read(*, user_id: int, case: TransferCase, at: dt.datetime) -> None:
    """The clerk opened the case: their mark moves only if the case was unread to them.

    Unread as the inbox has it (selectors.unread_among): someone wrote on it after the clerk's mark, within the
    inbox's window. A read case stays read whether the mark moves or not, until the next write; moving it anyway
    would cost a write and a commit on every page view, and make the clerk's cached tab counts stale for nothing
    (cases/selectors/freshness.py).
    """
    if unread_among(user_id, [case], timezone.localdate(at)):
        mark_seen(user_id=user_id, case_id=case.pk, at=at)


def mark_seen(*, user_id: int, case_id: int, at: dt.datetime) -> None:
    """One statement (an upsert), so that opening a case page costs one query more, and two tabs opening the same
    case at once cannot both insert."""
    CaseView.objects.bulk_create(
        [CaseView(user_id=user_id, case_id=case_id, seen_at=at)],
        update_conflicts=True, unique_fields=["user", "case"], update_fields=["seen_at"],
    )
    reader_changed(user_id)


