"""Reads about insured workers: lookups, their contribution history, what the rules say of it."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from django.core import signing
from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404

from cases import rules
from cases.ids import normalize
from cases.models import (
    ContributionPeriod,
    Worker,
)
from cases.selectors.assessment import temporary_account_provinces
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


# Pages that carry a worker from one request to the next (the intake after registering, a worklist search by ID
# number) put this token in the URL instead of the ID number: the worker's row id, signed, and nothing else.
WORKER_SIGNING_NAMESPACE = "cases.worker-token"
WORKER_LINK_MAX_AGE = 12 * 3600
WORKER_SEARCH_PREFIX = "~"


def worker_token(worker_id: int) -> str:
    return signing.dumps(worker_id, salt=WORKER_SIGNING_NAMESPACE)


def worker_id_from_token(token: str) -> int | None:
    """The worker's id, or None for a token that was altered, is too old or is no token at all."""
    try:
        worker_id = signing.loads(token, salt=WORKER_SIGNING_NAMESPACE, max_age=WORKER_LINK_MAX_AGE)
    except signing.BadSignature:
        return None
    return worker_id if isinstance(worker_id, int) else None


def worker_search_token(id_number: str) -> str:
    """What a search for a full ID number puts in the URL: the matching worker's token (0 for none)."""
    found = Worker.objects.filter(id_number=normalize(id_number)).values_list("pk", flat=True).first()
    return WORKER_SEARCH_PREFIX + worker_token(found or 0)


def worker_by_id_number(id_number: str) -> Worker | None:
    return Worker.objects.select_related("hukou_city__province").filter(id_number=id_number).first()


def get_worker(id_number: str) -> Worker:
    """404 for an unknown ID number, whatever its shape."""
    try:
        return Worker.objects.select_related("hukou_city").get(id_number=normalize(id_number))
    except Worker.DoesNotExist:
        raise Http404 from None


def get_worker_for_user(user: object, id_number: str) -> Worker:
    """The worker if the user's agency may read them (Worker.objects.visible_to), else 404 like an unknown one."""
    try:
        return Worker.objects.visible_to(user).select_related("hukou_city").get(id_number=normalize(id_number))
    except Worker.DoesNotExist:
        raise Http404 from None


def worker_period(worker: Worker, period_id: int) -> ContributionPeriod:
    """One of the worker's current periods; 404 for another worker's or a deleted one."""
    try:
        return ContributionPeriod.objects.select_related("city__province").get(worker=worker, pk=period_id)
    except ContributionPeriod.DoesNotExist:
        raise Http404 from None


def _versions() -> QuerySet:
    return ContributionPeriod.history.model.objects.select_related("history_user")


def period_versions(worker: Worker, period_id: int) -> list:
    """Every version of one of the worker's periods, oldest first, deleted ones included; 404 when there is none."""
    versions = list(_versions().filter(worker_id=worker.pk, id=period_id).order_by("history_date", "history_id"))
    if not versions:
        raise Http404
    return versions


def worker_period_versions(worker_id: int) -> dict[int, list]:
    """Every version of every period the worker ever had, by period id, oldest first: one query."""
    grouped: dict[int, list] = defaultdict(list)
    for version in _versions().filter(worker_id=worker_id).order_by("history_date", "history_id"):
        grouped[version.id].append(version)
    return dict(grouped)


@dataclass(frozen=True)
class WorkerOverview:
    benefit_place: rules.BenefitPlace
    benefit_province_name: str
    contribution_months: dict[str, int]


def worker_overview(worker: Worker) -> WorkerOverview:

    """Where the pension would be drawn (66号 Art. 6) and the months counted per insurance type."""
    periods = worker_rule_periods(worker.pk)
    place = rules.benefit_place_of(worker.hukou_province_code, periods, temporary_account_provinces(worker.pk))
    province_name = Province.objects.filter(code=place.province_code).values_list("name", flat=True).first() or ""
    months = {
        insurance_type: rules.contribution_months(p for p in periods if p.insurance_type == insurance_type)
        for insurance_type in InsuranceType.values
    }
    return WorkerOverview(place, province_name, months)


def worker_contributions(worker: Worker, insurance_type: str = "") -> QuerySet[ContributionPeriod]:
    """The worker's periods with `version_count`, the number of versions kept of each."""
    versions = (
        ContributionPeriod.history.model.objects.filter(id=OuterRef("pk")).order_by()
        .values("id").annotate(count=Count("history_id")).values("count")
    )
    periods = ContributionPeriod.objects.filter(worker=worker).select_related("city").annotate(
        version_count=Coalesce(Subquery(versions, output_field=IntegerField()), 0)
    )
    if insurance_type:
        periods = periods.filter(insurance_type=insurance_type)
    return periods
