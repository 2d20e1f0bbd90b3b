"""The worklist's search, filters and sorting (django-filter)."""

from __future__ import annotations

import django_filters
from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Column, Layout, Row
from django import forms
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from cases.ids import normalize
from cases.models import CaseStatus, TransferCase, TransferCaseQuerySet
from cases.selectors import WORKER_SEARCH_PREFIX, worker_id_from_token
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

SEARCH_BUTTONS = '{% include "cases/includes/_search_buttons.html" %}'


class WorklistFilterForm(forms.Form):
    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        # The template wraps the fields in its own GET form, with the tab and the search button.
        self.helper.form_tag = False
        # On a phone the filters fold away behind a button, unless one of them is in use.
        in_use = any(self.data.get(name) for name in ("status", "insurance_type", "due_from", "due_to", "o"))
        self.helper.layout = Layout(
            Row(
                Column("q", css_class="col-12 col-lg-4"),
                Column(
                    Row(
                        Column("status", css_class="col-6 col-lg-3"),
                        Column("insurance_type", css_class="col-6 col-lg-3"),
                        Column("due_from", css_class="col-6 col-lg-3"),
                        Column("due_to", css_class="col-6 col-lg-3"),
                    ),
                    css_class="col-12 col-lg-8 collapse filters-more" + (" show" if in_use else ""),
                    css_id="more-filters",
                ),
            ),
            Row(
                Column("o", css_class="col-6 col-lg-3 collapse filters-more" + (" show" if in_use else "")),
                Column(HTML(SEARCH_BUTTONS), css_class="col d-flex align-items-end gap-2 mb-3"),
            ),
        )


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
    o = NullsLastOrderingFilter(fields=tuple((name, name) for name in SORTS), field_labels={**SORTS, **SORTS_DESCENDING},
                                label=_("Sort by"),
                                empty_label=_("Most urgent first"))

    class Meta:
        model = TransferCase
        fields = ["q", "status", "insurance_type", "due_from", "due_to"]
        form = WorklistFilterForm

    def search(self, queryset: TransferCaseQuerySet, name: str, value: str) -> TransferCaseQuerySet:
        value = value.strip()
        if not value:
            return queryset
        if value.startswith(WORKER_SEARCH_PREFIX):
            # A search for a full ID number, carried as the worker's token (clerk.worklist): never the number.
            return queryset.filter(worker_id=worker_id_from_token(value[len(WORKER_SEARCH_PREFIX):]) or 0)
        return queryset.filter(
            Q(reference__icontains=value) | Q(worker__id_number=normalize(value)) | Q(worker__name__icontains=value)
        )
