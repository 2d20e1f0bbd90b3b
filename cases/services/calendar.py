"""The official calendar as administrators enter it, and the due dates that were only estimates until then."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.models import Actor, CaseEvent, TransferCase
from cases.selectors import calendar_overrides
from cases.services.common import record_event
from regions.services import CalendarEntry, calendar_days_set
from regions.workdays import add_workdays, workdays_between

# The events that start a step's clock, and so set a due date (cases/services/transitions.py).
CLOCK_STARTS = ("open", "provide_info", "return_to_origin", "issue_agreement")


@transaction.atomic
def calendar_enter(*, days: Sequence[CalendarEntry], user: object = None) -> tuple[int, int]:
    """Enter a year's holidays and make-up working days (调休); returns (days written, due dates recomputed)."""
    years = calendar_days_set(days=days)
    return len(days), due_dates_recompute(years=years, user=user)


@transaction.atomic
def due_dates_recompute(*, years: Iterable[int], user: object = None) -> int:
    """Open cases whose due date was estimated (its year had no official calendar yet) and falls in one of
    `years`, counted again on the calendar now entered (docs/domain.md §4). Returns how many due dates moved or
    stopped being estimates; each such case gets an event that says so.

    The step's working days are not stored: they are read back from the old due date, counted on the calendar
    as it was (plain weekdays in those years), and counted forward again on the calendar as it is.
    """
    years = set(years)
    if not years:
        return 0
    cases = list(
        TransferCase.objects.select_for_update().open().filter(due_estimated=True, due_date__year__in=years)
        .order_by("pk")
    )
    if not cases:
        return 0
    started = dict(
        CaseEvent.objects.filter(case__in=cases, transition__in=CLOCK_STARTS).values("case_id")
        .annotate(at=Max("at")).values_list("case_id", "at")
    )
    actor = Actor(
        user_id=getattr(user, "pk", None), agency_id=None, role=None,
        label=user.get_username() if getattr(user, "is_authenticated", False) else _("administration"),  # type: ignore[attr-defined]
    )
    moved = 0
    for case in cases:
        if case.pk not in started:
            continue
        anchor = timezone.localtime(started[case.pk]).date()
        now_entered = calendar_overrides(anchor, days=(case.due_date - anchor).days + 31)
        before = {day: workday for day, workday in now_entered.items() if day.year not in years}
        days = workdays_between(anchor, case.due_date, before)
        deadline = add_workdays(anchor, days, now_entered)
        if (deadline.date, deadline.estimated) == (case.due_date, case.due_estimated):
            continue
        old: dt.date = case.due_date
        case.due_date, case.due_estimated = deadline.date, deadline.estimated
        case.save(update_fields=["due_date", "due_estimated", "updated_at"])
        record_event(
            case, actor, "due_date_recomputed", case.status, case.status,
            _("The official calendar of %(years)s is entered: the due date is %(new)s (estimated as %(old)s).") % {
                "years": ", ".join(str(year) for year in sorted(years)), "new": f"{deadline.date:%Y-%m-%d}",
                "old": f"{old:%Y-%m-%d}",
            },
            None,
        )
        moved += 1
    return moved
