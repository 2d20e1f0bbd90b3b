"""What the public pages may read.

The public templates get these plain values, never a case or a worker, so no page can
show more than the masked ID number by accident."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from cases.ids import normalize, normalize_code, normalize_reference
from cases.models import (
    Actor,
    Agreement,
    CaseAttachment,
    CaseEvent,
    CaseStatus,
    Side,
    TransferCase,
    attach_agencies,
    worker_may_add_material,
)
from cases.selectors.cases import available_transitions, case_events
from regions.models import Agency
from sstransfer.compiled import compiled

# The public templates get these plain values, never a case or a worker, so no page can
# show more than the masked ID number by accident.

# The agency the worker would ask about the case; a withdrawn case is nobody's any more.
HOLDER_SIDE = {
    # An online application is lodged at the destination, which accepts it.
    CaseStatus.APPLIED: Side.DESTINATION,
    CaseStatus.SUBMITTED: Side.ORIGIN,
    CaseStatus.VERIFYING: Side.ORIGIN,
    CaseStatus.INFO_REQUESTED: Side.ORIGIN,
    CaseStatus.REJECTED: Side.ORIGIN,
    CaseStatus.AGREEMENT_ISSUED: Side.DESTINATION,
    CaseStatus.RECEIVING: Side.DESTINATION,
    CaseStatus.COMPLETED: Side.DESTINATION,
}


@dataclass(frozen=True)
class ProgressStep:
    at: dt.datetime
    text: str
    # The origin's request to the worker; the only note a worker sees (clerks' notes never).
    request: str = ""


@dataclass(frozen=True)
class WorkerProgress:
    reference: str
    masked_id: str
    insurance_type_label: str
    status: str
    status_label: str
    is_open: bool
    summary: str
    next_step: str
    holder: Agency | None
    due_date: dt.date | None
    due_estimated: bool
    overdue: bool
    paused_days_left: int | None
    request: str
    steps: tuple[ProgressStep, ...]
    worker_actions: tuple[str, ...]


@dataclass(frozen=True)
class WorkerMessage:
    at: dt.datetime
    text: str
    # An answer to a request (provide_info), or documents sent unasked (add_material).
    answered_request: bool


@dataclass(frozen=True)
class WorkerFile:
    pk: int
    name: str
    size: int
    sent_at: dt.datetime


@dataclass(frozen=True)
class WorkerSent:
    """What the worker sent online: their own words and their own documents, nothing of the clerks'."""

    messages: tuple[WorkerMessage, ...]
    files: tuple[WorkerFile, ...]
    may_add: bool


CODE_SHAPE = re.compile(r"[0-9A-Z]{1,32}")


@dataclass(frozen=True)
class AgreementCheck:
    """What the public may confirm about a document from its verification code (docs/domain.md §7)."""

    document: str  # "agreement" | "acceptance"
    number: str
    agreement_number: str  # the agreement itself, or the one an acceptance confirmation completed
    issued_at: dt.datetime
    issuing_agency: str
    insurance_type: str
    insurance_type_label: str
    masked_id: str
    status: str  # "valid" | "void"
    superseded_by: str | None
    transfer_total: Decimal | None

    @property
    def is_valid(self) -> bool:
        return self.status == Agreement.Status.VALID


def _status_texts(case: TransferCase, origin: str, destination: str) -> tuple[str, str]:
    """Where the case stands and what happens next, in the worker's words."""
    names = {"origin": origin, "destination": destination}
    texts = {
        CaseStatus.APPLIED: (
            _("Your application has reached %(destination)s, which checks your identity and accepts it."),
            _("Once %(destination)s accepts it, it writes to %(origin)s, which checks your contribution history. "
              "Bring your identity document if %(destination)s asks you to."),
        ),
        CaseStatus.SUBMITTED: (
            _("Your application has been lodged. %(origin)s checks it first."),
            _("%(origin)s starts checking your contribution history."),
        ),
        CaseStatus.VERIFYING: (
            _("%(origin)s is checking your contribution history, any arrears and whether the transfer applies."),
            _("%(origin)s issues the transfer agreement, or explains in writing why not."),
        ),
        CaseStatus.INFO_REQUESTED: (
            _("%(origin)s needs more information from you before it can go on."),
            _("As soon as you answer, %(origin)s goes on checking. The time limit is paused until then."),
        ),
        CaseStatus.AGREEMENT_ISSUED: (
            _("%(origin)s has issued the transfer agreement and sent it to %(destination)s."),
            _("%(destination)s registers the agreement and takes over your insurance relationship."),
        ),
        CaseStatus.RECEIVING: (
            _("%(destination)s has registered the agreement and is taking over your insurance relationship."),
            _("%(destination)s confirms the acceptance; then the transfer is complete."),
        ),
        CaseStatus.COMPLETED: (
            _("The transfer is complete: your insurance relationship continues at %(destination)s."),
            _("Nothing more is needed from you."),
        ),
        CaseStatus.REJECTED: (
            _("%(origin)s has refused the transfer."),
            _("%(origin)s gives you the reason in writing. Contact it with any questions; "
              "you may apply again once the problem is solved."),
        ),
        CaseStatus.WITHDRAWN: (
            _("The application has been withdrawn; nothing more happens with it."),
            _("You may apply again at any time."),
        ),
    }
    summary, next_step = texts[CaseStatus(case.status)]
    return summary % names, next_step % names


def _step_text(event: CaseEvent, case: TransferCase) -> str | None:
    """One line of the timeline, or None for bookkeeping the worker has no use for."""
    agencies = {case.origin_agency_id: case.origin_agency.name, case.destination_agency_id: case.destination_agency.name}
    by_worker = event.agency_id is None
    names = {
        "origin": case.origin_agency.name,
        "destination": case.destination_agency.name,
        "agency": agencies.get(event.agency_id, ""),
    }
    if event.transition == "open":
        if case.channel == TransferCase.Channel.ONLINE:
            return _("You applied online; the application was lodged with %(agency)s.") % names
        return _("The application was lodged at the counter of %(agency)s.") % names
    if event.transition == "decline_application":
        # The reason is the worker's to read: it tells them what to put right before applying again.
        return _("%(agency)s declined the application: %(note)s") % {**names, "note": event.note}
    if event.transition == "provide_info":
        if by_worker:
            return _("You sent the information requested.")
        return _("The information requested was handed in at %(agency)s.") % names
    if event.transition == "add_material":
        return _("You sent more documents.") if by_worker else None
    if event.transition == "withdraw":
        if by_worker:
            return _("You withdrew the application.")
        return _("The application was withdrawn at your request by %(agency)s.") % names
    texts = {
        "accept_application": _("%(destination)s accepted the application and wrote to %(origin)s."),
        "start_verification": _("%(origin)s started checking your contribution history."),
        "request_info": _("%(origin)s asked you for more information."),
        "reject": _("%(origin)s refused the transfer."),
        "issue_agreement": _("%(origin)s issued the transfer agreement."),
        "register_agreement": _("%(destination)s registered the transfer agreement."),
        # The money's steps of the procedure (docs/domain.md §3, §5), without the amounts.
        "record_remittance": _("%(origin)s transferred the funds of your insurance to %(destination)s."),
        "record_receipt": _("%(destination)s received funds of your transfer."),
        "return_to_origin": _("%(destination)s sent the case back to %(origin)s for another check."),
        "complete": _("%(destination)s confirmed the acceptance: the transfer is complete."),
    }
    text = texts.get(event.transition)
    return text % names if text else None


def worker_progress(case: TransferCase) -> WorkerProgress:
    """The worker's own view of their case; one query (the events) on top of the case and its agencies."""
    steps = []
    request = ""
    for event in case_events(case):
        text = _step_text(event, case)
        if text is None:
            continue
        note = event.note if event.transition == "request_info" else ""
        steps.append(ProgressStep(at=event.at, text=text, request=note))
        if note:
            request = note
    summary, next_step = _status_texts(case, case.origin_agency.name, case.destination_agency.name)
    holder = {Side.ORIGIN: case.origin_agency, Side.DESTINATION: case.destination_agency}.get(
        HOLDER_SIDE.get(case.status, "")
    )
    return WorkerProgress(
        reference=case.reference,
        masked_id=case.person.masked_id,
        insurance_type_label=case.get_insurance_type_display(),
        status=case.status,
        status_label=case.get_status_display(),
        is_open=case.is_open,
        summary=summary,
        next_step=next_step,
        holder=holder,
        due_date=case.due_date,
        due_estimated=case.due_estimated,
        overdue=case.is_overdue(),
        paused_days_left=case.paused_days_left,
        request=request if case.status == CaseStatus.INFO_REQUESTED else "",
        steps=tuple(steps),
        worker_actions=tuple(available_transitions(case, Actor.worker())),
    )


def worker_sent(case: TransferCase) -> WorkerSent:
    """The worker's answers, messages and documents on their case, oldest first; two queries."""
    events = CaseEvent.objects.filter(
        case=case, agency__isnull=True, actor__isnull=True, transition__in=("provide_info", "add_material")
    ).exclude(note="").order_by("at", "id")
    files = CaseAttachment.objects.filter(case=case, uploaded_by_worker=True).order_by("created_at", "id")
    return WorkerSent(
        messages=tuple(
            WorkerMessage(at=e.at, text=e.note, answered_request=e.transition == "provide_info") for e in events
        ),
        files=tuple(WorkerFile(pk=f.pk, name=f.original_name, size=f.size, sent_at=f.created_at) for f in files),
        may_add=worker_may_add_material(case),
    )


def worker_withdrawal(case: TransferCase) -> CaseEvent | None:
    """The event that withdrew the case, if it is withdrawn."""
    if case.status != CaseStatus.WITHDRAWN:
        return None
    return case.events.filter(transition="withdraw").order_by("-at", "-id").first()


def worker_file(case: TransferCase, pk: int) -> CaseAttachment:
    """One of the worker's own documents on this case; 404 for any other, the clerks' included."""
    try:
        return CaseAttachment.objects.get(case=case, pk=pk, uploaded_by_worker=True)
    except CaseAttachment.DoesNotExist:
        raise Http404 from None


def case_by_reference_and_id_number(reference: str, id_number: str) -> TransferCase | None:
    """The case with this reference whose worker has this ID number, else None: either mismatch looks the same.

    An online application not (or never) accepted has no worker yet: its applicant's ID number is the one.
    """
    found = _case_by_reference_and_id_number(normalize_reference(reference), normalize(id_number))
    attach_agencies(found)
    return found[0] if found else None


# The public lookup's one statement, compiled once per connection: every worker's lookup has this shape.
@compiled
def _case_by_reference_and_id_number(reference: str, number: str) -> QuerySet[TransferCase]:
    # The reference is unique: no ordering for the database to weigh indexes for, as first() would ask.
    return (
        TransferCase.objects.select_related("worker", "applicant")
        .filter(Q(worker__id_number=number) | Q(worker__isnull=True, applicant__id_number=number), reference=reference)
        .order_by()[:1]
    )


def worker_case(pk: int) -> TransferCase | None:
    """A case the worker has unlocked with their access code, with what their progress page needs."""
    return TransferCase.objects.select_related("worker", "applicant").with_agencies().filter(pk=pk).first()


def agreement_check(verification_code: str) -> AgreementCheck:
    """An agreement, valid or void, or an acceptance confirmation, by its code read forgivingly; 404 for a code
    this system never issued. Two queries at most."""
    code = normalize_code(verification_code)
    if not CODE_SHAPE.fullmatch(code):
        raise Http404  # nothing this system issues; never sent to the database (a NUL would make it fail)
    agreement = (
        Agreement.objects.select_related("case__origin_agency", "case__worker", "superseded_by")
        .filter(verification_code=code).first()
    )
    if agreement is not None:
        case = agreement.case
        return AgreementCheck(
            document="agreement", number=agreement.number, agreement_number=agreement.number,
            issued_at=agreement.issued_at, issuing_agency=case.origin_agency.name,
            insurance_type=case.insurance_type, insurance_type_label=case.get_insurance_type_display(),
            masked_id=case.worker.masked_id, status=agreement.status,
            superseded_by=agreement.superseded_by.number if agreement.superseded_by else None,
            transfer_total=agreement.assessment.transfer.total,
        )
    case = (
        TransferCase.objects.select_related("destination_agency", "worker")
        .prefetch_related("agreements").filter(acceptance_code=code).first()
    )
    accepted = case.current_agreement if case is not None else None
    if case is None or accepted is None:
        raise Http404
    return AgreementCheck(
        document="acceptance", number=case.confirmation_number or "", agreement_number=accepted.number,
        issued_at=case.completed_at, issuing_agency=case.destination_agency.name,
        insurance_type=case.insurance_type, insurance_type_label=case.get_insurance_type_display(),
        masked_id=case.worker.masked_id, status=Agreement.Status.VALID, superseded_by=None,
        transfer_total=accepted.assessment.transfer.total,
    )
