"""Helpers every service shares: codes, deadlines, the event row."""

from __future__ import annotations

import datetime as dt
import secrets

from cases import rules
from cases.models import (
    Actor,
    CaseEvent,
    TransferCase,
)
from cases.selectors import (
    calendar_overrides,
)
from regions.workdays import Deadline, add_workdays

# Crockford's alphabet: no I, L, O or U to misread over the phone.
CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def random_code(length: int) -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(length))


def step_deadline(insurance_type: str, side: str, start: dt.date, days: int | None = None) -> Deadline:
    days = rules.step_working_days(insurance_type, side) if days is None else days
    return add_workdays(start, days, calendar_overrides(start))


def record_event(
    case: TransferCase, actor: Actor, name: str, from_status: str, to_status: str, note: str, agency_id: int | None
) -> CaseEvent:
    return CaseEvent.objects.create(
        case=case, transition=name, from_status=from_status, to_status=to_status, actor_id=actor.user_id,
        actor_label=actor.label, agency_id=agency_id, note=note,
    )


