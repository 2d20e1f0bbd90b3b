from __future__ import annotations

from decimal import Decimal

from django import template
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from cases import rules
from cases.models import CaseEvent, CaseStatus
from cases.people import person_name

register = template.Library()

STATUS_COLOURS = {
    CaseStatus.APPLIED: "text-bg-light border",
    CaseStatus.SUBMITTED: "text-bg-secondary",
    CaseStatus.VERIFYING: "text-bg-primary",
    CaseStatus.INFO_REQUESTED: "text-bg-warning",
    CaseStatus.AGREEMENT_ISSUED: "text-bg-info",
    CaseStatus.RECEIVING: "text-bg-primary",
    CaseStatus.COMPLETED: "text-bg-success",
    CaseStatus.REJECTED: "text-bg-danger",
    CaseStatus.WITHDRAWN: "text-bg-dark",
}


@register.filter
def status_class(status: str) -> str:
    return STATUS_COLOURS.get(status, "text-bg-secondary")


@register.filter
def event_label(event: CaseEvent) -> str:
    return event.transition_label


@register.filter
def person(user: object) -> str:
    """Staff by their full name (cases/people.py), wherever a page names them."""
    return person_name(user)


@register.filter
def money(value: Decimal | None) -> str:
    return "—" if value is None else f"{value:,.2f}"


@register.filter
def signed_money(value: Decimal | None) -> str:
    """A difference says which way it goes: +58.99 too much, -84,241.01 still to come."""
    if value is None:
        return "—"
    return f"{value:+,.2f}" if value else f"{value:,.2f}"


@register.filter
def absolute(value: int) -> int:
    return abs(value)


@register.filter
def month_label(index: int) -> str:
    return rules.month_label(index)


# The worklist shows these two cells on every row: built here, they cost a fraction of a template include
# per row (the includes _row_status.html and _due.html call the same tags, so there is one definition).


@register.simple_tag
def row_status(case: object, our_turn: bool) -> str:
    """The status badge and, for an open case, whose move it is."""
    badge = format_html('<span class="badge {}">{}</span>', status_class(case.status), case.get_status_display())
    if not case.is_open:
        return badge
    if our_turn:
        weight, text = "fw-semibold", _("Our move")
    else:
        weight, text = "text-muted", _("Other agency's move") if case.next_side() else _("Waiting for the worker")
    return format_html('{}\n<div class="small text-nowrap {}">{}</div>', badge, weight, text)


def _working_days(days: int, *, overdue: bool) -> str:
    if overdue:
        return ngettext("overdue by %(days)s working day", "overdue by %(days)s working days", days) % {"days": days}
    return ngettext("%(days)s working day left", "%(days)s working days left", days) % {"days": days}


@register.simple_tag
def due_cell(case: object, days_left: int | None, overdue: bool) -> str:
    """The due date with the working days left (or by how many it is overdue), or the paused clock."""
    if case.due_date:
        estimated = format_html(
            '<abbr class="small text-muted" title="{}">*</abbr>',
            _("Estimated: the official calendar for that year is not known yet"),
        ) if case.due_estimated else ""
        if overdue:
            note = format_html(
                '<span class="badge text-bg-danger text-wrap"><i class="bi bi-exclamation-triangle-fill"></i> {}</span>',
                _working_days(abs(days_left or 0), overdue=True),
            )
        elif days_left == 0:
            note = format_html('<span class="badge text-bg-warning">{}</span>', _("due today"))
        else:
            note = format_html('<span class="text-muted">{}</span>', _working_days(days_left or 0, overdue=False))
        return format_html(
            '<span class="text-nowrap{}">{}</span>{}\n<div class="small">{}</div>',
            " text-danger fw-bold" if overdue else "", f"{case.due_date:%Y-%m-%d}", estimated, note,
        )
    if case.paused_days_left is not None and case.is_open:
        left = case.paused_days_left
        return format_html(
            '<span class="text-muted"><i class="bi bi-pause-circle"></i> {}</span>\n<div class="small {}">{}</div>',
            _("clock paused"), "text-danger" if left < 0 else "text-muted", _working_days(abs(left), overdue=left < 0),
        )
    return mark_safe('<span class="text-muted">—</span>')
