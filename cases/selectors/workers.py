"""Reads about insured workers: lookups, their contribution history, what the rules say of it."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from django.db.models import QuerySet
from django.http import Http404

from cases import rules
from cases.ids import normalize
from cases.models import (
    ContributionPeriod,
    Worker,
)
from regions.models import City, InsuranceType, Province


def worker_rule_periods(worker_id: int, insurance_type: str | None = None) -> list[rules.Period]:
    periods = ContributionPeriod.objects.filter(worker_id=worker_id)
    if insurance_type:
        periods = periods.filter(insurance_type=insurance_type)
    return [p.as_rule_period() for p in periods]


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


def worker_by_id_number(id_number: str) -> Worker | None:
    return Worker.objects.select_related("hukou_city__province").filter(id_number=id_number).first()


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
