from __future__ import annotations

from decimal import Decimal

from django import template

from cases import rules
from cases.models import CaseEvent, CaseStatus

register = template.Library()

STATUS_COLOURS = {
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
def money(value: Decimal | None) -> str:
    return "—" if value is None else f"{value:,.2f}"


@register.filter
def absolute(value: int) -> int:
    return abs(value)


@register.filter
def month_label(index: int) -> str:
    return rules.month_label(index)
