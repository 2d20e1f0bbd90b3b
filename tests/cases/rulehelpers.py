"""Shorthand for building rule periods in the rules tests."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from cases import rules


def m(label: str) -> int:
    """'2019-07' → month index."""
    year, month = label.split("-")
    return rules.month_index(int(year), int(month))


def period(
    city: str, first: str, last: str, base: str | int, *, kind: str = rules.PENSION, credit: str | None = None,
    paid: bool = True,
) -> rules.Period:
    return rules.Period(
        insurance_type=kind, city_code=city, first_month=m(first), last_month=m(last), monthly_base=Decimal(str(base)),
        credit=None if credit is None else Decimal(credit), paid=paid,
    )


NATIONAL_RATES = {
    2016: Decimal("8.31"), 2017: Decimal("7.12"), 2018: Decimal("8.29"), 2019: Decimal("7.61"), 2020: Decimal("6.04"),
    2021: Decimal("6.69"), 2022: Decimal("6.12"), 2023: Decimal("3.97"), 2024: Decimal("2.62"),
}

TEST_RATES = (
    *(rules.RateRow(year, "", percent) for year, percent in NATIONAL_RATES.items()),
    rules.RateRow(2025, "", Decimal("1.50")),
)


def facts(*history: rules.Period, **overrides: object) -> rules.CaseFacts:
    """A man born in 1990 with his hukou in Chengdu, moving his pension from Shenzhen to Chengdu on 2026-11-24."""
    values: dict[str, object] = {
        "insurance_type": rules.PENSION, "origin_city": "440300", "destination_city": "510100",
        "hukou_province": "51", "outcome": rules.FULL_TRANSFER, "gender": "male",
        "birth_date": dt.date(1990, 3, 7),
        "application_date": dt.date(2026, 11, 24),
        "as_of": dt.date(2026, 11, 24),
        "periods": tuple(history), "pooling_levels": {}, "rates": TEST_RATES, "origin_province_name": "广东省",
    }
    values.update(overrides)
    return rules.CaseFacts(**values)  # type: ignore[arg-type]
