"""Who in the agency handles a case (docs/domain.md "The clerks' day").

A case is assigned within the agency whose turn it is (cases/models.py TransferCase.turn_agency_id): a clerk takes
it for themself, a supervisor gives it to any active clerk of the agency, and either the assignee or a supervisor
hands it back. A step that passes the turn to the other agency, or closes the case, clears the assignee
(case_transition): the other agency's clerks are not the assignee's colleagues. Each change is an event on the
clerks' timeline; the worker's timeline leaves it out (cases/selectors/portal.py).
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils.translation import gettext as _

from cases.errors import NotPermitted, RuleBlocked, StateConflict
from cases.models import Actor, TransferCase
from cases.people import person_name
from cases.services.common import record_event
from regions.models import AgencyMembership


def assignment_refusal(case: TransferCase, actor: Actor, assignee_id: int | None) -> NotPermitted | StateConflict | None:
    """Why `actor` may not give the case to `assignee_id` (None: to nobody), or None when they may.

    Whether the assignee is a clerk of the agency is the service's check: the page offers only them.
    """
    if actor.agency_id is None or not actor.sides(case):
        return NotPermitted(_("Only the clerks of the case's agencies assign it."), "forbidden")
    if not case.is_open:
        return StateConflict(_("The case is closed."), "wrong_state")
    if case.turn_agency_id() != actor.agency_id:
        return NotPermitted(_("Only the agency whose turn it is assigns the case."), "not_our_turn")
    if actor.is_supervisor:
        return None
    if assignee_id is None and case.assignee_id not in (None, actor.user_id):
        return NotPermitted(_("Only a supervisor takes a case away from a colleague."), "forbidden")
    if assignee_id is not None and assignee_id != actor.user_id:
        return NotPermitted(_("Only a supervisor assigns a case to someone else."), "forbidden")
    if assignee_id == actor.user_id and case.assignee_id not in (None, actor.user_id):
        return NotPermitted(_("The case is assigned to a colleague; a supervisor may reassign it."), "forbidden")
    return None


def assignable_clerks(agency_id: int) -> list[object]:
    """The agency's active staff, by full name: whom a supervisor may assign a case to."""
    users = list(
        get_user_model().objects.filter(membership__agency_id=agency_id, is_active=True).order_by("username")
    )
    return sorted(users, key=person_name)


def case_assign(*, case: TransferCase, actor: Actor, assignee_id: int | None) -> TransferCase:
    """Assign the case to `assignee_id`, or to nobody; an event says who gave it to whom."""
    with transaction.atomic():
        locked = TransferCase.objects.select_for_update(of=("self",)).select_related("assignee").get(pk=case.pk)
        refusal = assignment_refusal(locked, actor, assignee_id)
        if refusal is not None:
            raise refusal
        if assignee_id == locked.assignee_id:
            return locked
        assignee = None
        if assignee_id is not None:
            assignee = get_user_model().objects.filter(
                pk=assignee_id, is_active=True, membership__agency_id=actor.agency_id,
                membership__role__in=AgencyMembership.Role.values,
            ).first()
            if assignee is None:
                raise RuleBlocked(_("Choose an active clerk of your agency."), "assignee")
        previous = locked.assignee
        locked.assignee = assignee
        locked.save(update_fields=["assignee"])
        if assignee is not None:
            name, note = "assign", _("Assigned to %(name)s.") % {"name": person_name(assignee)}
        else:
            name, note = "unassign", _("%(name)s no longer handles the case.") % {"name": person_name(previous)}
        # Within one agency: no news for the inbox of the other one (record_event's `news`).
        record_event(locked, actor, name, locked.status, locked.status, note, actor.agency_id, news=False)
    return locked
