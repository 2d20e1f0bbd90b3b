"""The worker's own paths: status lookup, online application, acting with an access code.

Every failure here that could tell a visitor something about someone else's ID number counts
toward the same per-address limit."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from cases import notifications
from cases.errors import RuleBlocked, StateConflict
from cases.models import (
    EVENT_NOTE_MAX_LENGTH,
    Actor,
    CaseAttachment,
    CaseEvent,
    TransferCase,
    worker_may_add_material,
)
from cases.selectors import (
    case_by_reference_and_id_number,
)
from cases.services.common import record_event
from cases.services.notes import case_add_attachment
from cases.services.transitions import (
    case_check_access_code,
    case_issue_access_code,
    case_open_application,
    case_transition,
)
from regions.models import Agency, City


class TooManyAttempts(Exception):
    def __init__(self, retry_at: dt.datetime) -> None:
        super().__init__("too many failed status lookups")
        self.retry_at = retry_at


def _failure_key(client_address: str) -> str:
    return f"status-lookup-failures:{client_address}"


def status_lookup(*, reference: str, id_number: str, client_address: str) -> TransferCase | None:
    """The worker's own case by reference and ID number, or None; both mismatches look the same.

    After STATUS_LOOKUP_MAX_FAILURES failures from one address within the window, refuse
    (shared cache in production, so every worker process counts the same failures).
    """
    failures = _recent_failures(client_address)
    case = case_by_reference_and_id_number(reference, id_number)
    if case is None:
        _count_failure(client_address, failures)
    return case


def _recent_failures(client_address: str) -> list[float]:
    """The address's failures within the window; TooManyAttempts once it has used them all up."""
    cutoff = timezone.now().timestamp() - settings.STATUS_LOOKUP_WINDOW_SECONDS
    failures: list[float] = [t for t in cache.get(_failure_key(client_address), []) if t > cutoff]
    if len(failures) >= settings.STATUS_LOOKUP_MAX_FAILURES:
        retry_at = dt.datetime.fromtimestamp(failures[0] + settings.STATUS_LOOKUP_WINDOW_SECONDS, tz=dt.UTC)
        raise TooManyAttempts(retry_at)
    return failures


def _count_failure(client_address: str, failures: list[float]) -> None:
    cache.set(
        _failure_key(client_address), [*failures, timezone.now().timestamp()], settings.STATUS_LOOKUP_WINDOW_SECONDS
    )


@dataclass(frozen=True)
class OnlineApplication:
    case: TransferCase
    access_code: str


def case_worker_access(*, reference: str, id_number: str, access_code: str, client_address: str) -> TransferCase | None:
    """The case when reference, ID number and access code all match, else None (counted as a failure)."""
    failures = _recent_failures(client_address)
    case = case_by_reference_and_id_number(reference, id_number)
    if case is None or not case_check_access_code(case, id_number, access_code):
        _count_failure(client_address, failures)
        return None
    return case


def case_apply_online(
    *,
    id_number: str,
    name: str,
    hukou_city: City,
    phone: str,
    email: str,
    insurance_type: str,
    origin_agency: Agency,
    destination_agency: Agency,
    client_address: str,
    act_url: str = "",
    today: dt.date | None = None,
) -> OnlineApplication:
    """A worker's own application, waiting in `applied` at the destination (66号 Art. 8), with an access code.

    Nothing about any worker on record is read or changed here, so the applicant learns nothing about them.
    Every application counts toward the address's limit, as a failed status lookup does: under someone
    else's ID number an address cannot lodge more than a few.
    """
    failures = _recent_failures(client_address)
    try:
        with transaction.atomic():
            case = case_open_application(
                id_number=id_number, name=name, hukou_city=hukou_city, phone=phone, email=email,
                insurance_type=insurance_type, origin_agency=origin_agency, destination_agency=destination_agency,
                today=today,
            )
            access_code = case_issue_access_code(case=case)
    except RuleBlocked as blocked:
        if blocked.code == "too_many_applications":
            _count_failure(client_address, failures)
        raise
    _count_failure(client_address, failures)
    email = case.applicant.email
    language = translation.get_language() or settings.LANGUAGE_CODE
    transaction.on_commit(lambda: notifications.access_code_issued(
        email=email, reference=case.reference, access_code=access_code, act_url=act_url, language=language,
    ))
    return OnlineApplication(case=case, access_code=access_code)


# Enough for any honest case; a cap, because the worker's page is open to whoever holds the code.
MAX_WORKER_FILES_PER_CASE = 30


def case_worker_add_material(*, case: TransferCase, files: Sequence[object], note: str = "") -> CaseEvent:
    """Documents the worker sends unasked, at any open step: stored, recorded, and the agency whose turn it is told.

    An answer to a request for information is `case_worker_provide_info` (a transition); this one
    changes no state and no time limit.
    """
    actor = Actor.worker()
    note = (note or "").strip()
    if not files:
        raise RuleBlocked(_("Choose at least one file to send."), "no_files")
    if len(note) > EVENT_NOTE_MAX_LENGTH:
        raise RuleBlocked(
            _("The message has at most %(limit)s characters.") % {"limit": EVENT_NOTE_MAX_LENGTH}, "note_too_long"
        )
    with transaction.atomic():
        # Locked so that a withdrawal or a closing step at the same moment cannot slip between check and write.
        locked = TransferCase.objects.select_for_update().get(pk=case.pk)
        if not worker_may_add_material(locked):
            raise StateConflict(_("The case is closed: documents can no longer be sent online."), "wrong_state")
        sent = CaseAttachment.objects.filter(case=locked, uploaded_by_worker=True).count()
        if sent + len(files) > MAX_WORKER_FILES_PER_CASE:
            raise RuleBlocked(
                _("A case takes at most %(limit)s documents online; hand any further ones in at the agency.")
                % {"limit": MAX_WORKER_FILES_PER_CASE},
                "too_many_files",
            )
        attachments = [case_add_attachment(case=locked, actor=actor, uploaded_file=f) for f in files]
        event = record_event(locked, actor, "add_material", locked.status, locked.status, note, None)
    attachment_ids = [attachment.pk for attachment in attachments]
    transaction.on_commit(lambda: notifications.worker_material_added(event.pk, attachment_ids))
    return event


def case_worker_withdraw(*, case: TransferCase, language: str) -> TransferCase:
    """The worker withdraws their application; they get a confirmation by e-mail, in their language."""
    with transaction.atomic():
        case = case_transition(case=case, actor=Actor.worker(), name="withdraw")
        event = case.events.filter(transition="withdraw").order_by("-id").first()
    transaction.on_commit(lambda: notifications.withdrawal_confirmed(event.pk, language))
    return case


def case_worker_provide_info(*, case: TransferCase, note: str, files: Sequence[object] = ()) -> TransferCase:
    """The worker's answer to a request for information: the transition, then the documents, together."""
    actor = Actor.worker()
    with transaction.atomic():
        # The transition locks the case and checks its state before any file is stored.
        case = case_transition(case=case, actor=actor, name="provide_info", note=note)
        for uploaded_file in files:
            case_add_attachment(case=case, actor=actor, uploaded_file=uploaded_file)
    return case
