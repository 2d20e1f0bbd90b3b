from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib import admin
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from cases import services
from cases.ids import parse_id_number
from cases.models import (
    EVENT_LABELS,
    EVENT_NOTE_MAX_LENGTH,
    TRANSITION_RULES,
    Agreement,
    CaseAttachment,
    CaseDuplicate,
    CaseEvent,
    CaseNote,
    CaseReminder,
    CaseStatus,
    ContributionPeriod,
    Remittance,
    TransferCase,
    Worker,
    WorkerAccess,
    event_label,
)
from cases.people import person_label


class ReadOnlyMixin:
    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


class WorkerAdminForm(forms.ModelForm):
    # Room for the spaces and hyphens people type; the number is checked once normalised.
    id_number = forms.CharField(label=_("ID number"), max_length=32)

    class Meta:
        model = Worker
        fields = ["id_number", "name", "hukou_city", "phone", "email", "registered_by_agency"]

    def clean_id_number(self) -> str:
        # Stored as normalised (docs/domain.md §1): spaces, hyphens, full-width digits and a small x are the same number.
        return parse_id_number(self.cleaned_data["id_number"]).id_number


class ContributionPeriodInline(ReadOnlyMixin, admin.TabularInline):
    """The worker's periods at a glance; each changes on its own page, with a reason and every version kept."""

    model = ContributionPeriod
    extra = 0
    fields = ["insurance_type", "city", "start_month", "end_month", "monthly_base", "personal_account_credit", "paid",
              "locked"]
    readonly_fields = fields
    show_change_link = True

    def get_queryset(self, request: HttpRequest):
        return super().get_queryset(request).select_related("city__province")


@admin.register(Worker)
class WorkerAdmin(admin.ModelAdmin):
    list_display = ["id_number", "name", "gender", "birth_date", "hukou_city", "registered_by_agency"]
    search_fields = ["id_number", "name"]
    list_filter = ["gender"]
    list_select_related = ["hukou_city__province", "registered_by_agency"]
    readonly_fields = ["gender", "birth_date"]
    autocomplete_fields = ["hukou_city", "registered_by_agency"]
    inlines = [ContributionPeriodInline]
    form = WorkerAdminForm

    def save_model(self, request: HttpRequest, obj: Worker, form: object, change: bool) -> None:
        facts = parse_id_number(obj.id_number)
        obj.id_number, obj.gender, obj.birth_date = facts.id_number, facts.gender, facts.birth_date
        super().save_model(request, obj, form, change)


class ContributionPeriodAdminForm(forms.ModelForm):
    reason = forms.CharField(
        label=_("Reason for the correction"), required=False, max_length=EVENT_NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2, "cols": 60}), help_text=_("Required when correcting; kept with the version."),
    )

    class Meta:
        model = ContributionPeriod
        fields = ["worker", "insurance_type", "city", "start_month", "end_month", "monthly_base",
                  "personal_account_credit", "paid"]

    def record(self) -> dict[str, object]:
        data = self.cleaned_data
        worker = data.get("worker") or self.instance.worker
        return {
            "worker": worker,
            "record": {
                "insurance_type": data.get("insurance_type", self.instance.insurance_type),
                "city_code": (data.get("city") or self.instance.city).code,
                "start_month": data.get("start_month"), "end_month": data.get("end_month"),
                "monthly_base": "" if data.get("monthly_base") is None else str(data["monthly_base"]),
                "personal_account_credit": "" if data.get("personal_account_credit") is None
                else str(data["personal_account_credit"]),
                "paid": data.get("paid", True),
            },
        }

    def clean(self) -> dict[str, object]:
        """The checks of a batch row (services.contribution_check), so that the save cannot be refused later."""
        cleaned = super().clean()
        if self.errors:
            return cleaned
        if self.instance.pk and not (cleaned.get("reason") or "").strip():
            self.add_error("reason", _("Give the reason for the correction: it is kept with the version."))
        given = self.record()
        _period, errors = services.contribution_check(
            worker=given["worker"], record=given["record"], exclude_pk=self.instance.pk
        )
        for field, messages in errors.items():
            target = {"city_code": "city"}.get(field, field)
            self.add_error(target if target in self.fields else None, messages)
        return cleaned


@admin.register(ContributionPeriod)
class ContributionPeriodAdmin(SimpleHistoryAdmin):
    """Administrators record and correct periods through the same services as clerks: the batch's checks, a
    reason for every correction, every version kept (History), the recorder kept, open cases told."""

    form = ContributionPeriodAdminForm
    list_display = ["worker", "insurance_type", "city", "start_month", "end_month", "monthly_base", "paid", "locked"]
    list_filter = ["insurance_type", "paid", "locked"]
    search_fields = ["worker__id_number", "worker__name", "city__name"]
    list_select_related = ["worker", "city__province"]
    autocomplete_fields = ["worker", "city"]
    readonly_fields = ["recorded_by", "recorded_at", "locked"]

    def get_fields(self, request: HttpRequest, obj: ContributionPeriod | None = None) -> list[str]:
        editable = ["worker", "insurance_type", "city", "start_month", "end_month", "monthly_base",
                    "personal_account_credit", "paid"]
        return [*editable, "reason", *self.readonly_fields] if obj else editable

    def get_readonly_fields(self, request: HttpRequest, obj: ContributionPeriod | None = None) -> list[str]:
        # A period's worker, city and type make it another period: delete it and record that one instead.
        return [*self.readonly_fields, "worker", "insurance_type", "city"] if obj else []

    def has_change_permission(self, request: HttpRequest, obj: ContributionPeriod | None = None) -> bool:
        # An issued agreement uses a locked period; its figures change only after return_to_origin.
        return super().has_change_permission(request, obj) and not (obj and obj.locked)

    def has_delete_permission(self, request: HttpRequest, obj: ContributionPeriod | None = None) -> bool:
        return super().has_delete_permission(request, obj) and not (obj and obj.locked)

    def get_actions(self, request: HttpRequest) -> dict:
        # One by one, each through the service: a bulk delete would leave no reason and tell no case.
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def save_model(self, request: HttpRequest, obj: ContributionPeriod, form: ContributionPeriodAdminForm,
                   change: bool) -> None:
        given = form.record()
        if change:
            record = given["record"]
            services.contribution_correct(
                actor=None, worker=given["worker"], period_id=obj.pk, user=request.user,
                changes={name: record[name] for name in services.CORRECTABLE_FIELDS},
                reason=form.cleaned_data["reason"],
            )
            obj.refresh_from_db()
        else:
            (created,) = services.contributions_record(
                actor=None, worker=given["worker"], records=[given["record"]], user=request.user
            )
            obj.pk = created.pk

    def delete_model(self, request: HttpRequest, obj: ContributionPeriod) -> None:
        services.contribution_delete(
            actor=None, worker=obj.worker, period_id=obj.pk, user=request.user,
            reason=_("Deleted in the administration by %(user)s.") % {"user": request.user.get_username()},
        )


@admin.register(WorkerAccess)
class WorkerAccessAdmin(ReadOnlyMixin, admin.ModelAdmin):
    """Who read which worker's full ID number or contribution history (docs/api.md): for review, never edited."""

    list_display = ["at", "username", "agency", "what", "worker", "case", "ip", "path"]
    list_filter = ["what", ("agency", admin.RelatedOnlyFieldListFilter), "at"]
    search_fields = ["username", "worker__name", "case__reference", "ip"]
    list_select_related = ["agency", "worker", "case"]
    date_hierarchy = "at"
    list_per_page = 100
    show_full_result_count = False


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
        # Accounts are managed by user name here: the full name with it (cases/people.py).
        return person_label(event.actor) if event.actor_id else event.actor_name


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
        return super().get_queryset(request).select_related("agency", "actor")


class AgreementInline(ReadOnlyMixin, admin.TabularInline):
    """Every agreement of the case; the frozen assessment is shown by the case page and the PDF, not edited."""

    model = Agreement
    fk_name = "case"
    extra = 0
    fields = ["number", "issued_at", "verification_code", "status", "superseded_by", "voided_at", "void_reason"]
    readonly_fields = fields

    def get_queryset(self, request: HttpRequest):
        return super().get_queryset(request).select_related("superseded_by")


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


class RemittanceInline(ReadOnlyMixin, admin.TabularInline):
    """What the origin remitted, per agreement; recorded only through the clerks' pages and the API."""

    model = Remittance
    extra = 0
    fields = ["agreement_number", "pooled_fund", "personal_account", "total", "bank_reference", "value_date",
              "agency", "recorded_at"]
    readonly_fields = fields

    def get_queryset(self, request: HttpRequest):
        return super().get_queryset(request).select_related("agency")


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
        "assignee_name",
    ]
    # Only the agencies that have cases: the full directory (some 370 agencies) buried the other filters.
    list_filter = [
        "status", "insurance_type", OverdueFilter,
        ("origin_agency", admin.RelatedOnlyFieldListFilter), ("destination_agency", admin.RelatedOnlyFieldListFilter),
    ]
    search_fields = ["reference", "worker__id_number", "worker__name", "=agreements__number"]
    list_select_related = ["worker", "origin_agency", "destination_agency", "assignee"]
    date_hierarchy = "created_at"
    inlines = [AgreementInline, EventInline, DuplicateInline, RemittanceInline]
    list_per_page = 50
    show_full_result_count = False

    @admin.display(description=_("assigned to"), ordering="assignee__username")
    def assignee_name(self, case: TransferCase) -> str:
        return person_label(case.assignee)


@admin.register(CaseEvent)
class CaseEventAdmin(EventLabels, ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["case", "at", "transition_name", "from_name", "to_name", "actor_name", "agency"]
    list_filter = [EventKindFilter, EventStatusFilter]
    fields = ["case", "at", "transition_name", "from_name", "to_name", "actor_name", "agency", "note"]
    readonly_fields = fields
    search_fields = ["case__reference", "actor_label", "note"]
    list_select_related = ["case", "agency", "actor"]
    date_hierarchy = "at"


@admin.register(CaseNote)
class CaseNoteAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["case", "agency", "author_name", "created_at"]
    search_fields = ["case__reference", "text"]
    list_select_related = ["case", "agency", "author"]

    @admin.display(description=_("author"), ordering="author__username")
    def author_name(self, note: CaseNote) -> str:
        return person_label(note.author)


@admin.register(CaseAttachment)
class CaseAttachmentAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["case", "original_name", "content_type", "size", "created_at"]
    search_fields = ["case__reference", "original_name"]
    list_select_related = ["case"]


@admin.register(CaseReminder)
class CaseReminderAdmin(ReadOnlyMixin, admin.ModelAdmin):
    """What send_reminders sent (cases/services/reminders.py): to review, never to edit; a row deleted would be
    sent again."""

    list_display = ["case", "kind", "status", "due_date", "agency", "sent_at"]
    list_filter = ["kind"]
    search_fields = ["case__reference"]
    list_select_related = ["case", "agency"]
    date_hierarchy = "sent_at"
