"""Duplicate contributions: found per case, resolved by the destination, and complete waits for them."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from cases import rules
from cases.errors import NotPermitted, RuleBlocked, StateConflict
from cases.models import Actor, CaseStatus
from cases.selectors import case_facts
from cases.services import case_open, case_transition, duplicates_resolve
from regions.models import CreditRate, RegionPolicy
from tests.factories import WorkerFactory, advance, agency, periods

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english", "reference_data")]
RESOLVED_ON = dt.date(2026, 11, 24)


def case_with_duplicate(users, status="receiving"):
    worker = WorkerFactory()
    # Shenzhen 2016-01..2024-06 at 8000 and Chengdu 2019-07..2019-12 at 5000: six months paid twice.
    periods(worker, ("440300", "2016-01", "2024-06", "8000"), ("510100", "2019-07", "2019-12", "5000"))
    case = case_open(actor=Actor.for_user(users["dest_clerk"]), worker=worker, insurance_type="pension",
                     origin_agency=agency("440300"), destination_agency=agency("510100"))
    return advance(case, users, *{"receiving": ["start_verification", "issue_agreement", "register_agreement",
                                                "remit", "receive"],
                                  "submitted": []}[status])


def resolve(case, users, keep, who="dest_clerk"):
    actor = Actor.worker() if who == "worker" else Actor.for_user(users[who])
    # Resolved on a fixed day: the refund's interest runs to the year of resolution.
    return duplicates_resolve(case=case, actor=actor, keep_city_code=keep, user=None if who == "worker" else users[who],
                              today=RESOLVED_ON)


def complete(case, users):
    return case_transition(case=case, actor=Actor.for_user(users["dest_supervisor"]), name="complete")


def test_complete_waits_for_every_duplicate(users):
    case = case_with_duplicate(users)
    duplicate = case.duplicates.get()
    assert (duplicate.first_city_id, duplicate.second_city_id) == ("440300", "510100")
    assert (duplicate.start_month, duplicate.end_month) == (dt.date(2019, 7, 1), dt.date(2019, 12, 1))
    assert not duplicate.resolved
    with pytest.raises(RuleBlocked) as caught:
        complete(case, users)
    assert caught.value.code == "complete"
    assert "duplicate" in caught.value.message
    case.refresh_from_db()
    assert case.status == CaseStatus.RECEIVING

    resolve(case, users, "510100")
    duplicate.refresh_from_db()
    assert duplicate.resolved and duplicate.kept_city_id == "510100" and duplicate.released_city_id == "440300"
    # Shenzhen's credits for 2019-07..12: 6 × 640 = 3840, credited interest 2019–2025 (resolved in 2026):
    # 3840 × (1 + 0.0761 × 0.5415) = 3998.239296; × 1.0604 × 1.0669 × 1.0612 × 1.0397 × 1.0262 × 1.0150
    # = 5198.35046069… → 5198.35
    assert duplicate.refund_amount == Decimal("5198.35")
    assert duplicate.resolved_by == users["dest_clerk"] and duplicate.resolved_at is not None
    event = case.events.get(transition="resolve_duplicate")
    assert (event.from_status, event.to_status, event.agency) == ("receiving", "receiving", agency("510100"))
    assert "5198.35" in event.note and "2019-07–2019-12" in event.note

    case = complete(case, users)
    assert case.status == CaseStatus.COMPLETED
    assert case.confirmation_number == f"JS-510100-{timezone.localdate().year}-00001"


def test_keeping_the_origin_refunds_the_destination_credits(users):
    case = case_with_duplicate(users)
    resolve(case, users, "440300")
    # Chengdu's 6 × 400 = 2400 with the same interest → 3248.96903793… → 3248.97
    assert case.duplicates.get().refund_amount == Decimal("3248.97")


def test_only_the_destination_resolves(users):
    case = case_with_duplicate(users)
    for who in ("origin_clerk", "origin_supervisor", "outsider_clerk", "worker"):
        with pytest.raises(NotPermitted):
            resolve(case, users, "510100", who=who)
    resolve(case, users, "510100", who="dest_supervisor")


def test_an_unknown_city_or_nothing_left_to_resolve(users):
    case = case_with_duplicate(users)
    with pytest.raises(RuleBlocked) as caught:
        resolve(case, users, "330100")
    assert "330100" in caught.value.message
    resolve(case, users, "510100")
    with pytest.raises(RuleBlocked):
        resolve(case, users, "510100")


def test_a_closed_case_is_not_resolved(users):
    case = case_with_duplicate(users, status="submitted")
    advance(case, users, "withdraw")
    with pytest.raises(StateConflict):
        resolve(case, users, "510100")


def test_resolved_duplicates_stand_when_more_periods_arrive(users):
    case = case_with_duplicate(users)
    resolve(case, users, "510100")
    # Another Chengdu period overlapping Shenzhen: a new, unresolved duplicate; the old decision stands.
    periods(case.worker, ("510100", "2020-03", "2020-04", "5000"))
    assert [(d.start_month, d.resolved) for d in case.duplicates.order_by("start_month")] == [
        (dt.date(2019, 7, 1), True), (dt.date(2020, 3, 1), False),
    ]
    with pytest.raises(RuleBlocked):
        complete(case, users)
    resolve(case, users, "510100")
    assert complete(case, users).status == CaseStatus.COMPLETED


def test_a_missing_rate_blocks_the_refund_naming_the_year(users):
    case = case_with_duplicate(users)
    CreditRate.objects.filter(year=2020).delete()
    with pytest.raises(RuleBlocked) as caught:
        resolve(case, users, "510100")
    assert "2020" in caught.value.message
    assert not case.duplicates.get().resolved


def test_the_minimum_months_at_the_destination_are_reported_and_never_block_complete(users):
    # docs/domain.md §6: a condition for benefits that the case reports; it never blocks accepting a transfer.
    case = case_with_duplicate(users)
    resolve(case, users, "510100")
    RegionPolicy.objects.filter(province_id="51", year__isnull=True).update(min_months_before_transfer_in=12)
    live = rules.assess(case_facts(case))
    assert live.minimum_months == rules.MinimumMonths(required=12, recorded=6)
    assert any("requires 12 months" in m and "6 recorded" in m for m in live.messages)
    assert complete(case, users).status == CaseStatus.COMPLETED
