"""case_transition: every transition's sources, sides and roles, reasons, and the event it writes."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser

from cases.errors import NotPermitted, RuleBlocked, StateConflict
from cases.models import TRANSITION_RULES, Actor, CaseEvent, CaseStatus, TransferCase
from cases.selectors import available_transitions
from cases.services import case_transition
from tests.factories import STEP_ACTOR, open_case

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english", "reference_data")]

S = CaseStatus
# docs/domain.md §3: name → (sources, target)
TRANSITIONS = {
    "accept_application": ({S.APPLIED}, S.SUBMITTED),
    "decline_application": ({S.APPLIED}, S.REJECTED),
    "start_verification": ({S.SUBMITTED}, S.VERIFYING),
    "request_info": ({S.VERIFYING}, S.INFO_REQUESTED),
    "provide_info": ({S.INFO_REQUESTED}, S.VERIFYING),
    "reject": ({S.SUBMITTED, S.VERIFYING}, S.REJECTED),
    "issue_agreement": ({S.VERIFYING}, S.AGREEMENT_ISSUED),
    "register_agreement": ({S.AGREEMENT_ISSUED}, S.RECEIVING),
    "return_to_origin": ({S.RECEIVING}, S.VERIFYING),
    "complete": ({S.RECEIVING}, S.COMPLETED),
    "withdraw": ({S.APPLIED, S.SUBMITTED, S.VERIFYING, S.INFO_REQUESTED}, S.WITHDRAWN),
}
ORIGIN = {"origin_clerk", "origin_supervisor"}
DESTINATION = {"dest_clerk", "dest_supervisor"}
ALLOWED = {
    # The agency an online application was lodged at: the destination (open_case's "applied").
    "accept_application": DESTINATION,
    "decline_application": DESTINATION,
    "start_verification": ORIGIN,
    "request_info": ORIGIN,
    "provide_info": ORIGIN | DESTINATION | {"worker"},
    "reject": {"origin_supervisor"},
    "issue_agreement": {"origin_supervisor"},
    "register_agreement": DESTINATION,
    "return_to_origin": DESTINATION,
    "complete": {"dest_supervisor"},
    "withdraw": ORIGIN | DESTINATION | {"worker"},
}
ACTORS = [
    "origin_clerk", "origin_supervisor", "dest_clerk", "dest_supervisor", "outsider_clerk", "outsider_supervisor",
    "worker", "no_membership", "anonymous",
]


def actor_for(name: str, users: dict, admin_user) -> Actor:
    if name == "worker":
        return Actor.worker()
    if name == "no_membership":
        return Actor.for_user(admin_user)
    if name == "anonymous":
        return Actor.for_user(AnonymousUser())
    return Actor.for_user(users[name])


def test_the_table_matches_the_model():
    assert set(TRANSITIONS) == set(TRANSITION_RULES)
    for name, (sources, target) in TRANSITIONS.items():
        transitions = {t.source: t.target for t in TransferCase._meta.get_field("status").get_all_transitions(TransferCase)
                       if t.name == name}
        assert set(transitions) == sources, name
        assert set(transitions.values()) == {target}, name


@pytest.mark.parametrize("name", TRANSITIONS)
@pytest.mark.parametrize("state", S.values)
def test_sources(users, name, state):
    case = open_case(users, status=state)
    events = case.events.count()
    sources, target = TRANSITIONS[name]
    # In `applied` only the lodging agency (the destination) or the worker may withdraw.
    who = "dest_clerk" if (state, name) == (S.APPLIED, "withdraw") else STEP_ACTOR[name]
    actor = Actor.for_user(users[who])
    lodging_only = TRANSITION_RULES[name].lodging_only or state == S.APPLIED
    if state in sources:
        result = case_transition(case=case, actor=actor, name=name, note="reason", identity_checked=True)
        assert result.status == target
        case.refresh_from_db()
        assert case.status == target
        assert case.events.count() == events + 1
    elif lodging_only and actor.agency_id != case.lodged_at_id:
        # An application not accepted is the lodging agency's alone: the other end may run nothing (403), and
        # only the agency a case was lodged at accepts or declines an online application.
        with pytest.raises(NotPermitted):
            case_transition(case=case, actor=actor, name=name, note="reason")
        case.refresh_from_db()
        assert case.status == state
    else:
        with pytest.raises(StateConflict) as caught:
            case_transition(case=case, actor=actor, name=name, note="reason", identity_checked=True)
        assert caught.value.code == "wrong_state"
        assert str(S(state).label) in caught.value.message
        case.refresh_from_db()
        assert case.status == state
        assert case.events.count() == events


@pytest.mark.parametrize("who", ACTORS)
def test_in_applied_only_the_lodging_agency_or_the_worker_may_withdraw(users, admin_user, who):
    case = open_case(users, status=S.APPLIED)
    actor = actor_for(who, users, admin_user)
    if who in DESTINATION | {"worker"}:
        assert case_transition(case=case, actor=actor, name="withdraw").status == S.WITHDRAWN
    else:
        with pytest.raises(NotPermitted):
            case_transition(case=case, actor=actor, name="withdraw")


def source_state(name: str) -> str:
    """A state the transition starts from; not `applied` where there is another (its sides are its own test)."""
    sources = TRANSITIONS[name][0]
    return sorted(sources - {S.APPLIED} or sources)[0]


@pytest.mark.parametrize("name", TRANSITIONS)
@pytest.mark.parametrize("who", ACTORS)
def test_sides_and_roles(users, admin_user, name, who):
    case = open_case(users, status=source_state(name))
    events = case.events.count()
    actor = actor_for(who, users, admin_user)
    if who in ALLOWED[name]:
        assert case_transition(
            case=case, actor=actor, name=name, note="reason", identity_checked=True
        ).status == TRANSITIONS[name][1]
    else:
        with pytest.raises(NotPermitted) as caught:
            case_transition(case=case, actor=actor, name=name, note="reason")
        assert caught.value.code == "forbidden"
        case.refresh_from_db()
        assert case.status == source_state(name)
        assert case.events.count() == events


@pytest.mark.parametrize("name", TRANSITIONS)
def test_a_wrong_side_on_a_wrong_state_is_not_permitted_rather_than_a_conflict(users, admin_user, name):
    wrong_state = next(s for s in (S.COMPLETED, S.REJECTED, S.RECEIVING, S.SUBMITTED) if s not in TRANSITIONS[name][0])
    case = open_case(users, status=wrong_state)
    for who in ACTORS:
        actor = actor_for(who, users, admin_user)
        # A counter case's lodging agency is the origin (open_case): that side may accept, in the right state.
        lodging = TRANSITION_RULES[name].lodging_only and actor.agency_id == case.lodged_at_id
        if who in ALLOWED[name] or lodging:
            continue
        with pytest.raises(NotPermitted):
            case_transition(case=case, actor=actor, name=name, note="reason")


@pytest.mark.parametrize("name", TRANSITIONS)
def test_available_transitions_are_what_the_service_allows(users, admin_user, name):
    case = open_case(users, status=source_state(name))
    for who in ACTORS:
        offered = available_transitions(case, actor_for(who, users, admin_user))
        assert (name in offered) == (who in ALLOWED[name]), who


@pytest.mark.parametrize("name", ["request_info", "reject", "return_to_origin", "decline_application"])
@pytest.mark.parametrize("note", ["", "   \n "])
def test_a_reason_is_required(users, name, note):
    case = open_case(users, status=source_state(name))
    events = case.events.count()
    with pytest.raises(RuleBlocked) as caught:
        case_transition(case=case, actor=Actor.for_user(users[STEP_ACTOR[name]]), name=name, note=note)
    assert caught.value.code == "reason_required"
    assert "Give a reason" in caught.value.message
    case.refresh_from_db()
    assert (case.status, case.events.count()) == (source_state(name), events)


@pytest.mark.parametrize("name", [n for n in TRANSITIONS if n not in (
    "request_info", "reject", "return_to_origin", "decline_application",
)])
def test_other_transitions_need_no_reason(users, name):
    case = open_case(users, status=source_state(name))
    actor = Actor.for_user(users[STEP_ACTOR[name]])
    assert case_transition(case=case, actor=actor, name=name, identity_checked=True).status == TRANSITIONS[name][1]


@pytest.mark.parametrize("name", TRANSITIONS)
def test_the_event_row(users, name):
    case = open_case(users, status=source_state(name))
    user = users[STEP_ACTOR[name]]
    case_transition(case=case, actor=Actor.for_user(user), name=name, note="  材料已补齐  ", identity_checked=True)
    event = case.events.order_by("-id").first()
    assert (event.transition, event.from_status, event.to_status) == (name, source_state(name), TRANSITIONS[name][1])
    assert (event.actor, event.actor_label, event.agency) == (user, user.username, user.membership.agency)
    # Accepting an application also says what became of the register (here: the worker registered).
    assert event.note.split("\n")[0] == "材料已补齐"
    assert event.at is not None


def test_the_workers_event_has_no_user_and_no_agency(users):
    case = open_case(users, status="info_requested")
    case_transition(case=case, actor=Actor.worker(), name="provide_info", note="uploaded")
    event = case.events.order_by("-id").first()
    assert (event.actor, event.actor_label, event.agency, event.transition) == (None, "worker", None, "provide_info")


@pytest.mark.parametrize("name", [n for n in TRANSITIONS if n not in ("provide_info", "withdraw")])
def test_the_worker_may_only_provide_information_and_withdraw(users, name):
    case = open_case(users, status=source_state(name))
    with pytest.raises(NotPermitted):
        case_transition(case=case, actor=Actor.worker(), name=name, note="reason")


def test_the_worker_withdraws(users):
    for state in (S.SUBMITTED, S.VERIFYING, S.INFO_REQUESTED):
        case = open_case(users, status=state)
        case = case_transition(case=case, actor=Actor.worker(), name="withdraw")
        assert (case.status, case.due_date, case.paused_days_left) == (S.WITHDRAWN, None, None)


def test_an_unknown_transition_is_a_conflict(users):
    case = open_case(users)
    with pytest.raises(StateConflict) as caught:
        case_transition(case=case, actor=Actor.for_user(users["origin_clerk"]), name="delete")
    assert caught.value.code == "unknown_transition"


def test_a_stale_case_object_is_judged_on_the_stored_state(users):
    # The service locks and re-reads the row: a copy loaded before someone else's change does not fool it.
    case = open_case(users)
    stale = TransferCase.objects.get(pk=case.pk)
    case_transition(case=case, actor=Actor.for_user(users["origin_clerk"]), name="start_verification")
    with pytest.raises(StateConflict):
        case_transition(case=stale, actor=Actor.for_user(users["origin_clerk"]), name="start_verification")
    assert CaseEvent.objects.filter(case=case, transition="start_verification").count() == 1


def test_terminal_transitions_clear_the_clock(users):
    for name in ("reject", "complete", "withdraw"):
        case = open_case(users, status=source_state(name))
        case = case_transition(case=case, actor=Actor.for_user(users[STEP_ACTOR[name]]), name=name, note="reason")
        assert case.due_date is None
        assert not case.is_open and not case.is_overdue()
