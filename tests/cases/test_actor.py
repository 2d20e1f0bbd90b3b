"""Actor.for_user: who a signed-in user acts as."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser

from cases.models import Actor, Side
from regions.models import AgencyMembership
from tests.factories import agency, open_case

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("reference_data")]


def test_a_clerk_acts_for_their_agency(users):
    actor = Actor.for_user(users["origin_supervisor"])
    assert actor == Actor(user_id=users["origin_supervisor"].pk, agency_id=agency("440300").pk, role="supervisor",
                          label="origin_supervisor")
    assert actor.is_supervisor and not actor.is_worker
    assert not Actor.for_user(users["origin_clerk"]).is_supervisor


def test_a_user_without_a_membership_acts_for_no_agency(admin_user, users):
    actor = Actor.for_user(admin_user)
    assert (actor.user_id, actor.agency_id, actor.role, actor.label) == (admin_user.pk, None, None, "admin")
    assert not actor.is_supervisor
    case = open_case(users)
    assert actor.sides(case) == set()


def test_a_removed_membership_takes_the_agency_away(users):
    user = users["dest_clerk"]
    AgencyMembership.objects.filter(user=user).delete()
    user.refresh_from_db()
    assert Actor.for_user(user).agency_id is None


def test_anonymous_and_the_worker():
    assert Actor.for_user(AnonymousUser()) == Actor(user_id=None, agency_id=None, role=None)
    assert Actor.for_user(None) == Actor(user_id=None, agency_id=None, role=None)
    worker = Actor.worker()
    assert worker.is_worker and worker.agency_id is None and worker.label == "worker"


def test_sides(users):
    case = open_case(users)
    assert Actor.for_user(users["origin_clerk"]).sides(case) == {Side.ORIGIN}
    assert Actor.for_user(users["dest_supervisor"]).sides(case) == {Side.DESTINATION}
    assert Actor.for_user(users["outsider_clerk"]).sides(case) == set()
    assert Actor.worker().sides(case) == set()
