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
from cases.models import (
    TRANSITION_RULES,
    Actor,
    CaseDuplicate,
    CaseEvent,
    CaseStatus,
    ContributionPeriod,
    Outcome,
    TransferCase,
    actor_may,
)
from regions.models import CalendarDay, CreditRate, RegionPolicy


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
    moves_funds = case.outcome == Outcome.FULL_TRANSFER
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
