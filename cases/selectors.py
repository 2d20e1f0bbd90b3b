"""Every read the views and the API make, with a fixed number of queries."""

from __future__ import annotations

import datetime as dt
import itertools
import statistics
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, F, Prefetch, Q
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import can_proceed

from cases import rules
from cases.models import (
    DESTINATION_TURN,
    OPEN_STATUSES,
    ORIGIN_TURN,
    TERMINAL_STATUSES,
    TRANSITION_RULES,
    Actor,
    CaseAttachment,
    CaseDuplicate,
    CaseEvent,
    CaseNote,
    CaseStatus,
    ContributionPeriod,
    Outcome,
    TransferCase,
    TransferCaseQuerySet,
    Worker,
    actor_may,
)
from regions.models import CalendarDay, City, CreditRate, InsuranceType, Province, RegionPolicy
from regions.workdays import workdays_between


def get_case_for_user(user: object, reference: str, queryset: object = None) -> TransferCase:
    """404 for a case that does not exist and for one the user may not see, alike."""
    base = queryset if queryset is not None else TransferCase.objects.with_list_related()
    try:
        return base.visible_to(user).get(reference=reference)
    except TransferCase.DoesNotExist:
        raise Http404 from None


def case_detail_queryset():
    return TransferCase.objects.with_list_related().select_related("worker__hukou_city__province").prefetch_related(
        Prefetch("events", queryset=CaseEvent.objects.select_related("agency")),
        Prefetch("duplicates", queryset=CaseDuplicate.objects.select_related("first_city", "second_city", "kept_city")),
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


def base_bounds(province_codes: set[str]) -> dict[str, dict[int, rules.BaseBounds]]:
    """Floor and ceiling per province and year, for the years that set them."""
    bounds: dict[str, dict[int, rules.BaseBounds]] = {}
    for policy in RegionPolicy.objects.filter(province_id__in=province_codes, year__isnull=False).exclude(
        base_floor__isnull=True, base_ceiling__isnull=True
    ):
        bounds.setdefault(policy.province_id, {})[policy.year] = rules.BaseBounds(policy.base_floor, policy.base_ceiling)
    return bounds


def credit_rates() -> dict[int, Decimal]:
    return dict(CreditRate.objects.values_list("year", "percent"))


def calendar_overrides(start: dt.date, days: int = 400) -> dict[dt.date, bool]:
    return dict(
        CalendarDay.objects.filter(date__gte=start, date__lte=start + dt.timedelta(days=days)).values_list(
            "date", "is_workday"
        )
    )


def worker_rule_periods(worker_id: int, insurance_type: str | None = None) -> list[rules.Period]:
    periods = ContributionPeriod.objects.filter(worker_id=worker_id)
    if insurance_type:
        periods = periods.filter(insurance_type=insurance_type)
    return [p.as_rule_period() for p in periods]


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
    moves_funds = case.outcome == Outcome.FULL_TRANSFER
    if case.has_agreement:
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
    report = CaseReport(figures=figures, frozen=case.has_agreement, arrears=rules.arrears(origin_periods))
    if case.insurance_type == rules.PENSION:
        pension = [p for p in periods if p.insurance_type == rules.PENSION]
        report.benefit_place = rules.benefit_receipt_province(
            hukou_province=case.worker.hukou_province_code, pension_periods=pension
        )
    if case.outcome_reason:
        report.messages.append(case.outcome_reason)

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


# --- clerk workspace: worklist, working days, contribution table, dashboard --------------------

WORKLIST_TABS = ("todo", "outgoing", "incoming", "overdue", "closed")


def worklist_tab_filters(agency_id: int, today: dt.date) -> dict[str, Q]:
    """Each worklist tab as a condition, so one query can count them all and another list one."""
    return {
        "todo": Q(origin_agency_id=agency_id, status__in=ORIGIN_TURN)
        | Q(destination_agency_id=agency_id, status__in=DESTINATION_TURN),
        "outgoing": Q(origin_agency_id=agency_id, status__in=OPEN_STATUSES),
        "incoming": Q(destination_agency_id=agency_id, status__in=OPEN_STATUSES),
        "overdue": Q(due_date__lt=today, status__in=OPEN_STATUSES),
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
class YearSummary:
    year: int
    months: int
    base_total: Decimal
    unpaid_months: int


@dataclass(frozen=True)
class CityHistory:
    city: City
    insurance_type: str
    periods: list[ContributionPeriod]
    years: list[YearSummary]

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
        months: dict[int, int] = defaultdict(int)
        bases: dict[int, Decimal] = defaultdict(Decimal)
        unpaid: dict[int, int] = defaultdict(int)
        for period in rows:
            for index in period.as_rule_period().months():
                year = index // 12
                if period.paid:
                    months[year] += 1
                    bases[year] += period.monthly_base
                else:
                    unpaid[year] += 1
        years = [YearSummary(y, months[y], bases[y], unpaid[y]) for y in sorted(set(months) | set(unpaid))]
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


def dashboard(agency_id: int, today: dt.date) -> Dashboard:
    """An agency's cases by state, its overdue cases by whose step is late, and how long each step took lately.

    A step is the time a case spent in one state; it counts when it ended within the window,
    measured in working days on the official calendar.
    """
    cases = TransferCase.objects.filter(Q(origin_agency_id=agency_id) | Q(destination_agency_id=agency_id))
    counts = dict(cases.order_by().values_list("status").annotate(n=Count("pk")))
    overdue = cases.overdue(today).aggregate(
        total=Count("pk"), ours=Count("pk", filter=worklist_tab_filters(agency_id, today)["todo"])
    )
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


def case_notes(case: TransferCase) -> list[CaseNote]:
    return list(case.notes.select_related("author", "agency"))


def case_attachments(case: TransferCase) -> list[CaseAttachment]:
    return list(case.attachments.select_related("agency"))


def open_case_for(user: object, worker: Worker, insurance_type: str) -> TransferCase | None:
    """The worker's open case of this type, if the user's agency is a party to it."""
    return TransferCase.objects.visible_to(user).open().filter(worker=worker, insurance_type=insurance_type).first()
