"""Shorthand for building rule periods in the rules tests."""

from __future__ import annotations

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
