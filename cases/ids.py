"""The 18-digit resident ID number (GB 11643-1999), docs/domain.md §1."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARACTERS = "10X98765432"
# GB/T 2260 province codes of the mainland, Taiwan, Hong Kong and Macau: all may issue ID numbers.
PROVINCE_CODES = frozenset(
    ("11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37", "41", "42",
     "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64", "65", "71", "81", "82")
)
# ASCII digits only: \d would also accept full-width and other Unicode digits, which int() happily reads.
SHAPE = re.compile(r"^[0-9]{17}[0-9X]$")


@dataclass(frozen=True)
class IdentityFacts:
    id_number: str
    birth_date: dt.date
    gender: str  # "male" | "female"
    county_code: str

    @property
    def province_code(self) -> str:
        return self.county_code[:2]


def check_character(first17: str) -> str:
    return CHECK_CHARACTERS[sum(int(d) * w for d, w in zip(first17, WEIGHTS, strict=True)) % 11]


def normalize(value: str) -> str:
    return (value or "").strip().upper()


def parse_id_number(value: str, *, today: dt.date | None = None) -> IdentityFacts:
    """Validate and decode an ID number; raise ValidationError saying what is wrong."""
    number = normalize(value)
    if not SHAPE.match(number):
        raise ValidationError(
            _("An ID number has 18 characters: 17 digits and a final digit or X."), code="shape"
        )
    if number[:2] not in PROVINCE_CODES:
        raise ValidationError(
            _("The first two digits %(code)s are not a province code.") % {"code": number[:2]}, code="province"
        )
    try:
        birth_date = dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise ValidationError(
            _("Digits 7–14 (%(digits)s) are not a real birth date.") % {"digits": number[6:14]}, code="birth_date"
        ) from None
    # Today in China (TIME_ZONE), not on the server's clock: a UTC server is eight hours behind.
    if birth_date > (today or timezone.localdate()):
        raise ValidationError(_("The birth date %(date)s lies in the future.") % {"date": birth_date}, code="future")
    expected = check_character(number[:17])
    if number[17] != expected:
        raise ValidationError(
            _("The check character is wrong: it should be %(expected)s.") % {"expected": expected}, code="checksum"
        )
    gender = "male" if int(number[16]) % 2 else "female"
    return IdentityFacts(id_number=number, birth_date=birth_date, gender=gender, county_code=number[:6])


def validate_id_number(value: str) -> None:
    parse_id_number(value)


def mask(id_number: str) -> str:
    """4403**********1234: enough for the worker to recognise, too little to identify."""
    if len(id_number) < 8:
        return "*" * len(id_number)
    return id_number[:4] + "*" * (len(id_number) - 8) + id_number[-4:]
