"""The 18-digit resident ID number (GB 11643-1999), docs/domain.md §1."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARACTERS = "10X98765432"
# GB/T 2260 province codes of the mainland and Taiwan: the first two digits of a resident ID number.
PROVINCE_CODES = frozenset(
    ("11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37", "41", "42",
     "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64", "65", "71")
)
# Residence permits of Hong Kong, Macao and Taiwan residents (港澳台居民居住证, 2018) carry the region's whole
# code and nothing else in the first six digits; the rest of the number follows GB 11643, check character and all.
RESIDENCE_PERMIT_PREFIXES = frozenset(("810000", "820000", "830000"))
RESIDENCE_PERMIT_PROVINCES = frozenset(prefix[:2] for prefix in RESIDENCE_PERMIT_PREFIXES)
# ASCII digits only, after normalising: \d would also accept Arabic-Indic and other digits, which int() reads.
SHAPE = re.compile(r"^[0-9]{17}[0-9X]$")
# What people type between the groups of digits: spaces of every width and every kind of dash.
SEPARATORS = re.compile(r"[\s\-\u2010-\u2015\u2212\ufe58\ufe63]+")


@dataclass(frozen=True)
class IdentityFacts:
    id_number: str
    birth_date: dt.date
    gender: str  # "male" | "female"
    county_code: str

    @property
    def province_code(self) -> str:
        return self.county_code[:2]

    @property
    def is_residence_permit(self) -> bool:
        return self.county_code in RESIDENCE_PERMIT_PREFIXES


def check_character(first17: str) -> str:
    return CHECK_CHARACTERS[sum(int(d) * w for d, w in zip(first17, WEIGHTS, strict=True)) % 11]


def normalize(value: str) -> str:
    """The number as stored: full-width characters made ASCII (NFKC), separators dropped, X upper-case.

    Nothing is cut: a number with a digit too many stays too long and is refused as such.
    """
    return SEPARATORS.sub("", unicodedata.normalize("NFKC", value or "")).upper()


def parse_id_number(value: str, *, today: dt.date | None = None) -> IdentityFacts:
    """Validate and decode an ID number; raise ValidationError saying what is wrong."""
    number = normalize(value)
    if not SHAPE.match(number):
        raise ValidationError(
            _("An ID number has 18 characters: 17 digits and a final digit or X."), code="shape"
        )
    if number[:2] in RESIDENCE_PERMIT_PROVINCES:
        if number[:6] not in RESIDENCE_PERMIT_PREFIXES:
            raise ValidationError(
                _("A Hong Kong, Macao or Taiwan residence permit number starts with 810000, 820000 or 830000."),
                code="province",
            )
    elif number[:2] not in PROVINCE_CODES:
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


# A full ID number inside free text (a URL, a log line): 17 digits and a check character, not part of a longer
# run of digits. Used to keep full numbers out of logs.
ID_NUMBER_IN_TEXT = re.compile(r"(?<![0-9])([0-9]{6})[0-9]{8}([0-9]{3}[0-9Xx])(?![0-9A-Za-z])")


def mask_in_text(text: str) -> str:
    """Every ID-shaped run of characters in `text` masked as mask() does."""
    return ID_NUMBER_IN_TEXT.sub(lambda m: m.group(1)[:4] + "*" * 10 + m.group(2), text)


# Codes are written in Crockford's alphabet (cases/services/common.py), which has no I, L, O or U: a letter
# misread for a digit is read back as that digit, and the separators people add to group them are dropped.
CODE_CONFUSABLES = str.maketrans({"O": "0", "I": "1", "L": "1"})


def normalize_reference(value: str | None) -> str:
    """A case reference as issued: in capitals, so that one typed in lower case or with spaces around it names
    the same case (the status lookup, the case page, the API)."""
    return (value or "").strip().upper()


def normalize_code(value: str) -> str:
    """A verification or access code as issued: any case, O for 0, I or L for 1, spaces and hyphens ignored."""
    return SEPARATORS.sub("", unicodedata.normalize("NFKC", value or "")).upper().translate(CODE_CONFUSABLES)
