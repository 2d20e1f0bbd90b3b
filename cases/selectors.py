"""Every read the views and the API make, with a fixed number of queries."""

from __future__ import annotations

import datetime as dt
import itertools
import statistics
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import groupby

from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import can_proceed

from cases import rules
from cases.ids import normalize
from cases.models import (
    OPEN_STATUSES,
    TERMINAL_STATUSES,
    TRANSITION_RULES,
    Actor,
    CaseAttachment,
    CaseDuplicate,
    CaseEvent,
    CaseNote,
    CaseStatus,
    ContributionPeriod,
    Side,
    TransferCase,
    TransferCaseQuerySet,
    Worker,
    actor_may,
    awaiting_move_of,
    overdue_on,
)
from regions.models import Agency, CalendarDay, City, CreditRate, InsuranceType, Province, RegionPolicy
from regions.workdays import workdays_between


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
    return TransferCase.objects.with_list_related().select_related("worker__hukou_city__province").prefetch_related(
        Prefetch("events", queryset=CaseEvent.objects.select_related("agency")),
        # A city's name includes its province's (City.__str__): fetch both, or each duplicate costs a query per city.
        Prefetch("duplicates", queryset=CaseDuplicate.objects.select_related(
            "first_city__province", "second_city__province", "kept_city__province"
        )),
    )


def pooling_levels(year: int | None = None) -> dict[str, dict[str, str]]:
    """Each province's pooling level per insurance type: the year's row, else the standing rule."""
    year = year or timezone.localdate().year
    levels: dict[str, dict[str, str]] = {}
    rows = RegionPolicy.objects.filter(Q(year__isnull=True) | Q(year=year))
    for policy in sorted(rows, key=lambda p: p.year is not None):
        levels[policy.province_id] = {
            rules.MEDICAL: policy.medical_pooling,
            rules.UNEMPLOYMENT: policy.unemployment_pooling,
        }
    return levels


def policy_for(province_code: str, year: int) -> RegionPolicy | None:
    rows = RegionPolicy.objects.filter(Q(year__isnull=True) | Q(year=year), province_id=province_code)
    return min(rows, key=lambda p: p.year is None, default=None)


class YearBounds(dict):
    """Floor and ceiling by year; a year without a row of its own falls back on the standing rule."""

    def __init__(self, standing: rules.BaseBounds | None = None) -> None:
        super().__init__()
        self.standing = standing

    def get(self, year: int, default: rules.BaseBounds | None = None) -> rules.BaseBounds | None:
        return super().get(year, self.standing if self.standing is not None else default)


def base_bounds(province_codes: set[str]) -> dict[str, YearBounds]:
    """Floor and ceiling per province and year, for the provinces whose policies set them."""
    bounds: dict[str, YearBounds] = {}
    policies = RegionPolicy.objects.filter(province_id__in=province_codes).exclude(
        base_floor__isnull=True, base_ceiling__isnull=True
    )
    for policy in sorted(policies, key=lambda p: p.year is not None):
        limits = rules.BaseBounds(policy.base_floor, policy.base_ceiling)
        if policy.year is None:
            bounds[policy.province_id] = YearBounds(limits)
        else:
            bounds.setdefault(policy.province_id, YearBounds())[policy.year] = limits
    return bounds


def credit_rates() -> dict[int, Decimal]:
    return dict(CreditRate.objects.values_list("year", "percent"))


def calendar_overrides(start: dt.date, days: int = 400) -> dict[dt.date, bool]:
    # Whole calendar years: whether a year was entered at all decides if its plain weekdays are estimates.
    first, last = start.replace(month=1, day=1), (start + dt.timedelta(days=days)).replace(month=12, day=31)
    return dict(CalendarDay.objects.filter(date__gte=first, date__lte=last).values_list("date", "is_workday"))


def worker_rule_periods(worker_id: int, insurance_type: str | None = None) -> list[rules.Period]:
    periods = ContributionPeriod.objects.filter(worker_id=worker_id)
    if insurance_type:
        periods = periods.filter(insurance_type=insurance_type)
    return [p.as_rule_period() for p in periods]


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
    periods = worker_rule_periods(case.worker_id)
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
    if case.insurance_type == rules.PENSION:
        pension = [p for p in periods if p.insurance_type == rules.PENSION]
        report.benefit_place = rules.benefit_receipt_province(
            hukou_province=case.worker.hukou_province_code, pension_periods=pension
        )
    outcome_reason = case.outcome_reason  # worked out anew from the rules on every read
    if outcome_reason:
        report.messages.append(outcome_reason)
    if case.insurance_type == rules.MEDICAL:
        destination_province = case.destination_agency.city_id[:2]
        policy = policy_for(destination_province, today.year)
        note = rules.medical_account_note(
            destination_province=destination_province,
            hukou_province=case.worker.hukou_province_code,
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


# --- worker portal: what the public pages may read -------------------------------------------
# The public templates get these plain values, never a case or a worker, so no page can
# show more than the masked ID number by accident.

Choices = list[tuple[str, list[tuple[str, str]]]]
# The agency the worker would ask about the case; a withdrawn case is nobody's any more.
HOLDER_SIDE = {
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
class AgreementCheck:
    number: str
    issued_at: dt.datetime
    issuing_agency: str
    insurance_type_label: str
    masked_id: str


def _status_texts(case: TransferCase, origin: str, destination: str) -> tuple[str, str]:
    """Where the case stands and what happens next, in the worker's words."""
    names = {"origin": origin, "destination": destination}
    texts = {
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
    if event.transition == "provide_info":
        if by_worker:
            return _("You sent the information requested.")
        return _("The information requested was handed in at %(agency)s.") % names
    if event.transition == "withdraw":
        if by_worker:
            return _("You withdrew the application.")
        return _("The application was withdrawn at your request by %(agency)s.") % names
    texts = {
        "start_verification": _("%(origin)s started checking your contribution history."),
        "request_info": _("%(origin)s asked you for more information."),
        "reject": _("%(origin)s refused the transfer."),
        "issue_agreement": _("%(origin)s issued the transfer agreement."),
        "register_agreement": _("%(destination)s registered the transfer agreement."),
        "return_to_origin": _("%(destination)s sent the case back to %(origin)s for another check."),
        "complete": _("%(destination)s confirmed the acceptance: the transfer is complete."),
    }
    text = texts.get(event.transition)
    return text % names if text else None


def worker_progress(case: TransferCase) -> WorkerProgress:
    """The worker's own view of their case; one query (the events) on top of the case and its agencies."""
    steps = []
    request = ""
    for event in case.events.all():
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
        masked_id=case.worker.masked_id,
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


def case_by_reference_and_id_number(reference: str, id_number: str) -> TransferCase | None:
    """The case with this reference whose worker has this ID number, else None: either mismatch looks the same."""
    return (
        TransferCase.objects.select_related("worker", "origin_agency", "destination_agency")
        .filter(reference=normalize(reference), worker__id_number=normalize(id_number))
        .first()
    )


def worker_case(pk: int) -> TransferCase | None:
    """A case the worker has unlocked with their access code, with what their progress page needs."""
    return TransferCase.objects.select_related("worker", "origin_agency", "destination_agency").filter(pk=pk).first()


def agreement_check(verification_code: str) -> AgreementCheck:
    """What the public may confirm about an agreement from its QR code; 404 for an unknown code."""
    case = agreement_by_verification_code(verification_code)
    return AgreementCheck(
        number=case.agreement_number,
        issued_at=case.agreement_issued_at,
        issuing_agency=case.origin_agency.name,
        insurance_type_label=case.get_insurance_type_display(),
        masked_id=case.worker.masked_id,
    )


def city_choices() -> tuple[Choices, Choices]:
    """Every city, and the cities an active agency serves, grouped by province for a <select>."""
    cities = (
        City.objects.select_related("province")
        .annotate(served=Exists(Agency.objects.filter(city=OuterRef("pk"), is_active=True)))
        .order_by("province_id", "code")
    )
    every: Choices = []
    served: Choices = []
    for province, group in groupby(cities, key=lambda c: c.province):
        group = list(group)
        every.append((province.name, [(c.code, c.name) for c in group]))
        options = [(c.code, c.name) for c in group if c.served]
        if options:
            served.append((province.name, options))
    return every, served


def agency_for_city(city_code: str) -> Agency | None:
    """The agency serving a city: the one coded like the city (the reference data), else the first active one."""
    agencies = Agency.objects.filter(city_id=city_code, is_active=True).select_related("city")
    return min(agencies, key=lambda a: (a.code != city_code, a.code), default=None)


def agency_directory(*, query: str = "", province_code: str = "", city_code: str = "") -> QuerySet[Agency]:
    """The public directory (66号 Art. 10 asks for a national one): active agencies matching a province,
    a city, or a province, city or agency name (or a code's first digits)."""
    agencies = Agency.objects.filter(is_active=True).select_related("city__province").order_by("city_id", "code")
    if province_code:
        agencies = agencies.filter(city__province_id=province_code)
    if city_code:
        agencies = agencies.filter(city_id=city_code)
    query = query.strip()
    if query:
        match = Q(name__icontains=query) | Q(city__name__icontains=query) | Q(city__province__name__icontains=query)
        if query.isdigit():
            match |= Q(city__code__startswith=query)
        agencies = agencies.filter(match)
    return agencies


def provinces() -> QuerySet[Province]:
    return Province.objects.order_by("code")


# --- clerk workspace: worklist, working days, contribution table, dashboard --------------------

WORKLIST_TABS = ("todo", "outgoing", "incoming", "overdue", "closed")


def worklist_tab_filters(agency_id: int, today: dt.date) -> dict[str, Q]:
    """Each worklist tab as a condition, so one query can count them all and another list one."""
    return {
        "todo": awaiting_move_of(agency_id),
        "outgoing": Q(origin_agency_id=agency_id, status__in=OPEN_STATUSES),
        "incoming": Q(destination_agency_id=agency_id, status__in=OPEN_STATUSES),
        "overdue": overdue_on(today),
        "closed": Q(status__in=TERMINAL_STATUSES),
    }


def worklist_counts(queryset: TransferCaseQuerySet, agency_id: int, today: dt.date) -> dict[str, int]:
    return queryset.aggregate(
        **{tab: Count("pk", filter=condition) for tab, condition in worklist_tab_filters(agency_id, today).items()}
    )


def workdays_left(due_dates: Iterable[dt.date | None], today: dt.date) -> dict[dt.date, int]:
    """Working days from today to each due date (negative once overdue), with one calendar query."""
    dates = {d for d in due_dates if d is not None}
    if not dates:
        return {}
    start = min(min(dates), today)
    overrides = calendar_overrides(start, (max(max(dates), today) - start).days)
    return {d: workdays_between(today, d, overrides) for d in dates}


@dataclass(frozen=True)
class CityHistory:
    city: City
    insurance_type: str
    periods: list[ContributionPeriod]
    years: list[rules.YearTotal]

    @property
    def months(self) -> int:
        return sum(y.months for y in self.years)

    @property
    def insurance_type_label(self) -> str:
        return InsuranceType(self.insurance_type).label


def contribution_history(worker_id: int) -> list[CityHistory]:
    """The worker's periods per insurance type and city, summed per calendar year."""
    periods = ContributionPeriod.objects.filter(worker_id=worker_id).select_related("city__province")
    grouped: dict[tuple[str, str], list[ContributionPeriod]] = defaultdict(list)
    for period in periods:
        grouped[(period.insurance_type, period.city_id)].append(period)
    histories = []
    for (insurance_type, _city), rows in sorted(grouped.items()):
        years = rules.year_totals(period.as_rule_period() for period in rows)
        histories.append(CityHistory(rows[0].city, insurance_type, rows, years))
    return histories


@dataclass(frozen=True)
class StepFigure:
    status: str
    label: str
    median_workdays: float | None
    count: int


@dataclass(frozen=True)
class Dashboard:
    by_status: list[tuple[str, str, int]]
    overdue_ours: int
    overdue_theirs: int
    steps: list[StepFigure]
    since: dt.date


DASHBOARD_WINDOW_DAYS = 90


def step_days_explained() -> dict[str, int]:
    """The working days of each agency's step, for pages that explain the process (DOMAIN.md §4)."""
    return {
        "origin": rules.step_working_days(rules.PENSION, Side.ORIGIN),
        "origin_medical": rules.step_working_days(rules.MEDICAL, Side.ORIGIN),
        "destination": rules.step_working_days(rules.PENSION, Side.DESTINATION),
        "destination_medical": rules.step_working_days(rules.MEDICAL, Side.DESTINATION),
    }


def dashboard(agency_id: int, today: dt.date) -> Dashboard:
    """An agency's cases by state, its overdue cases by whose step is late, and how long each step took lately.

    A step is the time a case spent in one state; it counts when it ended within the window,
    measured in working days on the official calendar.
    """
    cases = TransferCase.objects.of_agency(agency_id)
    counts = dict(cases.order_by().values_list("status").annotate(n=Count("pk")))
    overdue = cases.overdue(today).aggregate(total=Count("pk"), ours=Count("pk", filter=awaiting_move_of(agency_id)))
    since = today - dt.timedelta(days=DASHBOARD_WINDOW_DAYS)
    since_at = timezone.make_aware(dt.datetime.combine(since, dt.time.min))
    # Status changes only: resolving a duplicate writes an event that keeps the state.
    changes = list(
        CaseEvent.objects.filter(case__in=cases.filter(events__at__gte=since_at).values("pk"))
        .exclude(from_status=F("to_status"))
        .order_by("case_id", "at", "id")
        .values_list("case_id", "at", "to_status")
    )
    spans: dict[str, list[tuple[dt.date, dt.date]]] = defaultdict(list)
    for (case_id, started, status), (next_case_id, ended, _next_status) in itertools.pairwise(changes):
        if case_id == next_case_id and ended >= since_at:
            spans[status].append((timezone.localdate(started), timezone.localdate(ended)))
    earliest = min((start for pairs in spans.values() for start, _end in pairs), default=today)
    overrides = calendar_overrides(earliest, (today - earliest).days)
    steps = []
    for status in OPEN_STATUSES:
        durations = [workdays_between(start, end, overrides) for start, end in spans.get(status, [])]
        steps.append(StepFigure(
            status, CaseStatus(status).label, statistics.median(durations) if durations else None, len(durations)
        ))
    return Dashboard(
        by_status=[(status.value, status.label, counts.get(status.value, 0)) for status in CaseStatus],
        overdue_ours=overdue["ours"],
        overdue_theirs=overdue["total"] - overdue["ours"],
        steps=steps,
        since=since,
    )


def worker_by_id_number(id_number: str) -> Worker | None:
    return Worker.objects.select_related("hukou_city__province").filter(id_number=id_number).first()


def province_names(codes: Iterable[str]) -> dict[str, str]:
    return dict(Province.objects.filter(code__in=set(codes)).values_list("code", "name"))


def city_labels(codes: Iterable[str]) -> dict[str, str]:
    """Province and city name by city code, as the pages print a city ("广东省深圳市")."""
    return {city.code: str(city) for city in City.objects.select_related("province").filter(code__in=set(codes))}


def case_notes(case: TransferCase) -> list[CaseNote]:
    return list(case.notes.select_related("author", "agency"))


def case_attachments(case: TransferCase) -> list[CaseAttachment]:
    return list(case.attachments.select_related("agency"))


def open_case_for(user: object, worker: Worker, insurance_type: str) -> TransferCase | None:
    """The worker's open case of this type, if the user's agency is a party to it."""
    return TransferCase.objects.visible_to(user).open().filter(worker=worker, insurance_type=insurance_type).first()


# --- reads for the agency API (issue 3) ------------------------------------------------------


def get_worker(id_number: str) -> Worker:
    """404 for an unknown ID number, whatever its shape."""
    try:
        return Worker.objects.select_related("hukou_city").get(id_number=normalize(id_number))
    except Worker.DoesNotExist:
        raise Http404 from None


@dataclass(frozen=True)
class WorkerOverview:
    benefit_place: rules.BenefitPlace
    benefit_province_name: str
    contribution_months: dict[str, int]


def worker_overview(worker: Worker) -> WorkerOverview:
    """Where the pension would be drawn (66号 Art. 6) and the months counted per insurance type."""
    periods = worker_rule_periods(worker.pk)
    place = rules.benefit_receipt_province(
        hukou_province=worker.hukou_province_code,
        pension_periods=[p for p in periods if p.insurance_type == rules.PENSION],
    )
    province_name = Province.objects.filter(code=place.province_code).values_list("name", flat=True).first() or ""
    months = {
        insurance_type: rules.contribution_months(p for p in periods if p.insurance_type == insurance_type)
        for insurance_type in InsuranceType.values
    }
    return WorkerOverview(place, province_name, months)


def worker_contributions(worker: Worker, insurance_type: str = "") -> QuerySet[ContributionPeriod]:
    periods = ContributionPeriod.objects.filter(worker=worker).select_related("city")
    if insurance_type:
        periods = periods.filter(insurance_type=insurance_type)
    return periods


def case_list(
    user: object, *, status: str = "", side: str = "", overdue: bool | None = None, q: str = "",
    today: dt.date | None = None,
) -> TransferCaseQuerySet:
    """The caller's agency's cases, narrowed by the worklist's filters."""
    cases = TransferCase.objects.visible_to(user).with_list_related()
    agency_id = Actor.for_user(user).agency_id
    if status:
        cases = cases.filter(status=status)
    if side == Side.ORIGIN:
        cases = cases.filter(origin_agency_id=agency_id)
    elif side == Side.DESTINATION:
        cases = cases.filter(destination_agency_id=agency_id)
    if overdue is True:
        cases = cases.overdue(today)
    elif overdue is False:
        cases = cases.not_overdue(today)
    if q:
        cases = cases.filter(
            Q(reference__icontains=q) | Q(worker__name__icontains=q) | Q(worker__id_number__icontains=q)
        )
    return cases


def case_timeline(case: TransferCase) -> list[CaseEvent]:
    """The worker's timeline: the events that changed the status, oldest first, without notes or names."""
    return [event for event in case.events.all() if event.from_status != event.to_status]


def agreement_by_verification_code(code: str) -> TransferCase:
    """The public check of an agreement; 404 for any code that was never issued."""
    try:
        return TransferCase.objects.select_related("origin_agency", "worker").get(
            verification_code=normalize(code), agreement_number__isnull=False
        )
    except TransferCase.DoesNotExist:
        raise Http404 from None
