"""Reads about cases: who may see them, the report of the rules, lists and timelines."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Prefetch, Q
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import can_proceed

from cases import rules
from cases.ids import normalize
from cases.models import (
    TRANSITION_RULES,
    Actor,
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
)
from cases.selectors.lists import Key, Order
from cases.selectors.reference import calendar_overrides, credit_rates, policy_for, pooling_levels
from cases.selectors.workers import worker_rule_periods
from regions.workdays import add_workdays


def get_case_for_user(user: object, reference: str, queryset: TransferCaseQuerySet | None = None) -> TransferCase:
    """404 for a case that does not exist and for one the user may not see, alike.

    References are issued in capitals; one typed in lower case names the same case, as in the status lookup.
    """
    base = queryset if queryset is not None else TransferCase.objects.with_list_related()
    try:
        return base.visible_to(user).get(reference=(reference or "").strip().upper())
    except TransferCase.DoesNotExist:
        raise Http404 from None


def case_detail_queryset() -> TransferCaseQuerySet:
    return TransferCase.objects.with_list_related().select_related(
        "worker__hukou_city__province", "applicant__hukou_city__province"
    ).prefetch_related(
        Prefetch("events", queryset=CaseEvent.objects.select_related("agency")),
        # A city's name includes its province's (City.__str__): fetch both, or each duplicate costs a query per city.
        Prefetch("duplicates", queryset=CaseDuplicate.objects.select_related(
            "first_city__province", "second_city__province", "kept_city__province"
        )),
    )


FROZEN_STATUSES = (CaseStatus.AGREEMENT_ISSUED, CaseStatus.RECEIVING, CaseStatus.COMPLETED)


@dataclass
class CaseReport:
    """What the rules say about one case, for its page, the API and the services' checks."""

    figures: rules.Figures | None
    frozen: bool
    arrears: list[rules.Arrears] = field(default_factory=list)
    benefit_place: rules.BenefitPlace | None = None
    blockers: dict[str, str] = field(default_factory=dict)
    messages: list[str] = field(default_factory=list)


def case_report(case: TransferCase, *, today: dt.date | None = None) -> CaseReport:
    """Live quote before the agreement, frozen figures after; and what blocks the next steps."""
    today = today or timezone.localdate()
    levels = pooling_levels(today.year)
    # An application not yet accepted is about nobody on the register yet: no history to quote.
    periods = worker_rule_periods(case.worker_id) if case.worker_id else []
    origin_area = rules.pooling_area(case.insurance_type, case.origin_agency.city_id, levels)
    origin_periods = rules.periods_in_area(periods, case.insurance_type, origin_area, levels)
    moves_funds = not case.is_temporary_account
    # Frozen while an agreement stands; after return_to_origin the origin verifies again and the next
    # agreement must freeze the corrected history (and pass the rate check), not the returned figures.
    frozen = case.has_agreement and case.status in FROZEN_STATUSES
    if frozen:
        figures = rules.Figures(
            contribution_months=case.contribution_months or 0,
            pooled_fund_amount=case.pooled_fund_amount,
            personal_account_principal=case.personal_account_principal,
            personal_account_balance=case.personal_account_balance,
            years=tuple(
                rules.YearLine(
                    line["year"], line["months"], Decimal(line["base_total"]), Decimal(line["credits"]),
                    None if line["rate_percent"] is None else Decimal(line["rate_percent"]),
                    Decimal(line["interest"]), Decimal(line["closing_balance"]),
                )
                for line in case.figures_detail.get("years", [])
            ),
        )
    else:
        figures = rules.compute_figures(case.insurance_type, origin_periods, credit_rates(), today.year)
    report = CaseReport(figures=figures, frozen=frozen, arrears=rules.arrears(origin_periods))
    if case.insurance_type == rules.PENSION and case.worker_id:
        pension = [p for p in periods if p.insurance_type == rules.PENSION]
        report.benefit_place = rules.benefit_receipt_province(
            hukou_province=case.person.hukou_province_code, pension_periods=pension
        )
    outcome_reason = case.outcome_reason  # worked out anew from the rules on every read
    if outcome_reason:
        report.messages.append(outcome_reason)
    if case.insurance_type == rules.MEDICAL:
        destination_province = case.destination_agency.city_id[:2]
        policy = policy_for(destination_province, today.year)
        note = rules.medical_account_note(
            destination_province=destination_province,
            hukou_province=case.person.hukou_province_code,
            nonhukou_account=policy.nonhukou_medical_personal_account if policy else True,
        )
        if note:
            report.messages.append(note)

    if case.status == CaseStatus.VERIFYING:
        blocker = _agreement_blocker(origin_periods, figures, moves_funds)
        if blocker:
            report.blockers["issue_agreement"] = blocker
    if case.status == CaseStatus.RECEIVING:
        blocker = _completion_blocker(case, periods, levels, today)
        if blocker:
            report.blockers["complete"] = blocker
    return report


def _agreement_blocker(origin_periods: list[rules.Period], figures: rules.Figures, moves_funds: bool) -> str:
    try:
        rules.require_no_arrears(origin_periods)
        if moves_funds:
            rules.require_rates(figures)
    except rules.RuleViolation as violation:
        return violation.message
    return ""


def _completion_blocker(
    case: TransferCase, periods: list[rules.Period], levels: dict[str, dict[str, str]], today: dt.date
) -> str:
    if any(not d.resolved for d in case.duplicates.all()):
        return _("Resolve every duplicate contribution before completing the acceptance.")
    destination_city = case.destination_agency.city_id
    policy = policy_for(destination_city[:2], today.year)
    if policy and policy.min_months_before_transfer_in:
        area = rules.pooling_area(case.insurance_type, destination_city, levels)
        months = rules.contribution_months(rules.periods_in_area(periods, case.insurance_type, area, levels))
        try:
            rules.require_minimum_months(months, policy.min_months_before_transfer_in)
        except rules.RuleViolation as violation:
            return violation.message
    return ""


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
    return [event for event in case.events.all() if event.from_status != event.to_status]
