"""Writes to the reference data: used by the commands, the demo loader and the tests."""

from __future__ import annotations

import csv
from decimal import Decimal
from pathlib import Path

from django.contrib.auth import get_user_model
from django.db import transaction

from regions.models import Agency, AgencyMembership, City, CreditRate, Province, RegionPolicy

CITIES_CSV = Path(__file__).resolve().parent / "data" / "cities.csv"

# Stored as data, so in the agencies' language: the admin shows it as it is, whatever the reader's.
REPUBLISHED = "全国统一公布（据公开转载）"
# 个人账户记账利率 as published by the ministry (docs/domain.md §5); other years are entered by administrators.
NATIONAL_CREDIT_RATES = {
    2016: ("8.31", "人社厅发〔2017〕71号"),
    2017: ("7.12", REPUBLISHED),
    2018: ("8.29", REPUBLISHED),
    2019: ("7.61", REPUBLISHED),
    2020: ("6.04", REPUBLISHED),
    2021: ("6.69", REPUBLISHED),
    2022: ("6.12", REPUBLISHED),
    2023: ("3.97", REPUBLISHED),
    2024: ("2.62", REPUBLISHED),
}


def agency_name(city: City) -> str:
    return f"{city.name}社会保险事业管理局"


@transaction.atomic
def regions_load(path: Path = CITIES_CSV) -> dict[str, int]:
    """Provinces, cities, one agency per city, a standing policy per province and the national rates.

    Idempotent: names follow the file, administrators' agency details and policies stay as edited.
    """
    with path.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    provinces = {r["province_code"]: r["province_name"] for r in rows}
    for code, name in provinces.items():
        Province.objects.update_or_create(code=code, defaults={"name": name})
    for row in rows:
        city, _ = City.objects.update_or_create(
            code=row["city_code"],
            defaults={"name": row["city_name"], "province_id": row["province_code"], "kind": row["kind"]},
        )
        Agency.objects.get_or_create(code=city.code, defaults={"name": agency_name(city), "city": city})
    for code in provinces:
        RegionPolicy.objects.get_or_create(province_id=code, year=None)
    for year, (percent, source) in NATIONAL_CREDIT_RATES.items():
        credit_rate_set(year=year, percent=Decimal(percent), source=source)
    return {"provinces": len(provinces), "cities": len(rows), "rates": len(NATIONAL_CREDIT_RATES)}


def credit_rate_set(*, year: int, percent: Decimal, source: str = "", placeholder: bool = False) -> CreditRate:
    rate, _ = CreditRate.objects.update_or_create(
        year=year, province=None, defaults={"percent": percent, "source": source, "is_placeholder": placeholder}
    )
    return rate


@transaction.atomic
def clerk_create(*, username: str, agency: Agency, role: str, password: str, email: str = "") -> object:
    """Create or update a clerk and their one membership; idempotent."""
    user_model = get_user_model()
    user, _ = user_model.objects.get_or_create(username=username)
    user.set_password(password)
    if email:
        user.email = email
    user.is_active = True
    user.save()
    AgencyMembership.objects.update_or_create(user=user, defaults={"agency": agency, "role": role})
    return user
