"""Requests racing on one case over real connections: exactly one wins, the others get 409."""

from __future__ import annotations

import pytest

from cases.models import CaseEvent
from tests import concurrency
from tests.api.conftest import Api, token_for
from tests.factories import open_case

RACERS = 4


def race(calls: list[tuple[Api, str, dict]]) -> list[int]:
    results = concurrency.race(*(lambda c=client, p=path, b=body: c.post(p, b).status_code
                                 for client, path, body in calls))
    return sorted(results)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_same_transition_racing_with_itself(users):
    case = open_case(users)
    clients = [Api(token_for("origin_clerk")) for _ in range(RACERS)]
    path = f"/cases/{case.reference}/transitions/start_verification"
    assert race([(client, path, {}) for client in clients]) == [200] + [409] * (RACERS - 1)
    assert CaseEvent.objects.filter(case=case, transition="start_verification").count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_different_endings_racing(users):
    case = open_case(users)
    supervisor, clerk = Api(token_for("origin_supervisor")), Api(token_for("dest_clerk"))
    statuses = race([
        (supervisor, f"/cases/{case.reference}/transitions/reject", {"note": "材料不全"}),
        (clerk, f"/cases/{case.reference}/transitions/withdraw", {"note": "本人撤回"}),
    ])
    assert statuses == [200, 409]
    case.refresh_from_db()
    assert case.status in ("rejected", "withdrawn")
    assert CaseEvent.objects.filter(case=case).exclude(transition="open").count() == 1
