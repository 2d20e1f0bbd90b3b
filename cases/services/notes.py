"""Notes between the agencies and attachments from either party."""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext as _

from cases.errors import NotPermitted, RuleBlocked, StateConflict
from cases.models import (
    Actor,
    CaseAttachment,
    CaseNote,
    TransferCase,
)
from cases.services.common import record_activity

ATTACHMENT_SIGNATURES = {
    "application/pdf": (b"%PDF-",),
    "image/jpeg": (b"\xff\xd8\xff",),
    "image/png": (b"\x89PNG\r\n\x1a\n",),
}


def case_add_note(*, case: TransferCase, actor: Actor, user: object, text: str) -> CaseNote:
    """A message between the two agencies; the worker never sees it."""
    if actor.is_worker or not actor.sides(case):
        raise NotPermitted(_("Only the two agencies of a case exchange notes."), "forbidden")
    text = (text or "").strip()
    if not text:
        raise RuleBlocked(_("Write something first."), "empty_note")
    note = CaseNote.objects.create(case=case, author=user, agency_id=actor.agency_id, text=text)
    record_activity(case, actor, note.created_at, actor.agency_id)
    return note


def sniff_content_type(head: bytes) -> str | None:
    """The type by the file's first bytes, whatever its name or the browser claims."""
    for content_type, signatures in ATTACHMENT_SIGNATURES.items():
        if any(head.startswith(signature) for signature in signatures):
            return content_type
    return None


def case_add_attachment(
    *, case: TransferCase, actor: Actor, uploaded_file: object, user: object = None
) -> CaseAttachment:
    """Store a PDF, JPEG or PNG up to ATTACHMENT_MAX_BYTES, checked by content, for either agency or the worker."""
    if not actor.is_worker and not actor.sides(case):
        raise NotPermitted(_("Only the parties of a case add attachments."), "forbidden")
    if not case.is_open:
        raise StateConflict(_("The case is closed."), "wrong_state")
    size = getattr(uploaded_file, "size", 0) or 0
    if size > settings.ATTACHMENT_MAX_BYTES:
        raise RuleBlocked(
            _("The file is larger than %(limit)s MB.") % {"limit": settings.ATTACHMENT_MAX_BYTES // (1024 * 1024)},
            "too_large",
        )
    if size == 0:
        raise RuleBlocked(_("The file is empty."), "empty_file")
    uploaded_file.seek(0)
    content_type = sniff_content_type(uploaded_file.read(16))
    uploaded_file.seek(0)
    if content_type is None:
        raise RuleBlocked(_("Only PDF, JPEG and PNG files are accepted."), "file_type")
    attachment = CaseAttachment(
        case=case, original_name=str(getattr(uploaded_file, "name", "file"))[-255:], content_type=content_type,
        size=size, uploaded_by=user if getattr(user, "is_authenticated", False) else None,
        agency_id=actor.agency_id, uploaded_by_worker=actor.is_worker,
    )
    attachment.file.save(attachment.original_name, uploaded_file, save=False)
    attachment.save()
    if not actor.is_worker:
        # The worker's documents come with an add_material event, which is their news.
        record_activity(case, actor, attachment.created_at, actor.agency_id)
    return attachment


