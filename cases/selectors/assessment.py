"""The facts of a case, loaded in a fixed number of queries, and its one assessment (docs/domain.md §5).

Before the agreement the assessment is a live quote from the facts as they stand; while an agreement stands it
is the one that agreement froze, decoded and never recomputed. Nothing else computes a case's figures.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Q
from django.utils import timezone

from cases import rules
from cases.models import AGREEMENT_STATUSES, ContributionPeriod, Outcome, TransferCase
from regions.models import CreditRate, RegionPolicy


def rate_rows() -> tuple[rules.RateRow, ...]:
    """Every credited rate, national and provincial: one query."""
    return tuple(
        rules.RateRow(year, province or "", percent)
        for year, province, percent in CreditRate.objects.values_list("year", "province_id", "percent")
    )


def temporary_account_provinces(worker_id: int, *, exclude_case: int | None = None) -> frozenset[str]:
    """Where the worker has a temporary contribution account: the destinations of their temporary-account cases
    whose agreement stands (66号 Art. 5). One query."""
    cases = TransferCase.objects.filter(
        worker_id=worker_id, outcome=Outcome.TEMPORARY_ACCOUNT, status__in=AGREEMENT_STATUSES,
    )
    if exclude_case is not None:
        cases = cases.exclude(pk=exclude_case)
    return frozenset(city[:2] for city in cases.values_list("destination_agency__city_id", flat=True))


def case_facts(case: TransferCase, *, today: dt.date | None = None) -> rules.CaseFacts:
    """Four queries: the worker's periods, the policies of the year, the rates, the worker's temporary accounts."""
    today = today or timezone.localdate()
    # An online application not accepted is about nobody on the register yet: no history, the applicant's facts.
    registered = case.worker_id is not None
    periods = tuple(
        p.as_rule_period() for p in ContributionPeriod.objects.filter(worker_id=case.worker_id)
    ) if registered else ()
    levels: dict[str, dict[str, str]] = {}
    destination_policy: RegionPolicy | None = None
    destination_province = case.destination_agency.city_id[:2]
    policies = RegionPolicy.objects.filter(Q(year__isnull=True) | Q(year=today.year))
    # The year's row wins over the standing rule: read the standing rows first.
    for policy in sorted(policies, key=lambda p: p.year is not None):
        levels[policy.province_id] = {rules.MEDICAL: policy.medical_pooling, rules.UNEMPLOYMENT: policy.unemployment_pooling}
        if policy.province_id == destination_province:
            destination_policy = policy
    temporary = temporary_account_provinces(case.worker_id, exclude_case=case.pk) if registered else frozenset()
    worker = case.person
    origin_city = case.origin_agency.city
    return rules.CaseFacts(
        insurance_type=case.insurance_type,
        origin_city=origin_city.code,
        destination_city=case.destination_agency.city_id,
        hukou_province=worker.hukou_province_code,
        outcome=case.outcome,
        gender=worker.gender,
        birth_date=worker.birth_date,
        application_date=case.application_date,
        approved_transfer_reference=case.approved_transfer_reference,
        as_of=today,
        periods=periods,
        pooling_levels=levels,
        rates=rate_rows(),
        origin_province_name=origin_city.province.name,
        destination_minimum_months=(destination_policy.min_months_before_transfer_in or 0) if destination_policy else 0,
        destination_nonhukou_medical_account=(
            destination_policy.nonhukou_medical_personal_account if destination_policy else True
        ),
        temporary_account_provinces=temporary,
    )


def case_assessment(case: TransferCase, *, today: dt.date | None = None) -> tuple[rules.Assessment, bool]:
    """The case's assessment and whether it is frozen: the standing agreement's, else a live quote."""
    agreement = case.current_agreement if case.has_agreement else None
    if agreement is not None:
        return agreement.assessment, True
    return rules.assess(case_facts(case, today=today)), False
