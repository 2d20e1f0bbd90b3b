"""Resolving a duplicate while another agency records periods: one lock order, so no deadlock, no lost decision."""

from __future__ import annotations

import pytest

from cases.models import Actor, CaseDuplicate
from cases.services import contributions_record, duplicates_resolve
from tests.concurrency import race
from tests.factories import WorkerFactory, open_case, periods

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("recorded_type", ["pension", "medical"])
def test_resolving_a_duplicate_races_recording_periods_without_deadlock(users, recorded_type):
    for _round in range(4):
        worker = WorkerFactory()
        periods(worker, ("440300", "2016-01", "2024-06", "8000"), ("510100", "2020-01", "2020-12", "6000"))
        case = open_case(users, worker=worker, with_periods=False, status="receiving")
        assert case.duplicates.filter(kept_city__isnull=True).exists()

        def resolve(case=case):
            return duplicates_resolve(case=case, actor=Actor.for_user(users["dest_clerk"]), keep_city_code="440300",
                                      user=users["dest_clerk"])

        def record(worker=worker):
            return contributions_record(
                actor=Actor.for_user(users["outsider_clerk"]), worker=worker, user=users["outsider_clerk"],
                records=[{"insurance_type": recorded_type, "city_code": "330100", "start_month": "2012-01",
                          "end_month": "2012-06", "monthly_base": "4000"}],
            )

        results = race(resolve, record)
        assert not [r for r in results if isinstance(r, Exception)], results
        # The decision stands whichever came first: recomputing duplicates keeps resolved ones.
        duplicate = CaseDuplicate.objects.get(case=case, first_city_id__in=["440300", "510100"])
        assert duplicate.kept_city_id == "440300"
        assert duplicate.refund_amount is not None
