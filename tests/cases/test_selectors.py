"""Reads: what a clerk may see, the case report, and the policy lookups."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404

from cases.models import Actor, CaseStatus, TransferCase
from cases.selectors import (
    available_transitions,
    base_bounds,
    case_report,
    credit_rates,
    get_case_for_user,
    policy_for,
    pooling_levels,
)
from regions.models import CreditRate, RegionPolicy
from tests.factories import WorkerFactory, agency, open_case, periods

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english", "reference_data")]


def test_a_clerk_sees_the_cases_of_their_agency_at_either_end(users, admin_user):
    case = open_case(users)
    for name in ("origin_clerk", "origin_supervisor", "dest_clerk", "dest_supervisor"):
        assert list(TransferCase.objects.visible_to(users[name])) == [case]
        assert get_case_for_user(users[name], case.reference) == case
    for user in (users["outsider_clerk"], admin_user, AnonymousUser()):
        assert not TransferCase.objects.visible_to(user).exists()
        with pytest.raises(Http404):
            get_case_for_user(user, case.reference)
    with pytest.raises(Http404):
        get_case_for_user(users["origin_clerk"], "TR-2026-NOSUCH")


def test_awaiting_is_whose_move_it_is(users):
    submitted, info, receiving = (open_case(users, status=s) for s in ("submitted", "info_requested", "receiving"))
    origin, destination = agency("440300").pk, agency("510100").pk
    assert set(TransferCase.objects.awaiting(origin)) == {submitted}
    assert set(TransferCase.objects.awaiting(destination)) == {receiving}
    assert set(TransferCase.objects.open()) == {submitted, info, receiving}


def test_a_case_awaits_exactly_the_agency_the_queryset_says(users):
    cases = [open_case(users, status=status) for status in CaseStatus.values]
    for code in ("440300", "510100", "330100"):
        agency_id = agency(code).pk
        assert {case for case in cases if case.awaits(agency_id)} == set(TransferCase.objects.awaiting(agency_id))
    assert {case.status for case in cases if case.awaits(agency("440300").pk)} == {"submitted", "verifying"}
    assert not any(case.awaits(None) for case in cases)


def test_the_report_quotes_live_figures_and_names_the_blockers(users):
    worker = WorkerFactory()
    periods(worker, ("440300", "2016-01", "2024-06", "8000"), ("440300", "2024-07", "2024-08", "8000", None, False))
    case = open_case(users, worker=worker, status="verifying", with_periods=False)
    report = case_report(case, today=dt.date(2026, 11, 24))
    assert report.frozen is False
    assert report.figures.contribution_months == 102
    assert report.figures.pooled_fund_amount == Decimal("97920.00")  # 102 × 8000 × 12 %
    assert [(a.city_code, a.first_month, a.last_month) for a in report.arrears] == [("440300", 2024 * 12 + 6,
                                                                                       2024 * 12 + 7)]
    assert "2024-07–2024-08" in report.blockers["issue_agreement"]
    assert report.benefit_place.province_code == "51"
    supervisor = Actor.for_user(users["origin_supervisor"])
    assert "issue_agreement" in available_transitions(case, supervisor)
    assert "issue_agreement" not in available_transitions(case, supervisor, report)


def test_pooling_levels_a_year_row_overrides_the_standing_rule():
    RegionPolicy.objects.filter(province_id="44", year__isnull=True).update(medical_pooling="province")
    RegionPolicy.objects.create(province_id="44", year=2027, medical_pooling="city", unemployment_pooling="province")
    assert pooling_levels(2026)["44"] == {"medical": "province", "unemployment": "city"}
    assert pooling_levels(2027)["44"] == {"medical": "city", "unemployment": "province"}
    assert policy_for("44", 2027).year == 2027
    assert policy_for("44", 2026).year is None
    assert policy_for("99", 2026) is None


def test_base_bounds_per_province_and_year():
    RegionPolicy.objects.create(province_id="44", year=2023, base_floor=Decimal("4546.00"))
    RegionPolicy.objects.create(province_id="51", year=2023, base_ceiling=Decimal("20000.00"))
    bounds = base_bounds({"44"})
    assert list(bounds) == ["44"]
    assert (bounds["44"][2023].floor, bounds["44"][2023].ceiling) == (Decimal("4546.00"), None)


def test_credit_rates_are_decimals_and_a_provinces_own_row_wins_before_2016():
    rates = credit_rates("44")
    assert rates[2016] == Decimal("8.31")
    assert all(isinstance(v, Decimal) for v in rates.values())
    assert len(rates) == CreditRate.objects.filter(province__isnull=True).count()
    CreditRate.objects.create(year=2015, province_id="44", percent=Decimal("4.5000"))
    CreditRate.objects.create(year=2015, percent=Decimal("3.0000"))
    CreditRate.objects.create(year=2016, province_id="44", percent=Decimal("9.0000"))  # from 2016 national only
    assert credit_rates("44")[2015] == Decimal("4.5000")
    assert credit_rates("51")[2015] == Decimal("3.0000")
    assert credit_rates("44")[2016] == Decimal("8.31")
