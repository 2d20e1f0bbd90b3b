"""The worker's own paths: status lookup, online application, acting with an access code.

Every failure here that could tell a visitor something about someone else's ID number counts toward the limits
of `_lookup_guarded` (per address, per reference, per ID number; sstransfer.limits, docs/deploy.md "Limits")."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from cases import notifications
from cases.errors import RuleBlocked, StateConflict
from cases.ids import normalize_reference, parse_id_number
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
from sstransfer import limits
from sstransfer.limits import TooManyAttempts


def status_lookup(*, reference: str, id_number: str, client_address: str) -> TransferCase | None:
    """The worker's own case by reference and ID number, or None; both mismatches look the same."""
    return _lookup_guarded(reference, id_number, client_address, lambda: case_by_reference_and_id_number(reference, id_number))


def _lookup_guarded(
    reference: str, id_number: str, client_address: str, find: Callable[[], TransferCase | None]
) -> TransferCase | None:
    """`find()` within the limits; a failure counts, a match is given back.

    From one address, STATUS_LOOKUP_MAX_FAILURES failures for one reference or one ID number refuse every further
    try at it, a right one too; the same number of failures for anything refuse further *wrong* tries only, so
    that the many workers behind one shared mobile-network address are not locked out by the others' mistakes.
    From all addresses together, STATUS_LOOKUP_MAX_FAILURES_PER_TARGET failures for one reference or ID number
    refuse every try at it: guessing at one worker from many addresses stops there too.
    """
    window = settings.STATUS_LOOKUP_WINDOW_SECONDS
    per_address = settings.STATUS_LOOKUP_MAX_FAILURES
    per_target = settings.STATUS_LOOKUP_MAX_FAILURES_PER_TARGET
    reference, id_key = normalize_reference(reference), _id_key(id_number)
    # Every counter in one round trip, and every give-back in one more (sstransfer/limits.py).
    slots = limits.take_all([
        ("lookup-address-reference", f"{client_address}|{reference}", per_address),
        ("lookup-address-id", f"{client_address}|{id_key}", per_address),
        ("lookup-reference", reference, per_target),
        ("lookup-id", id_key, per_target),
        ("lookup-address", client_address, settings.STATUS_LOOKUP_MAX_FAILURES),
    ], window=window)
    *targets, address = slots
    refused = next((slot for slot in targets if slot.over), None)
    if refused is not None:
        limits.give_back_all(slots)
        raise TooManyAttempts(refused.retry_at)
    case = find()
    if case is not None:
        limits.give_back_all(slots)
        return case
    if address.over:
        address.give_back()
        raise TooManyAttempts(address.retry_at)
    return None


def _id_key(id_number: str) -> str:
    try:
        return parse_id_number(id_number).id_number
    except Exception:
        return id_number.strip().upper()


@dataclass(frozen=True)
class OnlineApplication:
    case: TransferCase
    access_code: str


def case_worker_access(*, reference: str, id_number: str, access_code: str, client_address: str) -> TransferCase | None:
    """The case when reference, ID number and access code all match, else None (counted as a failure)."""

    def find() -> TransferCase | None:
        case = case_by_reference_and_id_number(reference, id_number)
        return case if case is not None and case_check_access_code(case, id_number, access_code) else None

    return _lookup_guarded(reference, id_number, client_address, find)


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
    Every application counts toward the address's limit of applications; a refusal because the ID number
    already has three waiting says something about that number, so it also counts like a failed lookup.
    """
    limits.take(
        "apply-address", client_address, limit=settings.ONLINE_APPLICATIONS_PER_ADDRESS,
        window=settings.ONLINE_APPLICATIONS_WINDOW_SECONDS,
    )
    probe = limits.take(
        "lookup-address", client_address, limit=settings.STATUS_LOOKUP_MAX_FAILURES,
        window=settings.STATUS_LOOKUP_WINDOW_SECONDS,
    )
    probed = False
    try:
        with transaction.atomic():
            case = case_open_application(
                id_number=id_number, name=name, hukou_city=hukou_city, phone=phone, email=email,
                insurance_type=insurance_type, origin_agency=origin_agency, destination_agency=destination_agency,
                today=today,
            )
            access_code = case_issue_access_code(case=case)
            notifications.access_code_issued(
                email=case.applicant.email, reference=case.reference, access_code=access_code, act_url=act_url,
                language=translation.get_language() or settings.LANGUAGE_CODE,
            )
    except RuleBlocked as blocked:
        probed = blocked.code == "too_many_applications"
        raise
    finally:
        if not probed:
            probe.give_back()
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
        notifications.worker_material_added(event.pk, [attachment.pk for attachment in attachments])
    return event


def case_worker_withdraw(*, case: TransferCase, language: str) -> TransferCase:
    """The worker withdraws their application; they get a confirmation by e-mail, in their language."""
    with transaction.atomic():
        case = case_transition(case=case, actor=Actor.worker(), name="withdraw")
        event = case.events.filter(transition="withdraw").order_by("-id").first()
        notifications.withdrawal_confirmed(event.pk, language)
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
