"""Writes to the reference data: used by the commands, the demo loader and the tests."""

from __future__ import annotations

import csv
import datetime as dt
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils.translation import gettext as _

from regions.models import Agency, AgencyMembership, CalendarDay, City, CreditRate, Province, RegionPolicy

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


def credit_rate_set(
    *, year: int, percent: Decimal, source: str = "", placeholder: bool = False, province: Province | None = None
) -> CreditRate:
    """The national rate of a year, or a province's own (years before 2016, docs/domain.md §5); idempotent."""
    rate, _ = CreditRate.objects.update_or_create(
        year=year, province=province, defaults={"percent": percent, "source": source, "is_placeholder": placeholder}
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


# --- the official calendar -----------------------------------------------------------------------


@dataclass(frozen=True)
class CalendarEntry:
    date: dt.date
    is_workday: bool
    note: str = ""


# How the State Council's notice and administrators write a day's kind: a holiday (放假, 休) or a make-up
# working day (上班, 班, 调休上班).
DAY_KINDS = {
    "holiday": False, "off": False, "rest": False, "假": False, "休": False, "休息": False, "放假": False,
    "节假日": False, "假日": False,
    "workday": True, "work": True, "working": True, "班": True, "上班": True, "补班": True, "工作日": True,
    "调休上班": True,
}
CALENDAR_LINE = re.compile(r"^(?P<date>\d{4}[-/.]\d{1,2}[-/.]\d{1,2})\s+(?P<kind>\S+)(?:\s+(?P<note>.*))?$")
NOTE_MAX = CalendarDay._meta.get_field("note").max_length


def parse_calendar_lines(text: str) -> tuple[list[CalendarEntry], list[tuple[int, str]]]:
    """Lines such as `2027-01-01 holiday 元旦` or `2027-02-07 workday 调休`; blank lines and # comments skipped.

    Returns the days and, for every line that is not one, (line number, what is wrong).
    """
    days: dict[dt.date, CalendarEntry] = {}
    errors: list[tuple[int, str]] = []
    for number, raw in enumerate(unicodedata.normalize("NFKC", text or "").splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        match = CALENDAR_LINE.match(line)
        if match is None:
            errors.append((number, _("Write the date, then holiday or workday, then a note: 2027-01-01 holiday 元旦.")))
            continue
        try:
            year, month, day = (int(part) for part in re.split(r"[-/.]", match["date"]))
            date = dt.date(year, month, day)
        except ValueError:
            errors.append((number, _("%(date)s is no date.") % {"date": match["date"]}))
            continue
        kind = DAY_KINDS.get(match["kind"].lower())
        if kind is None:
            errors.append((number, _("“%(kind)s” is neither holiday nor workday.") % {"kind": match["kind"]}))
            continue
        note = (match["note"] or "").strip()
        if len(note) > NOTE_MAX:
            errors.append((number, _("The note has at most %(limit)s characters.") % {"limit": NOTE_MAX}))
            continue
        if date in days and days[date].is_workday != kind:
            errors.append((number, _("%(date)s is given as both a holiday and a working day.") % {"date": date}))
            continue
        days[date] = CalendarEntry(date, kind, note)
    return sorted(days.values(), key=lambda entry: entry.date), errors


@transaction.atomic
def calendar_days_set(*, days: Sequence[CalendarEntry]) -> set[int]:
    """Write the days (a day already entered takes the new ruling); returns the years they fall in."""
    for entry in days:
        CalendarDay.objects.update_or_create(
            date=entry.date, defaults={"is_workday": entry.is_workday, "note": entry.note}
        )
    return {entry.date.year for entry in days}
