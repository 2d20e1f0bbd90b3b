"""contributions_record: a batch of periods, all or nothing, errors keyed by row index."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cases.errors import BatchInvalid, NotPermitted
from cases.models import Actor, ContributionPeriod
from cases.services import contributions_record, parse_money, parse_month
from regions.models import RegionPolicy
from tests.factories import WorkerFactory, agency, open_case

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english", "reference_data")]
TODAY = dt.date(2026, 11, 24)


def row(**overrides) -> dict[str, object]:
    return {"insurance_type": "pension", "city_code": "440300", "start_month": "2020-01", "end_month": "2020-12",
            "monthly_base": "8000.00", **overrides}


def record(worker, *rows, actor=None, user=None):
    return contributions_record(actor=actor, worker=worker, records=list(rows), user=user, today=TODAY)


def refused(worker, *rows, actor=None) -> dict[int, dict[str, list[str]]]:
    with pytest.raises(BatchInvalid) as caught:
        record(worker, *rows, actor=actor)
    return caught.value.row_errors


def test_a_good_batch_is_stored():
    worker = WorkerFactory()
    created = record(
        worker,
        row(),
        row(start_month="2021-01", end_month="2021-06", monthly_base="9000", personal_account_credit="720.00"),
        row(start_month="2021-07", end_month="2021-09", paid=False),
        row(insurance_type="medical"),
    )
    assert len(created) == 4
    periods = list(ContributionPeriod.objects.filter(worker=worker).order_by("insurance_type", "start_month"))
    assert [(p.insurance_type, p.start_month, p.end_month, p.monthly_base, p.personal_account_credit, p.paid)
            for p in periods] == [
        ("medical", dt.date(2020, 1, 1), dt.date(2020, 12, 1), Decimal("8000.00"), None, True),
        ("pension", dt.date(2020, 1, 1), dt.date(2020, 12, 1), Decimal("8000.00"), None, True),
        ("pension", dt.date(2021, 1, 1), dt.date(2021, 6, 1), Decimal("9000.00"), Decimal("720.00"), True),
        ("pension", dt.date(2021, 7, 1), dt.date(2021, 9, 1), Decimal("8000.00"), None, False),
    ]
    assert periods[0].month_count == 12
    assert all(p.recorded_by is None for p in periods)


def test_one_bad_row_stores_nothing():
    worker = WorkerFactory()
    errors = refused(worker, row(), row(start_month="2021-01", end_month="2021-12", monthly_base="abc"), row(
        start_month="2022-01", end_month="2022-12"))
    assert list(errors) == [1]
    assert list(errors[1]) == ["monthly_base"]
    assert not ContributionPeriod.objects.filter(worker=worker).exists()


def test_errors_are_keyed_by_row_index_and_field():
    worker = WorkerFactory()
    errors = refused(
        worker,
        row(insurance_type="work_injury"),
        row(),
        row(city_code="999999", start_month="2020-13", end_month="Dec 2020", monthly_base=None, paid="yes"),
        "not an object",
    )
    assert sorted(errors) == [0, 2, 3]
    assert list(errors[0]) == ["insurance_type"]
    assert set(errors[2]) == {"city_code", "start_month", "end_month", "monthly_base", "paid"}
    assert "Unknown city code." in errors[2]["city_code"]
    assert "YYYY-MM" in errors[2]["start_month"][0]
    assert errors[2]["monthly_base"] == ["This field is required."]
    assert list(errors[3]) == ["non_field_errors"]


def test_an_empty_batch_is_refused():
    assert refused(WorkerFactory()) == {0: {"non_field_errors": ["Give at least one period."]}}


def test_the_last_month_not_before_the_first():
    errors = refused(WorkerFactory(), row(start_month="2020-06", end_month="2020-05"))
    assert errors == {0: {"end_month": ["The last month is before the first month."]}}


def test_a_future_month_is_refused_the_current_one_accepted():
    worker = WorkerFactory()
    assert refused(worker, row(start_month="2026-10", end_month="2026-12")) == {
        0: {"end_month": ["The last month lies in the future."]}
    }
    record(worker, row(start_month="2026-10", end_month="2026-11"))


def test_an_implausibly_early_month_is_refused():
    assert "start_month" in refused(WorkerFactory(), row(start_month="1949-12"))[0]


def test_an_overlap_with_a_recorded_period_of_the_same_type_and_city():
    worker = WorkerFactory()
    record(worker, row())
    errors = refused(worker, row(start_month="2020-12", end_month="2021-03"))
    assert errors == {0: {"start_month": ["This period overlaps one already recorded for this type and city."]}}
    # Another city, or another type, may cover the same months (duplicates are found later, per case).
    record(worker, row(city_code="510100"), row(insurance_type="medical"))
    assert ContributionPeriod.objects.filter(worker=worker).count() == 3


def test_an_overlap_within_the_batch():
    worker = WorkerFactory()
    errors = refused(worker, row(), row(start_month="2021-01", end_month="2021-03"), row(start_month="2020-12",
                                                                                        end_month="2020-12"))
    assert list(errors) == [2]
    assert not ContributionPeriod.objects.filter(worker=worker).exists()


def test_a_clerk_records_only_for_their_own_city(users):
    worker = WorkerFactory()
    clerk = Actor.for_user(users["origin_clerk"])
    errors = refused(worker, row(city_code="510100"), actor=clerk)
    assert errors == {0: {"city_code": ["A clerk records periods only for their own agency's city."]}}
    created = record(worker, row(), actor=clerk, user=users["origin_clerk"])
    assert created[0].recorded_by == users["origin_clerk"]


def test_a_user_without_an_agency_may_not_record(users, admin_user):
    with pytest.raises(NotPermitted):
        record(WorkerFactory(), row(), actor=Actor.for_user(admin_user))
    with pytest.raises(NotPermitted):
        record(WorkerFactory(), row(), actor=Actor.worker())


@pytest.mark.parametrize(
    ("value", "stored"),
    [("8000", Decimal("8000.00")), ("8000.5", Decimal("8000.50")), (" 8000.55 ", Decimal("8000.55")),
     (8000, Decimal("8000.00")), (Decimal("0.10"), Decimal("0.10")), ("0", Decimal("0.00")),
     ("8000.500", Decimal("8000.50"))],
)
def test_money_is_parsed_exactly(value, stored):
    worker = WorkerFactory()
    created = record(worker, row(monthly_base=value))
    created[0].refresh_from_db()
    assert created[0].monthly_base == stored
    assert isinstance(created[0].monthly_base, Decimal)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (8000.0, "string with two decimals"),  # a float never touches a figure
        (0.1, "string with two decimals"),
        (True, "string with two decimals"),
        ("8000.005", "at most two decimals"),
        ("1.001", "at most two decimals"),
        ("-1", "zero or more"),
        ("NaN", "zero or more"),
        ("Infinity", "zero or more"),
        ("1e13", "too large"),
        ("8,000", "such as 1234.50"),
        ("", "required"),
        ([], "such as 1234.50"),
    ],
)
def test_bad_money_is_refused(value, message):
    errors = refused(WorkerFactory(), row(monthly_base=value), row(start_month="2021-01", end_month="2021-01",
                                                                  personal_account_credit=value))
    assert message in errors[0]["monthly_base"][0]
    if value not in ("", None):
        assert message in errors[1]["personal_account_credit"][0]


def test_parse_helpers():
    assert parse_month("2024-06") == dt.date(2024, 6, 1)
    assert parse_month(dt.date(2024, 6, 17)) == dt.date(2024, 6, 1)
    assert parse_money("", required=False) is None
    assert parse_money(None, required=False) is None


def test_the_base_must_lie_within_the_provinces_floor_and_ceiling():
    RegionPolicy.objects.create(province_id="44", year=2023, base_floor=Decimal("4546.00"),
                                base_ceiling=Decimal("34947.00"))
    worker = WorkerFactory()
    errors = refused(worker, row(start_month="2023-01", end_month="2023-12", monthly_base="4000.00"),
                     row(start_month="2024-01", end_month="2024-12", monthly_base="4000.00"))
    assert errors == {0: {"monthly_base": ["2023: the base is below the floor of 4546.00."]}}
    record(worker, row(start_month="2023-01", end_month="2023-12", monthly_base="4546.00"))


def test_a_standing_rule_bounds_every_year_without_a_row_of_its_own():
    RegionPolicy.objects.filter(province_id="44", year__isnull=True).update(
        base_floor=Decimal("3000.00"), base_ceiling=Decimal("30000.00")
    )
    RegionPolicy.objects.create(province_id="44", year=2023, base_floor=Decimal("4546.00"))
    worker = WorkerFactory()
    errors = refused(worker, row(start_month="2022-01", end_month="2022-12", monthly_base="2999.00"),
                     row(start_month="2023-01", end_month="2023-12", monthly_base="4000.00"))
    assert errors == {
        0: {"monthly_base": ["2022: the base is below the floor of 3000.00."]},
        1: {"monthly_base": ["2023: the base is below the floor of 4546.00."]},
    }


def test_duplicates_are_synced_when_periods_arrive_after_the_case_opened(users):
    case = open_case(users)  # Shenzhen 2016-01..2024-06
    assert not case.duplicates.exists()
    record(case.worker, row(city_code="510100", start_month="2019-07", end_month="2019-12", monthly_base="5000"))
    assert [(d.first_city_id, d.second_city_id, d.start_month, d.end_month) for d in case.duplicates.all()] == [
        ("440300", "510100", dt.date(2019, 7, 1), dt.date(2019, 12, 1)),
    ]
    # A second batch does not repeat it.
    record(case.worker, row(city_code="510100", start_month="2018-01", end_month="2018-02", monthly_base="5000"))
    assert case.duplicates.count() == 2
    # Periods of another type leave a pension case alone.
    record(case.worker, row(insurance_type="medical", city_code="510100"))
    assert case.duplicates.count() == 2
    assert agency("440300").city_id == case.duplicates.first().first_city_id


# --- the overlap check, row by row (a sweep per type and city; the pairwise definition is the oracle) ----


def months(start: int, length: int) -> tuple[str, str]:
    first, last = start, start + length - 1
    return f"{2000 + first // 12}-{first % 12 + 1:02d}", f"{2000 + last // 12}-{last % 12 + 1:02d}"


def pairwise_refusals(stored: list[tuple], batch: list[tuple]) -> set[int]:
    """Which rows the rule refuses: a row overlapping a stored period or an earlier accepted row of its type and city."""
    taken = list(stored)
    refused_rows = set()
    for index, (kind, city, first, last) in enumerate(batch):
        if any(k == kind and c == city and f <= last and first <= e for k, c, f, e in taken):
            refused_rows.add(index)
        else:
            taken.append((kind, city, first, last))
    return refused_rows


SPAN = st.tuples(
    st.sampled_from(["pension", "medical"]), st.sampled_from(["440300", "510100"]),
    st.integers(0, 60), st.integers(1, 14),
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(stored=st.lists(SPAN, max_size=6), batch=st.lists(SPAN, min_size=1, max_size=12))
def test_the_overlap_check_refuses_exactly_the_overlapping_rows(stored, batch):
    worker = WorkerFactory()
    # Stored periods as an administrator may have left them: overlapping each other is possible.
    ContributionPeriod.objects.bulk_create([
        ContributionPeriod(worker=worker, insurance_type=kind, city_id=city, monthly_base=Decimal("8000"),
                           start_month=parse_month(months(first, length)[0]), end_month=parse_month(months(first, length)[1]))
        for kind, city, first, length in stored
    ])
    rows = [row(insurance_type=kind, city_code=city, start_month=months(first, length)[0],
                end_month=months(first, length)[1]) for kind, city, first, length in batch]
    as_spans = lambda spans: [(k, c, f, f + n - 1) for k, c, f, n in spans]  # noqa: E731
    expected = pairwise_refusals(as_spans(stored), as_spans(batch))
    if expected:
        errors = refused(worker, *rows)
        assert set(errors) == expected
        assert all(e == {"start_month": ["This period overlaps one already recorded for this type and city."]}
                   for e in errors.values())
    else:
        assert len(record(worker, *rows)) == len(rows)


def test_a_row_refused_for_an_overlap_does_not_block_the_rows_after_it():
    worker = WorkerFactory()
    # 0 takes 2020; 1 overlaps it and is refused; 2 overlaps only 1, so it stands (only the refusal of 1 matters).
    errors = refused(worker, row(), row(start_month="2020-06", end_month="2021-06"),
                     row(start_month="2021-01", end_month="2021-12"))
    assert list(errors) == [1]


def test_a_long_history_in_one_batch_is_checked_row_by_row():
    worker = WorkerFactory()
    cities = ["440300", "440100", "510100", "330100"]
    rows = [row(insurance_type=kind, city_code=city, start_month=months(m, 1)[0], end_month=months(m, 1)[0])
            for kind in ("pension", "medical", "unemployment") for city in cities for m in range(300)]
    assert len(record(worker, *rows)) == 3600
    again = refused(worker, row(city_code="510100", start_month="2010-05", end_month="2010-07"),
                    row(city_code="510100", start_month="2025-02", end_month="2025-03"))
    assert list(again) == [0]
