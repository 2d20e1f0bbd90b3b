"""The 18-digit resident ID number (GB 11643-1999), docs/domain.md §1."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from cases.ids import PROVINCE_CODES, check_character, mask, mask_in_text, normalize, parse_id_number, validate_id_number

pytestmark = pytest.mark.usefixtures("english")
TODAY = dt.date(2026, 11, 24)


def error_of(value: str, today: dt.date = TODAY) -> ValidationError:
    with pytest.raises(ValidationError) as caught:
        parse_id_number(value, today=today)
    return caught.value


@pytest.mark.parametrize(
    ("number", "birth", "gender"),
    [
        ("11010519491231002X", dt.date(1949, 12, 31), "female"),  # 002: even sequence
        ("440524188001010014", dt.date(1880, 1, 1), "male"),  # 001: odd sequence
    ],
)
def test_the_published_examples_are_valid(number, birth, gender):
    facts = parse_id_number(number, today=TODAY)
    assert facts.id_number == number
    assert facts.birth_date == birth
    assert facts.gender == gender
    assert facts.county_code == number[:6]
    assert facts.province_code == number[:2]


def test_a_lower_case_x_is_accepted_and_stored_upper_case():
    assert parse_id_number("11010519491231002x", today=TODAY).id_number == "11010519491231002X"
    assert parse_id_number("  11010519491231002x ", today=TODAY).id_number == "11010519491231002X"


def test_the_check_character_is_iso_7064_mod_11_2():
    # 1·7+1·9+0·10+1·5+0·8+5·4+1·2+9·1+4·6+9·3+1·7+2·9+3·10+1·5+0·8+0·4+2·2 = 167; 167 % 11 = 2 → "X"
    assert check_character("11010519491231002") == "X"
    assert check_character("44052418800101001") == "4"


def test_a_wrong_check_character_says_what_it_should_be():
    error = error_of("320106199003071235")
    assert error.code == "checksum"
    assert "should be 4" in error.messages[0]
    assert parse_id_number("320106199003071234", today=TODAY).gender == "male"


@pytest.mark.parametrize(
    "number",
    ["", "1101051949123100", "1101051949123100221", "11010519491231002Y", "X10105194912310020", "11010519491231 02X",
     "11010519491231002X0", "1101051949123100_2X"],
)
def test_a_bad_shape_is_refused(number):
    assert error_of(number).code == "shape"


@pytest.mark.parametrize("first17", ["32010619900230123", "32010619901301123", "32010619900000123", "32010619010229123"])
def test_a_birth_date_that_does_not_exist_is_refused(first17):
    error = error_of(first17 + check_character(first17))
    assert error.code == "birth_date"
    assert first17[6:14] in error.messages[0]


def test_a_birth_date_in_the_future_is_refused():
    first17 = "32010620261125123"
    error = error_of(first17 + check_character(first17))
    assert error.code == "future"
    assert "2026-11-25" in error.messages[0]
    # Born today is fine.
    assert parse_id_number("32010620261124123" + check_character("32010620261124123"), today=TODAY)


@pytest.mark.parametrize("province", ["00", "10", "19", "29", "39", "47", "55", "66", "84", "99"])
def test_first_two_digits_must_be_a_province_code(province):
    first17 = province + "010619900307123"
    error = error_of(first17 + check_character(first17))
    assert error.code == "province"
    assert province in error.messages[0]


def test_validate_id_number_is_the_model_validator():
    validate_id_number("440524188001010014")
    with pytest.raises(ValidationError):
        validate_id_number("320106199003071235")


@pytest.mark.parametrize(("sequence", "gender"), [("001", "male"), ("002", "female"), ("129", "male"), ("990", "female")])
def test_gender_is_the_parity_of_the_seventeenth_digit(sequence, gender):
    first17 = "44030419900307" + sequence
    assert parse_id_number(first17 + check_character(first17), today=TODAY).gender == gender


def test_the_mask_keeps_four_characters_at_each_end():
    assert mask("440304199003071234") == "4403**********1234"
    assert mask("11010519491231002X") == "1101**********002X"
    assert mask("1234567") == "*******"


@st.composite
def valid_numbers(draw) -> tuple[str, dt.date, int]:
    province = draw(st.sampled_from(sorted(PROVINCE_CODES)))
    county = province + draw(st.from_regex(r"[0-9]{4}", fullmatch=True))
    birth = draw(st.dates(min_value=dt.date(1900, 1, 1), max_value=TODAY))
    sequence = draw(st.integers(min_value=0, max_value=999))
    first17 = f"{county}{birth:%Y%m%d}{sequence:03d}"
    return first17 + check_character(first17), birth, sequence


@given(valid_numbers(), st.booleans())
def test_every_valid_number_round_trips(generated, lower):
    number, birth, sequence = generated
    facts = parse_id_number(number.lower() if lower else number, today=TODAY)
    assert facts.id_number == number
    assert facts.birth_date == birth
    assert facts.gender == ("male" if sequence % 2 else "female")
    assert parse_id_number(facts.id_number, today=TODAY) == facts
    assert mask(number) == number[:4] + "*" * 10 + number[-4:]


@given(valid_numbers(), st.integers(min_value=0, max_value=16), st.integers(min_value=1, max_value=9))
def test_changing_one_digit_breaks_the_check(generated, position, delta):
    number = generated[0]
    changed = number[:position] + str((int(number[position]) + delta) % 10) + number[position + 1:]
    with pytest.raises(ValidationError):
        parse_id_number(changed, today=TODAY)


def test_full_width_digits_are_read_as_ascii_and_other_digits_refused():
    # Full-width digits once passed every check and were stored as such; now they are the ASCII digits they show.
    full_width = "44" + "052418800101001".translate(str.maketrans("0123456789", "０１２３４５６７８９")) + "4"
    assert parse_id_number(full_width, today=TODAY).id_number == "440524188001010014"
    assert parse_id_number("１１０１０５１９４９１２３１００２ｘ", today=TODAY).id_number == "11010519491231002X"
    assert error_of("44052418800101001\u0664").code == "shape"  # ARABIC-INDIC DIGIT FOUR


@pytest.mark.parametrize(
    "typed",
    [
        " 11010519491231002x ", "110105 19491231 002X", "110105-19491231-002X", "1101 0519 4912 3100 2X",
        "110105\u300019491231\u3000002X", "110105－19491231－002Ｘ", "110105–19491231—002X", "\t110105\n19491231002x",
    ],
)
def test_spaces_hyphens_and_a_lower_case_x_are_normalised(typed):
    assert normalize(typed) == "11010519491231002X"
    assert parse_id_number(typed, today=TODAY).id_number == "11010519491231002X"


def test_nothing_is_cut_off():
    # One digit too many is a wrong number, not the first eighteen digits of one.
    assert normalize("110105 19491231 002X 7") == "11010519491231002X7"
    assert error_of("110105 19491231 002X 7").code == "shape"


def first17_to_number(first17: str) -> str:
    return first17 + check_character(first17)


@pytest.mark.parametrize("prefix", ["810000", "820000", "830000"])
def test_hong_kong_macao_and_taiwan_residence_permits_are_accepted(prefix):
    number = first17_to_number(f"{prefix}19900307002")
    facts = parse_id_number(number, today=TODAY)
    assert facts.id_number == number
    assert facts.is_residence_permit
    assert facts.birth_date == dt.date(1990, 3, 7)
    assert facts.gender == "female"
    assert not parse_id_number("440524188001010014", today=TODAY).is_residence_permit


def test_a_residence_permit_number_checks_its_check_character():
    number = first17_to_number("83000019900307001")
    wrong = number[:17] + ("0" if number[17] != "0" else "1")
    assert error_of(wrong).code == "checksum"


@pytest.mark.parametrize("first6", ["810100", "820001", "831000", "840000", "800000"])
def test_a_region_code_of_81_to_83_must_be_the_whole_region(first6):
    error = error_of(first17_to_number(f"{first6}19900307001"))
    assert error.code == "province"


def test_a_full_number_in_text_is_masked():
    text = "/api/v1/workers/11010519491231002x/contributions and 440524188001010014, not 1234567890123456789"
    assert mask_in_text(text) == (
        "/api/v1/workers/1101**********002x/contributions and 4405**********0014, not 1234567890123456789"
    )


def test_the_future_is_judged_by_the_date_in_china(monkeypatch):
    # 20:00 UTC on 24 November is already 04:00 on 25 November in Asia/Shanghai: a baby born that day is not
    # "born in the future" on a server whose clock runs in UTC.
    from django.utils import timezone

    monkeypatch.setattr(timezone, "now", lambda: dt.datetime(2026, 11, 24, 20, 0, tzinfo=dt.UTC))
    first17 = "44030420261125002"
    assert parse_id_number(first17 + check_character(first17)).birth_date == dt.date(2026, 11, 25)
    first17 = "44030420261126002"
    with pytest.raises(ValidationError):
        parse_id_number(first17 + check_character(first17))


@pytest.mark.parametrize("typed", ["TR-2026-ABC123", "tr-2026-abc123", "  Tr-2026-Abc123 \t"])
def test_a_reference_typed_in_any_case_or_with_spaces_around_it_is_the_issued_one(typed):
    from cases.ids import normalize_reference

    assert normalize_reference(typed) == "TR-2026-ABC123"


def test_no_reference_is_an_empty_one():
    from cases.ids import normalize_reference

    assert normalize_reference(None) == ""
