"""The worklist's search, filters and sorting (django-filter)."""

from __future__ import annotations

import datetime as dt

import django_filters
from django import forms
from django.db.models import F, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from cases.models import Actor, CaseStatus, TransferCase, TransferCaseQuerySet
from cases.selectors import WORKER_SEARCH_PREFIX, WORKLIST_COUNT_CAP, search_condition, worker_id_from_token
from cases.selectors.lists import Key, Order
from regions.models import InsuranceType

SORTS = {
    "due_date": _("Due date"),
    "reference": _("Reference"),
    "worker__name": _("Name"),
    "status": _("Status"),
    "created_at": _("Opened"),
}
# Named one by one, lazily: django-filter would build "label (descending)" once, at import, in whatever
# language was active then, and in English (its own catalogue has no zh_Hans).
SORTS_DESCENDING = {
    "-due_date": _("Due date, latest first"),
    "-reference": _("Reference, descending"),
    "-worker__name": _("Name, descending"),
    "-status": _("Status, descending"),
    "-created_at": _("Opened, newest first"),
}


class WorklistFilterForm(forms.Form):
    """Rendered by templates/cases/includes/_worklist_filters.html in Bootstrap's markup: the worklist draws it
    on every page view, and a layout engine (crispy) cost as much as the whole table of cases."""

    MORE = ("status", "insurance_type", "due_from", "due_to", "mine")

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field.widget, forms.CheckboxInput):
                field.widget.attrs["class"] = "form-check-input"
            else:
                field.widget.attrs["class"] = "form-select" if isinstance(field.widget, forms.Select) else "form-control"

    @property
    def in_use(self) -> bool:
        """On a phone the filters fold away behind a button, unless one of them is in use."""
        return any(self.data.get(name) for name in (*self.MORE, "o"))


class NullsLastOrderingFilter(django_filters.OrderingFilter):
    """Cases waiting on the worker have no due date: they sort after every dated one, either way."""

    def get_ordering_value(self, param: str) -> F:
        descending = param.startswith("-")
        field = F(self.param_map[param.lstrip("-")])
        return field.desc(nulls_last=True) if descending else field.asc(nulls_last=True)


class WorklistFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=_("Search"), method="search",
        widget=forms.TextInput(attrs={"placeholder": _("Reference, ID number or name"), "type": "search"}),
    )
    status = django_filters.ChoiceFilter(label=_("Status"), choices=CaseStatus.choices, empty_label=_("Any status"))
    insurance_type = django_filters.ChoiceFilter(
        label=_("Insurance type"), choices=InsuranceType.choices, empty_label=_("Any type")
    )
    due_from = django_filters.DateFilter(
        label=_("Due from"), field_name="due_date", lookup_expr="gte", widget=forms.DateInput(attrs={"type": "date"})
    )
    due_to = django_filters.DateFilter(
        label=_("Due until"), field_name="due_date", lookup_expr="lte", widget=forms.DateInput(attrs={"type": "date"})
    )
    # Beside the tab "assigned to me": the same narrowing inside any tab (e.g. my overdue cases).
    mine = django_filters.BooleanFilter(label=_("Only cases assigned to me"), method="only_mine",
                                        widget=forms.CheckboxInput)
    o = NullsLastOrderingFilter(fields=tuple((name, name) for name in SORTS), field_labels={**SORTS, **SORTS_DESCENDING},
                                label=_("Sort by"),
                                empty_label=_("Most urgent first"))

    class Meta:
        model = TransferCase
        fields = ["q", "status", "insurance_type", "due_from", "due_to", "mine"]
        form = WorklistFilterForm

    @property
    def form_values(self) -> str:
        """What the form shows, as one string: the key of its rendered fragment (templates/cases/worklist.html)."""
        return "&".join(f"{name}={value}" for name in self.form.fields for value in self.data.getlist(name))

    @property
    def narrows(self) -> bool:
        """Whether any search or filter was given (valid or not): sorting alone shows the same cases."""
        return any(self.data.get(name) for name in self._meta.fields)

    def only_mine(self, queryset: TransferCaseQuerySet, name: str, value: bool | None) -> TransferCaseQuerySet:
        user_id = getattr(getattr(self.request, "user", None), "pk", None)
        return queryset.filter(assignee_id=user_id) if value and user_id is not None else queryset

    def search(self, queryset: TransferCaseQuerySet, name: str, value: str) -> TransferCaseQuerySet:
        value = value.strip()
        agency_id = Actor.for_user(getattr(self.request, "user", None)).agency_id
        if not value or agency_id is None:
            return queryset
        if value.startswith(WORKER_SEARCH_PREFIX):
            # A search for a full ID number, carried as the worker's token (clerk.worklist): never the number.
            return queryset.filter(worker_id=worker_id_from_token(value[len(WORKER_SEARCH_PREFIX):]) or 0)
        return queryset.filter(search_condition(value, agency_id=agency_id, limit=WORKLIST_COUNT_CAP))


# The sorts a clerk may choose (SORTS) as keyset orders, each ending on the primary key. Only the tabs' own
# orders are index-served at every depth; a chosen sort sorts the tab's rows (or the search's matches).
CHOSEN_ORDERS = {
    "due_date": Order((Key("due_sort"), Key("id"))),
    # Descending, cases without a due date still come last.
    "-due_date": Order((Key("due_desc", True, Coalesce("due_date", Value(dt.date.min))), Key("id", True))),
    "reference": Order((Key("reference"), Key("id"))),
    "-reference": Order((Key("reference", True), Key("id", True))),
    "worker__name": Order((Key("worker__name"), Key("id"))),
    "-worker__name": Order((Key("worker__name", True), Key("id", True))),
    "status": Order((Key("status"), Key("id"))),
    "-status": Order((Key("status", True), Key("id", True))),
    "created_at": Order((Key("created_at"), Key("id"))),
    "-created_at": Order((Key("created_at", True), Key("id", True))),
}


def chosen_order(sorts: list[str] | None) -> Order | None:
    """The keyset order for the clerk's choice of sort (django-filter's `o`), or None for the tab's own."""
    return CHOSEN_ORDERS.get(sorts[0]) if sorts else None
