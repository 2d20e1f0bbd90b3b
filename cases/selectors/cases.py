"""Reads about cases: who may see them, the report of the rules, lists and timelines."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import can_proceed

from cases import rules
from cases.ids import normalize, normalize_reference
from cases.models import (
    AGREEMENT_STATUSES,
    TRANSITION_RULES,
    Actor,
    Agreement,
    Applicant,
    CaseAttachment,
    CaseDuplicate,
    CaseEvent,
    CaseNote,
    CaseStatus,
    Side,
    TransferCase,
    TransferCaseQuerySet,
    Worker,
    actor_may,
    attach_agencies,
)
from cases.selectors.assessment import case_assessment
from cases.selectors.funds import completion_funds_blocker
from cases.selectors.lists import Key, Order
from cases.selectors.reference import calendar_overrides
from regions.workdays import add_workdays
from sstransfer.compiled import as_prefetched, compiled


def get_case_for_user(user: object, reference: str, queryset: TransferCaseQuerySet | None = None) -> TransferCase:
    """404 for a case that does not exist and for one the user may not see, alike.

    References are issued in capitals; one typed in lower case names the same case, as in the status lookup.
    """
    base = queryset if queryset is not None else TransferCase.objects.with_list_related()
    try:
        return base.visible_to(user).get(reference=normalize_reference(reference))
    except TransferCase.DoesNotExist:
        raise Http404 from None


def case_detail_for_user(user: object, reference: str) -> TransferCase:
    """The case as get_case_for_user gives it (404 alike), with what its page and the API's detail show: the
    worker or applicant with their hukou city, the assignee, the agencies, and its events, agreements and
    duplicates. Four statements, each compiled once per connection (sstransfer/compiled.py): compiling them was
    most of the API detail's CPU."""
    agency_id = Actor.for_user(user).agency_id
    # As TransferCaseQuerySet.visible_to: a user of no agency sees no case.
    found = _case_detail(agency_id, normalize_reference(reference)) if agency_id is not None else []
    if not found:
        raise Http404
    attach_agencies(found)
    case = found[0]
    as_prefetched(case, "events", _detail_events(case.pk))
    as_prefetched(case, "agreements", _detail_agreements(case.pk))
    as_prefetched(case, "duplicates", _detail_duplicates(case.pk))
    return case


@compiled
def _case_detail(agency_id: int, reference: str) -> QuerySet[TransferCase]:
    return TransferCase.objects.select_related(
        "worker__hukou_city__province", "applicant__hukou_city__province", "assignee",
    ).of_agency(agency_id).filter(reference=reference)


@compiled
def _detail_events(case_id: int) -> QuerySet[CaseEvent]:
    return CaseEvent.objects.select_related("agency", "actor").filter(case_id=case_id)


@compiled
def _detail_agreements(case_id: int) -> QuerySet[Agreement]:
    return Agreement.objects.select_related("superseded_by").filter(case_id=case_id)


@compiled
def _detail_duplicates(case_id: int) -> QuerySet[CaseDuplicate]:
    # A city's name includes its province's (City.__str__): fetch both, or each duplicate costs a query per city.
    return CaseDuplicate.objects.select_related(
        "first_city__province", "second_city__province", "kept_city__province"
    ).filter(case_id=case_id)


def case_document_queryset() -> TransferCaseQuerySet:
    """What the PDFs print: the parties, the worker and every agreement (each with its frozen assessment)."""
    return TransferCase.objects.with_list_related().prefetch_related(
        Prefetch("agreements", queryset=Agreement.objects.select_related("superseded_by"))
    )


FROZEN_STATUSES = AGREEMENT_STATUSES


@dataclass
class CaseReport:
    """The case's one assessment (rules.Assessment) and what blocks its next steps, for its page, the API,
    the documents and the services' checks."""

    assessment: rules.Assessment
    frozen: bool
    blockers: dict[str, str] = field(default_factory=dict)

    @property
    def figures(self) -> rules.Figures:
        return self.assessment.figures

    @property
    def transfer(self) -> rules.Transfer:
        return self.assessment.transfer

    @property
    def arrears(self) -> tuple[rules.Arrears, ...]:
        return self.assessment.arrears

    @property
    def benefit_place(self) -> rules.BenefitPlace | None:
        return self.assessment.benefit_place

    @property
    def messages(self) -> list[str]:
        return self.assessment.messages


def case_report(case: TransferCase, *, today: dt.date | None = None) -> CaseReport:
    """The rules run here once per request: the frozen assessment while an agreement stands, else a live one."""
    assessment, frozen = case_assessment(case, today=today)
    report = CaseReport(assessment=assessment, frozen=frozen)
    if case.status == CaseStatus.VERIFYING and assessment.blockers:
        report.blockers["issue_agreement"] = assessment.blocking_message
    if case.status == CaseStatus.RECEIVING and any(not d.resolved for d in case.duplicates.all()):
        report.blockers["complete"] = _("Resolve every duplicate contribution before completing the acceptance.")
    elif case.status == CaseStatus.RECEIVING and (funds := completion_funds_blocker(case)):
        report.blockers["complete"] = funds
    return report


def available_transitions(case: TransferCase, actor: Actor, report: CaseReport | None = None) -> list[str]:
    """Exactly what the service would let this actor run now."""
    names = [
        name for name in TRANSITION_RULES
        if actor_may(case, actor, name) and can_proceed(getattr(case, name))
    ]
    if report is None:
        return names
    return [name for name in names if name not in report.blockers]


def supervisor_transitions(case: TransferCase, actor: Actor) -> list[str]:
    """Steps the actor's agency could run now but only a supervisor may: a clerk is told to ask one."""
    if actor.is_supervisor:
        return []
    sides = actor.sides(case)
    return [
        name for name, rule in TRANSITION_RULES.items()
        if rule.supervisor_only and rule.sides & sides and can_proceed(getattr(case, name))
    ]


def case_notes(case: TransferCase) -> list[CaseNote]:
    return list(case.notes.select_related("author", "agency"))


def case_attachments(case: TransferCase) -> list[CaseAttachment]:
    return list(case.attachments.select_related("agency"))


def open_case_for(user: object, worker: Worker, insurance_type: str) -> TransferCase | None:
    """The worker's open case of this type, if the user's agency is a party to it."""
    return TransferCase.objects.visible_to(user).open().filter(worker=worker, insurance_type=insurance_type).first()


# Below three characters a trigram index cannot narrow a substring search (pg_trgm finds no trigram in
# it and reads the whole index), so short queries match from the start instead (worker_name_prefix).
TRIGRAM_MIN = 3


def search_condition(value: str, *, agency_id: int, limit: int, partial_id_number: bool = False) -> Q:
    """The agency's cases whose reference, worker's ID number or worker's name matches: at most `limit` of them.

    Each is found through its own index and the matches are read first, in one query: an OR across the case
    and worker tables would make the database test every case of the agency, and a subquery in every list
    and count would be planned and run again in each. References are issued in capitals, so one typed in
    lower case matches too. `partial_id_number` (the API's "part of the ID number") also matches inside ID
    numbers; the worklist matches the whole number only.
    """
    text = value.strip()
    short = len(text) < TRIGRAM_MIN
    reference = Q(reference=text.upper()) if short else Q(reference__contains=text.upper())
    id_number = normalize(text)
    by_id = Q(id_number__contains=id_number) if partial_id_number and not short else Q(id_number=id_number)
    by_name = Q(name__startswith=text) if short else Q(name__contains=text)
    ours = Q(origin_agency_id=agency_id) | Q(destination_agency_id=agency_id)
    workers = Worker.objects.filter(by_id | by_name).order_by().values("pk")
    # Online applications not accepted have no worker yet: found by what the applicant typed.
    applicants = Applicant.objects.filter(by_id | by_name).order_by().values("case_id")
    matches = TransferCase.objects.filter(ours & reference).order_by().values_list("pk", flat=True).union(
        TransferCase.objects.filter(ours, worker__in=workers).order_by().values_list("pk", flat=True),
        TransferCase.objects.filter(ours, pk__in=applicants).order_by().values_list("pk", flat=True),
    )
    return Q(pk__in=list(matches[:limit]))


# The API's list order: the newest case first (cases/models.py: case_out_created, case_in_created).
CASE_LIST_ORDER = Order((Key("created_at", descending=True), Key("id", descending=True)))


def case_list(
    user: object, *, status: str = "", side: str = "", overdue: bool | None = None, q: str = "",
    today: dt.date | None = None, search_limit: int = 10_000,
) -> list[TransferCaseQuerySet]:
    """The caller's agency's cases, narrowed by the API's filters: one part per end (cases/selectors/lists.py).

    Read in CASE_LIST_ORDER, each part is served by its end's index; `page` merges them.
    """
    agency_id = Actor.for_user(user).agency_id
    if agency_id is None:
        return []
    ends = {Side.ORIGIN: Q(origin_agency_id=agency_id), Side.DESTINATION: Q(destination_agency_id=agency_id)}
    if side:
        ends = {side: ends[side]}
    cases = TransferCase.objects.with_list_related()
    if status:
        cases = cases.filter(status=status)
    if overdue is True:
        cases = cases.overdue(today)
    elif overdue is False:
        cases = cases.not_overdue(today)
    if q:
        cases = cases.filter(search_condition(q, agency_id=agency_id, limit=search_limit, partial_id_number=True))
    return [cases.filter(condition) for condition in ends.values()]


def registered_name(case: TransferCase) -> str | None:
    """The register's name for an online applicant's ID number, or None when it is not registered."""
    if case.worker_id:
        return case.worker.name
    if case.channel != TransferCase.Channel.ONLINE:
        return None
    return Worker.objects.filter(id_number=case.applicant.id_number).values_list("name", flat=True).first()


@dataclass(frozen=True)
class ContactLetter:
    """The destination's letter to the origin (联系函, docs/domain.md §7): dated the day it accepted the case, and
    the origin's step counted from then, as the letter said it, whatever happened to the due date since."""

    case: TransferCase
    issued_on: dt.date
    due_date: dt.date
    due_estimated: bool


def contact_letter(case: TransferCase) -> ContactLetter:
    """404 unless the case was lodged at the destination and accepted there."""
    if not case.has_contact_letter:
        raise Http404
    accepted = (
        case.events.filter(transition__in=("open", "accept_application"), to_status=CaseStatus.SUBMITTED)
        .order_by("-at", "-id").values_list("at", flat=True).first()
    )
    if accepted is None:
        raise Http404
    issued_on = timezone.localdate(accepted)
    deadline = add_workdays(
        issued_on, rules.step_working_days(case.insurance_type, Side.ORIGIN), calendar_overrides(issued_on)
    )
    return ContactLetter(case=case, issued_on=issued_on, due_date=deadline.date, due_estimated=deadline.estimated)


def case_timeline(case: TransferCase) -> list[CaseEvent]:
    """The worker's timeline: the events that changed the status, oldest first, without notes or names."""
    return [event for event in case_events(case) if event.from_status != event.to_status]


def case_events(case: TransferCase) -> list[CaseEvent]:
    """Every event of the case, oldest first, each knowing its case; the worker's pages read them on every visit."""
    events = _events_of_case(case.pk)
    as_prefetched(case, "events", events)
    return events


@compiled
def _events_of_case(case_id: int) -> QuerySet[CaseEvent]:
    return CaseEvent.objects.filter(case_id=case_id)
