"""Every read the views and the API make, with a fixed number of queries."""

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
    OPEN_STATUSES,
    TRANSITION_RULES,
    Actor,
    CaseDuplicate,
    CaseEvent,
    CaseStatus,
    ContributionPeriod,
    Outcome,
    Side,
    TransferCase,
    Worker,
    actor_may,
)
from regions.models import Agency, CalendarDay, CreditRate, InsuranceType, Province, RegionPolicy


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


# --- reads for the agency API (issue 3) ------------------------------------------------------


def agency_directory(*, province_code: str = "", city_code: str = "", q: str = ""):
    """The public directory of active agencies (66号 Art. 10 asks for a national one)."""
    agencies = Agency.objects.filter(is_active=True).select_related("city__province").order_by("code")
    if province_code:
        agencies = agencies.filter(city__province_id=province_code)
    if city_code:
        agencies = agencies.filter(city_id=city_code)
    if q:
        agencies = agencies.filter(Q(name__icontains=q) | Q(city__name__icontains=q))
    return agencies


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


def worker_contributions(worker: Worker, insurance_type: str = ""):
    periods = ContributionPeriod.objects.filter(worker=worker).select_related("city")
    if insurance_type:
        periods = periods.filter(insurance_type=insurance_type)
    return periods


def case_list(
    user: object, *, status: str = "", side: str = "", overdue: bool | None = None, q: str = "",
    today: dt.date | None = None,
):
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
        cases = cases.exclude(due_date__lt=today or timezone.localdate(), status__in=OPEN_STATUSES)
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
