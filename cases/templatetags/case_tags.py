from __future__ import annotations

import hashlib
from decimal import Decimal

from crispy_forms.utils import render_crispy_form
from django import template
from django.core.cache import caches
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape, format_html, format_html_join
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


# The worklist's rows, built here rather than in a template loop: Django's template language resolved some thirty
# variables and four includes per row, about 40 % of a worklist page's CPU (docs/bench.md). The markup is the
# row that templates/cases/worklist.html used to spell out.
ROW = (
    '<tr class="{}">\n<td>\n{}<a class="fw-semibold text-nowrap" href="{}">{}</a>\n{}'
    '<div class="d-sm-none small">{} · {}</div>\n'
    '<div class="d-sm-none small mt-1 row-status-inline">{}</div>\n</td>\n'
    '<td class="d-none d-sm-table-cell">{}<div class="small text-muted text-nowrap">{}</div></td>\n'
    '<td class="d-none d-md-table-cell small">{}</td>\n'
    '<td class="d-none d-lg-table-cell small">{}</td>\n'
    '<td class="d-none d-sm-table-cell">{}</td>\n<td>{}</td>\n</tr>\n'
)


@register.simple_tag
def worklist_rows(rows: list) -> str:
    """Every row of a worklist page (cases/views/clerk.py WorklistRow)."""
    # One reverse() per page: each row's link differs only in its reference.
    marker = "REFERENCE"
    detail = reverse("cases:detail", args=[marker])
    unread_dot = format_html(
        '<span class="unread-dot" data-testid="unread" title="{}"><span class="visually-hidden">{}</span></span>\n',
        _("Changed since you last opened it"), _("Unread:"),
    )
    outgoing_title, incoming_title = _("Outgoing: we are the origin"), _("Incoming: we are the destination")
    return format_html_join("", ROW, (_row_cells(row, detail, marker, unread_dot, outgoing_title, incoming_title)
                                      for row in rows))


def _row_cells(row: object, detail: str, marker: str, unread_dot: str, outgoing_title: str, incoming_title: str) -> tuple:
    case = row.case
    classes = " ".join(name for name, on in (("table-overdue", row.overdue), ("row-unread", row.unread)) if on)
    assignee = format_html(
        '<div class="small text-muted text-nowrap" data-testid="assignee"><i class="bi bi-person"></i> {}</div>\n',
        person_name(case.assignee),
    ) if case.assignee else ""
    if row.outgoing:
        other = format_html('<span title="{}"><i class="bi bi-box-arrow-right"></i> {}</span>', outgoing_title,
                            case.destination_agency.city.name)
    else:
        other = format_html('<span title="{}"><i class="bi bi-box-arrow-in-left"></i> {}</span>', incoming_title,
                            case.origin_agency.city.name)
    status = row_status(case, row.our_turn)
    person, insurance_type = case.person, case.get_insurance_type_display()
    return (
        classes, unread_dot if row.unread else "", detail.replace(marker, case.reference), case.reference, assignee,
        person.name, insurance_type, status, person.name, person.masked_id, insurance_type, other, status,
        due_cell(case, row.days_left, row.overdue),
    )


# A case page draws its forms with crispy-forms, ~15 % of the page's CPU (docs/bench.md). An unbound form looks
# the same on every case in the same state, but for the case's reference in its URLs and the request's CSRF
# token: drawn once per shape and language, kept in the process's fragments cache with both marked, and filled
# in for each page.
_REFERENCE_MARK, _CSRF_MARK = "\ue000reference\ue000", "\ue000csrf\ue000"


@register.simple_tag(takes_context=True)
def case_form(context: template.Context, form: object) -> str:
    """`{% crispy form %}` for a form of the case page; one with an `unbound_shape` (cases/forms.py), while
    unbound, from the fragments cache."""
    shape = None if form.is_bound else getattr(form, "unbound_shape", None)
    csrf_token = context.get("csrf_token")
    if shape is None or not csrf_token or csrf_token == "NOTPROVIDED":  # noqa: S105 - Django's "no token" value
        return render_crispy_form(form, context=context.flatten())
    key = "case-form:" + hashlib.sha256(
        repr((type(form).__qualname__, form.prefix, shape, translation.get_language())).encode()
    ).hexdigest()
    fragments = caches["fragments"]
    markup = fragments.get(key)
    if markup is None:
        drawn = render_crispy_form(form, context={**context.flatten(), "csrf_token": _CSRF_MARK})
        if drawn.count(_CSRF_MARK) != 1:
            # Not a form that posts its token once: nothing here may be shared with another request.
            return render_crispy_form(form, context=context.flatten())
        markup = drawn.replace(form.case_reference, _REFERENCE_MARK)
        fragments.set(key, markup)
    return mark_safe(  # noqa: S308 - crispy's own escaped markup, with a reference and a token of our own
        markup.replace(_REFERENCE_MARK, escape(form.case_reference)).replace(_CSRF_MARK, escape(str(csrf_token)))
    )
