"""Reference data the rules and pages read: pooling levels, policies, rates, calendar, places."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from itertools import groupby

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from cases import rules
from cases.models import (
    Side,
)
from regions.models import Agency, City, CreditRate, Province, RegionPolicy
from regions.workdays import official_calendar

Choices = list[tuple[str, list[tuple[str, str]]]]


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


def credit_rates(province_code: str) -> dict[int, Decimal]:
    """The credited rate of each year for one province's periods: its own row before 2016, else the national."""
    rows = CreditRate.objects.filter(Q(province__isnull=True) | Q(province_id=province_code))
    chosen = rules.rates_for(
        (rules.RateRow(r.year, r.province_id or "", r.percent) for r in rows), province_code
    )
    return {year: row.percent for year, row in chosen.items()}


def calendar_overrides(start: dt.date, days: int = 400) -> dict[dt.date, bool]:
    """The administrators' rulings from the process's calendar (regions/workdays.py): no query once loaded."""
    # Whole calendar years: whether a year was entered at all decides if its plain weekdays are estimates.
    first, last = start.replace(month=1, day=1), (start + dt.timedelta(days=days)).replace(month=12, day=31)
    return {day: workday for day, workday in official_calendar().overrides.items() if first <= day <= last}


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


def step_days_explained() -> dict[str, int]:
    """The working days of each agency's step, for pages that explain the process (docs/domain.md §4)."""
    return {
        "origin": rules.step_working_days(rules.PENSION, Side.ORIGIN),
        "origin_medical": rules.step_working_days(rules.MEDICAL, Side.ORIGIN),
        "destination": rules.step_working_days(rules.PENSION, Side.DESTINATION),
        "destination_medical": rules.step_working_days(rules.MEDICAL, Side.DESTINATION),
    }


def province_names(codes: Iterable[str]) -> dict[str, str]:
    return dict(Province.objects.filter(code__in=set(codes)).values_list("code", "name"))


def city_labels(codes: Iterable[str]) -> dict[str, str]:
    """Province and city name by city code, as the pages print a city ("广东省深圳市")."""
    return {city.code: str(city) for city in City.objects.select_related("province").filter(code__in=set(codes))}
