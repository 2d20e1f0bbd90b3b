"""Assigning a case within the agency whose turn it is (cases/services/assignment.py)."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from cases import selectors, services
from cases.errors import NotPermitted, RuleBlocked, StateConflict
from cases.models import Actor, CaseEvent, TransferCase
from regions.models import AgencyMembership
from regions.services import clerk_create
from tests.conftest import PASSWORD
from tests.factories import advance, agency, open_case

WORKLIST = "/"


def assign(case, users, who: str, to: str | None) -> TransferCase:
    return services.case_assign(
        case=case, actor=Actor.for_user(users[who]), assignee_id=users[to].pk if to else None
    )


def post(client, case, assignee) -> object:
    return client.post(f"/cases/{case.reference}/assign/", {"assignee": "" if assignee is None else assignee.pk})


def test_a_clerk_takes_a_case_of_their_agency_s_turn_and_finds_it_under_mine(client, users):
    case = open_case(users)
    client.force_login(users["origin_clerk"])
    page = client.get(case.get_absolute_url())
    assert page.context["assignment"].may_take and page.context["assignment"].form is None
    response = post(client, case, users["origin_clerk"])
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.assignee == users["origin_clerk"]
    event = case.events.order_by("-id").first()
    assert (event.transition, event.from_status, event.to_status, event.actor) == (
        "assign", "submitted", "submitted", users["origin_clerk"]
    )
    mine = client.get(WORKLIST, {"tab": "mine"})
    assert [row.case for row in mine.context["rows"]] == [case]
    # The filter narrows any tab the same way.
    other = open_case(users)
    assert [row.case for row in client.get(WORKLIST, {"tab": "outgoing", "mine": "on"}).context["rows"]] == [case]
    assert {row.case for row in client.get(WORKLIST, {"tab": "outgoing"}).context["rows"]} == {case, other}
    client.force_login(users["origin_supervisor"])
    assert client.get(WORKLIST, {"tab": "mine"}).context["rows"] == []


def test_the_other_agency_may_not_assign_it(client, users):
    case = open_case(users)  # the origin's turn
    with pytest.raises(NotPermitted):
        assign(case, users, "dest_clerk", "dest_clerk")
    with pytest.raises(NotPermitted):
        assign(case, users, "dest_supervisor", "dest_clerk")
    client.force_login(users["dest_clerk"])
    assert not client.get(case.get_absolute_url()).context["assignment"].may_take
    assert post(client, case, users["dest_clerk"]).status_code == 403
    client.force_login(users["outsider_clerk"])
    assert post(client, case, users["outsider_clerk"]).status_code == 404
    assert TransferCase.objects.get(pk=case.pk).assignee is None


def test_a_clerk_assigns_only_themself_and_releases_only_their_own(client, users):
    case = open_case(users)
    client.force_login(users["origin_clerk"])
    assert post(client, case, users["origin_supervisor"]).status_code == 403
    assign(case, users, "origin_supervisor", "origin_supervisor")
    # Taken by a colleague: neither taken over nor released by a clerk.
    assert post(client, case, users["origin_clerk"]).status_code == 403
    assert post(client, case, None).status_code == 403
    assert TransferCase.objects.get(pk=case.pk).assignee == users["origin_supervisor"]
    assign(case, users, "origin_supervisor", "origin_clerk")
    assert post(client, case, None).status_code == 302
    case.refresh_from_db()
    assert case.assignee is None
    assert case.events.order_by("-id").first().transition == "unassign"


def test_a_supervisor_reassigns_to_any_clerk_of_the_agency(client, users, english):
    case = open_case(users)
    colleague = clerk_create(username="second_clerk", agency=agency("440300"), role=AgencyMembership.Role.CLERK,
                             password=PASSWORD, email="second@example.org")
    colleague.first_name, colleague.last_name = "Mei", "Li"
    colleague.save()
    client.force_login(users["origin_supervisor"])
    form = client.get(case.get_absolute_url()).context["assignment"].form
    assert form is not None and "Mei Li" in str(form["assignee"])
    assert post(client, case, colleague).status_code == 302
    assert TransferCase.objects.get(pk=case.pk).assignee == colleague
    page = client.get(case.get_absolute_url()).content.decode()
    assert page.count("Mei Li") >= 3  # the header, the assignment card, the timeline's event note
    # Not someone of another agency, nor an inactive account.
    response = post(client, case, users["dest_clerk"])
    assert response.status_code == 302
    assert TransferCase.objects.get(pk=case.pk).assignee == colleague
    with pytest.raises(RuleBlocked):
        assign(case, users, "origin_supervisor", "dest_clerk")
    get_user_model().objects.filter(pk=users["origin_clerk"].pk).update(is_active=False)
    with pytest.raises(RuleBlocked):
        assign(case, users, "origin_supervisor", "origin_clerk")


def test_assigning_the_same_clerk_again_writes_nothing(users):
    case = open_case(users)
    assign(case, users, "origin_clerk", "origin_clerk")
    events = CaseEvent.objects.filter(case=case).count()
    assign(case, users, "origin_clerk", "origin_clerk")
    assert CaseEvent.objects.filter(case=case).count() == events


def test_the_assignee_stays_while_the_agency_holds_the_case_and_goes_with_the_turn(users):
    case = open_case(users)
    assign(case, users, "origin_clerk", "origin_clerk")
    case = advance(case, users, "start_verification", "request_info")
    assert case.assignee == users["origin_clerk"]  # waiting on the worker for the origin's request
    case = advance(case, users, "provide_info")
    assert TransferCase.objects.get(pk=case.pk).assignee == users["origin_clerk"]
    case = advance(case, users, "issue_agreement")
    assert TransferCase.objects.get(pk=case.pk).assignee is None  # the destination's turn now
    assign(case, users, "dest_clerk", "dest_clerk")
    case = advance(case, users, "register_agreement", "remit", "receive", "complete")
    assert TransferCase.objects.get(pk=case.pk).assignee is None  # closed
    with pytest.raises(StateConflict):
        assign(case, users, "dest_supervisor", "dest_clerk")


def test_the_worker_never_sees_an_assignment(client, users):
    case = open_case(users)
    assign(case, users, "origin_clerk", "origin_clerk")
    case = TransferCase.objects.select_related("worker", "origin_agency", "destination_agency").get(pk=case.pk)
    progress = selectors.worker_progress(case)
    assert len(progress.steps) == 1  # the application only
    assert all(event.transition != "assign" for event in selectors.case_timeline(case))


def test_the_api_case_body_names_the_assignee_by_user_name(users):
    from rest_framework.test import APIClient

    case = open_case(users)
    api = APIClient()
    api.force_authenticate(users["origin_clerk"])
    assert api.get(f"/api/v1/cases/{case.reference}").json()["assignee"] is None
    assign(case, users, "origin_clerk", "origin_clerk")
    assert api.get(f"/api/v1/cases/{case.reference}").json()["assignee"] == "origin_clerk"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_clerks_taking_the_case_at_once_one_gets_it(users):
    from tests.concurrency import race

    second = clerk_create(username="second_clerk", agency=agency("440300"), role=AgencyMembership.Role.CLERK,
                          password=PASSWORD)
    case = open_case(users)
    results = race(
        lambda: assign(case, users, "origin_clerk", "origin_clerk"),
        lambda: services.case_assign(case=case, actor=Actor.for_user(second), assignee_id=second.pk),
    )
    won = [r for r in results if isinstance(r, TransferCase)]
    lost = [r for r in results if not isinstance(r, TransferCase)]
    assert len(won) == 1 and len(lost) == 1 and isinstance(lost[0], NotPermitted), results
    assert TransferCase.objects.get(pk=case.pk).assignee == won[0].assignee
    assert CaseEvent.objects.filter(case=case, transition="assign").count() == 1
