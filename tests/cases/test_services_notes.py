"""Notes between the two agencies and attachments from either party."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from cases.errors import NotPermitted, RuleBlocked, StateConflict
from cases.models import Actor
from cases.services import case_add_attachment, case_add_note
from tests.factories import open_case

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english", "reference_data")]
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 32


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def test_notes_between_the_two_agencies(users):
    case = open_case(users)
    note = case_add_note(case=case, actor=Actor.for_user(users["dest_clerk"]), user=users["dest_clerk"], text=" 请核对 ")
    assert (note.text, note.agency.code, note.author) == ("请核对", "510100", users["dest_clerk"])
    for actor in (Actor.for_user(users["outsider_clerk"]), Actor.worker()):
        with pytest.raises(NotPermitted):
            case_add_note(case=case, actor=actor, user=users["outsider_clerk"], text="hi")
    with pytest.raises(RuleBlocked):
        case_add_note(case=case, actor=Actor.for_user(users["origin_clerk"]), user=users["origin_clerk"], text="  ")


def test_attachments_are_typed_by_content(users, tmp_path):
    case = open_case(users)
    attachment = case_add_attachment(
        case=case, actor=Actor.worker(), uploaded_file=SimpleUploadedFile("合同.png", PDF, "image/png"),
    )
    assert (attachment.content_type, attachment.extension, attachment.size) == ("application/pdf", "pdf", len(PDF))
    assert attachment.uploaded_by_worker and attachment.original_name == "合同.png"
    assert attachment.file.name.startswith(f"attachments/{case.pk}/") and attachment.file.name.endswith(".pdf")
    assert "合同" not in attachment.file.name
    assert (tmp_path / attachment.file.name).read_bytes() == PDF
    clerk = case_add_attachment(case=case, actor=Actor.for_user(users["origin_clerk"]),
                                uploaded_file=SimpleUploadedFile("scan.png", PNG), user=users["origin_clerk"])
    assert (clerk.content_type, clerk.agency.code, clerk.uploaded_by) == ("image/png", "440300", users["origin_clerk"])


def test_attachments_refused(users, settings):
    case = open_case(users)
    actor = Actor.for_user(users["origin_clerk"])
    with pytest.raises(RuleBlocked, match="Only PDF, JPEG and PNG"):
        case_add_attachment(case=case, actor=actor, uploaded_file=SimpleUploadedFile("x.pdf", b"MZ\x90\x00binary"))
    with pytest.raises(RuleBlocked, match="empty"):
        case_add_attachment(case=case, actor=actor, uploaded_file=SimpleUploadedFile("x.pdf", b""))
    settings.ATTACHMENT_MAX_BYTES = 10
    with pytest.raises(RuleBlocked, match="larger"):
        case_add_attachment(case=case, actor=actor, uploaded_file=SimpleUploadedFile("x.pdf", PDF))
    with pytest.raises(NotPermitted):
        case_add_attachment(case=case, actor=Actor.for_user(users["outsider_clerk"]),
                            uploaded_file=SimpleUploadedFile("x.pdf", PDF))
    closed = open_case(users, status="withdrawn")
    with pytest.raises(StateConflict):
        case_add_attachment(case=closed, actor=actor, uploaded_file=SimpleUploadedFile("x.pdf", PDF))
