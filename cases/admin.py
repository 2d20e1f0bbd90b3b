from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib import admin
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases import services
from cases.ids import parse_id_number
from cases.models import (
    EVENT_LABELS,
    TRANSITION_RULES,
    CaseAttachment,
    CaseDuplicate,
    CaseEvent,
    CaseNote,
    CaseStatus,
    ContributionPeriod,
    TransferCase,
    Worker,
    event_label,
)


class ReadOnlyMixin:
    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


class WorkerAdminForm(forms.ModelForm):
    class Meta:
        model = Worker
        fields = ["id_number", "name", "hukou_city", "phone", "email"]

    def clean_id_number(self) -> str:
        # Stored upper-case (docs/domain.md §1): a typed lower-case x is the same number.
        return parse_id_number(self.cleaned_data["id_number"]).id_number


class ContributionPeriodInline(admin.TabularInline):
    model = ContributionPeriod
    extra = 0
    fields = ["insurance_type", "city", "start_month", "end_month", "monthly_base", "personal_account_credit", "paid"]
    autocomplete_fields = ["city"]


@admin.register(Worker)
class WorkerAdmin(admin.ModelAdmin):
    list_display = ["id_number", "name", "gender", "birth_date", "hukou_city"]
    search_fields = ["id_number", "name"]
    list_filter = ["gender"]
    list_select_related = ["hukou_city__province"]
    readonly_fields = ["gender", "birth_date"]
    autocomplete_fields = ["hukou_city"]
    inlines = [ContributionPeriodInline]
    form = WorkerAdminForm

    def save_model(self, request: HttpRequest, obj: Worker, form: object, change: bool) -> None:
        facts = parse_id_number(obj.id_number)
        obj.id_number, obj.gender, obj.birth_date = facts.id_number, facts.gender, facts.birth_date
        super().save_model(request, obj, form, change)

    def save_related(self, request: HttpRequest, form: object, formsets: object, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        services.contributions_changed(worker=form.instance)


@admin.register(ContributionPeriod)
class ContributionPeriodAdmin(admin.ModelAdmin):
    list_display = ["worker", "insurance_type", "city", "start_month", "end_month", "monthly_base", "paid"]
    list_filter = ["insurance_type", "paid"]
    search_fields = ["worker__id_number", "worker__name", "city__name"]
    list_select_related = ["worker", "city__province"]
    autocomplete_fields = ["worker", "city"]
    fields = [
        "worker", "insurance_type", "city", "start_month", "end_month", "monthly_base", "personal_account_credit",
        "paid", "recorded_by", "recorded_at",
    ]
    readonly_fields = ["recorded_by", "recorded_at"]

    def save_model(self, request: HttpRequest, obj: ContributionPeriod, form: object, change: bool) -> None:
        obj.recorded_by = request.user
        super().save_model(request, obj, form, change)
        services.contributions_changed(worker=obj.worker)

    def delete_model(self, request: HttpRequest, obj: ContributionPeriod) -> None:
        worker = obj.worker
        super().delete_model(request, obj)
        services.contributions_changed(worker=worker)

    def delete_queryset(self, request: HttpRequest, queryset) -> None:
        workers = list({period.worker for period in queryset.select_related("worker")})
        super().delete_queryset(request, queryset)
        for worker in workers:
            services.contributions_changed(worker=worker)


class EventLabels:
    """An event's transition and states by their names in the reader's language, not their codes."""

    @admin.display(description=_("transition"), ordering="transition")
    def transition_name(self, event: CaseEvent) -> str:
        return event.transition_label

    @admin.display(description=_("from"), ordering="from_status")
    def from_name(self, event: CaseEvent) -> str:
        return event.from_status_label

    @admin.display(description=_("to"), ordering="to_status")
    def to_name(self, event: CaseEvent) -> str:
        return event.to_status_label

    @admin.display(description=_("actor"), ordering="actor_label")
    def actor_name(self, event: CaseEvent) -> str:
        return event.actor_name


class EventKindFilter(admin.SimpleListFilter):
    title = _("transition")
    parameter_name = "transition"

    def lookups(self, request: HttpRequest, model_admin: object) -> list[tuple[str, str]]:
        return [(name, event_label(name)) for name in [*EVENT_LABELS, *TRANSITION_RULES]]

    def queryset(self, request: HttpRequest, queryset):
        return queryset.filter(transition=self.value()) if self.value() else queryset


class EventStatusFilter(admin.SimpleListFilter):
    title = _("to")
    parameter_name = "to_status"

    def lookups(self, request: HttpRequest, model_admin: object) -> list[tuple[str, str]]:
        return CaseStatus.choices

    def queryset(self, request: HttpRequest, queryset):
        return queryset.filter(to_status=self.value()) if self.value() else queryset


class EventInline(EventLabels, ReadOnlyMixin, admin.TabularInline):
    model = CaseEvent
    extra = 0
    fields = ["at", "transition_name", "from_name", "to_name", "actor_name", "agency", "note"]
    readonly_fields = fields

    def get_queryset(self, request: HttpRequest):
        # One query for the rows, not one more per row for its agency.
        return super().get_queryset(request).select_related("agency")


class DuplicateInline(ReadOnlyMixin, admin.TabularInline):
    model = CaseDuplicate
    extra = 0
    fields = ["first_city", "second_city", "start_month", "end_month", "kept_city", "refund_amount", "resolved_at"]
    readonly_fields = fields

    def get_queryset(self, request: HttpRequest):
        # A city's name shows its province: fetch both with the rows instead of two queries per city.
        return super().get_queryset(request).select_related(
            "first_city__province", "second_city__province", "kept_city__province"
        )


class OverdueFilter(admin.SimpleListFilter):
    title = _("overdue")
    parameter_name = "overdue"

    def lookups(self, request: HttpRequest, model_admin: object) -> list[tuple[str, str]]:
        return [("yes", _("Overdue")), ("no", _("On time"))]

    def queryset(self, request: HttpRequest, queryset):
        today: dt.date = timezone.localdate()
        if self.value() == "yes":
            return queryset.overdue(today)
        if self.value() == "no":
            return queryset.not_overdue(today)
        return queryset


@admin.register(TransferCase)
class TransferCaseAdmin(ReadOnlyMixin, admin.ModelAdmin):
    """Viewable and searchable; transitions run only through the clerks' pages and the API."""

    list_display = [
        "reference", "worker", "insurance_type", "status", "origin_agency", "destination_agency", "due_date",
    ]
    # Only the agencies that have cases: the full directory (some 370 agencies) buried the other filters.
    list_filter = [
        "status", "insurance_type", OverdueFilter,
        ("origin_agency", admin.RelatedOnlyFieldListFilter), ("destination_agency", admin.RelatedOnlyFieldListFilter),
    ]
    search_fields = ["reference", "worker__id_number", "worker__name", "agreement_number"]
    list_select_related = ["worker", "origin_agency", "destination_agency"]
    date_hierarchy = "created_at"
    inlines = [EventInline, DuplicateInline]
    list_per_page = 50
    show_full_result_count = False


@admin.register(CaseEvent)
class CaseEventAdmin(EventLabels, ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["case", "at", "transition_name", "from_name", "to_name", "actor_name", "agency"]
    list_filter = [EventKindFilter, EventStatusFilter]
    fields = ["case", "at", "transition_name", "from_name", "to_name", "actor_name", "agency", "note"]
    readonly_fields = fields
    search_fields = ["case__reference", "actor_label", "note"]
    list_select_related = ["case", "agency"]
    date_hierarchy = "at"


@admin.register(CaseNote)
class CaseNoteAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["case", "agency", "author", "created_at"]
    search_fields = ["case__reference", "text"]
    list_select_related = ["case", "agency", "author"]


@admin.register(CaseAttachment)
class CaseAttachmentAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["case", "original_name", "content_type", "size", "created_at"]
    search_fields = ["case__reference", "original_name"]
    list_select_related = ["case"]
