from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import PermissionDenied
from django.db.models import ManyToManyField
from django.forms import ModelMultipleChoiceField
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from import_export import fields, resources, widgets
from import_export.admin import ImportExportModelAdmin
from import_export.formats.base_formats import CSV, XLSX

from cases.services import calendar_enter, due_dates_recompute
from regions.models import Agency, AgencyMembership, CalendarDay, City, CreditRate, Province, RegionPolicy
from regions.services import DAY_KINDS, parse_calendar_lines

# --- import and export: rows keyed by their natural keys, so that a file can be exported, edited and re-imported --


class CodeWidget(widgets.ForeignKeyWidget):
    """A province or city by its GB/T 2260 code; an unknown code is the row's error, not a new row."""

    def clean(self, value: object, row: dict | None = None, **kwargs: object) -> object:
        value = str(value).strip() if value not in (None, "") else ""
        if value.endswith(".0"):  # a spreadsheet's number cell
            value = value[:-2]
        if not value:
            return None
        try:
            return super().clean(value, row, **kwargs)
        except self.model.DoesNotExist:
            raise ValueError(_("Unknown code %(code)s.") % {"code": value}) from None


class DayKindWidget(widgets.BooleanWidget):
    """workday / holiday, 班 / 休, or true / false."""

    def clean(self, value: object, row: dict | None = None, **kwargs: object) -> bool:
        if isinstance(value, bool):
            return value
        word = str(value if value is not None else "").strip().lower()
        if word in ("1", "true", "yes"):
            return True
        if word in ("0", "false", "no"):
            return False
        if word not in DAY_KINDS:
            raise ValueError(_("Write workday or holiday."))
        return DAY_KINDS[word]


class Resource(resources.ModelResource):
    class Meta:
        abstract = True
        # The model's own validation (codes, lengths, floor below ceiling) on every imported row.
        clean_model_instances = True
        skip_unchanged = True
        report_skipped = False


class AgencyResource(Resource):
    city = fields.Field(attribute="city", column_name="city_code", widget=CodeWidget(City, field="code"))

    class Meta(Resource.Meta):
        model = Agency
        import_id_fields = ["code"]
        fields = ["code", "name", "city", "address", "phone", "hours", "email", "is_active"]
        export_order = fields


class RegionPolicyResource(Resource):
    province = fields.Field(attribute="province", column_name="province_code", widget=CodeWidget(Province, field="code"))

    class Meta(Resource.Meta):
        model = RegionPolicy
        import_id_fields = ["province", "year"]
        fields = [
            "province", "year", "medical_pooling", "unemployment_pooling", "average_wage", "base_floor",
            "base_ceiling", "min_months_before_transfer_in", "nonhukou_medical_personal_account", "note",
        ]
        export_order = fields


class CreditRateResource(Resource):
    # Empty for the national rate; a province's code for its own rate of a year before 2016 (docs/domain.md §5).
    province = fields.Field(attribute="province", column_name="province_code", widget=CodeWidget(Province, field="code"))

    class Meta(Resource.Meta):
        model = CreditRate
        import_id_fields = ["year", "province"]
        fields = ["year", "province", "percent", "is_placeholder", "source"]
        export_order = fields


class CalendarDayResource(Resource):
    is_workday = fields.Field(attribute="is_workday", column_name="is_workday", widget=DayKindWidget())

    class Meta(Resource.Meta):
        model = CalendarDay
        import_id_fields = ["date"]
        fields = ["date", "is_workday", "note"]
        export_order = fields

    def __init__(self, user: object = None, **kwargs: object) -> None:
        super().__init__(**kwargs)
        self.user = user
        self.years: set[int] = set()

    def after_save_instance(self, instance: CalendarDay, row: dict, **kwargs: object) -> None:
        super().after_save_instance(instance, row, **kwargs)
        if not self._is_dry_run(kwargs):
            self.years.add(instance.date.year)

    def after_import(self, dataset: object, result: object, **kwargs: object) -> None:
        super().after_import(dataset, result, **kwargs)
        if not self._is_dry_run(kwargs) and self.years:
            due_dates_recompute(years=self.years, user=self.user)


class ImportExport(ImportExportModelAdmin):
    formats = [CSV, XLSX]
    # "CSV UTF-8" as spreadsheet programs save it, with a byte-order mark; plain UTF-8 reads the same.
    from_encoding = "utf-8-sig"


# --- the admins ----------------------------------------------------------------------------------------------------


@admin.register(Province)
class ProvinceAdmin(admin.ModelAdmin):
    list_display = ["code", "name"]
    search_fields = ["code", "name"]


@admin.register(City)
class CityAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "province", "kind"]
    list_filter = ["kind", "province"]
    search_fields = ["code", "name", "province__name"]
    list_select_related = ["province"]


@admin.register(Agency)
class AgencyAdmin(ImportExport):
    resource_classes = [AgencyResource]
    list_display = ["code", "name", "city", "phone", "hours", "is_active"]
    list_filter = ["is_active", "city__province"]
    search_fields = ["code", "name", "city__name"]
    list_select_related = ["city__province"]
    autocomplete_fields = ["city"]
    fields = ["code", "name", "city", "address", "phone", "hours", "email", "is_active"]


@admin.register(AgencyMembership)
class AgencyMembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "agency", "role"]
    list_filter = ["role"]
    search_fields = ["user__username", "agency__name", "agency__code"]
    list_select_related = ["user", "agency"]
    autocomplete_fields = ["user", "agency"]


@admin.register(RegionPolicy)
class RegionPolicyAdmin(ImportExport):
    resource_classes = [RegionPolicyResource]
    list_display = [
        "province", "year", "medical_pooling", "unemployment_pooling", "base_floor", "base_ceiling",
        "min_months_before_transfer_in", "nonhukou_medical_personal_account",
    ]
    list_filter = ["medical_pooling", "unemployment_pooling", "year"]
    search_fields = ["province__name", "province__code"]
    list_select_related = ["province"]


@admin.register(CreditRate)
class CreditRateAdmin(ImportExport):
    resource_classes = [CreditRateResource]
    # By province and year (docs/domain.md §5): before 2016 each province had its own rate, the national row
    # of a year being only the fallback.
    list_display = ["year", "province", "percent", "is_placeholder", "source"]
    list_editable = ["percent", "is_placeholder"]
    list_filter = ["year", "is_placeholder", ("province", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["province__name", "province__code", "=year"]
    list_select_related = ["province"]
    ordering = ["-year", "province"]


class CalendarPasteForm(forms.Form):
    lines = forms.CharField(
        label=_("The year's holidays and make-up working days"),
        widget=forms.Textarea(attrs={"rows": 16, "cols": 60, "placeholder": "2027-01-01 holiday 元旦\n2027-02-07 workday 调休"}),
        help_text=_("One day a line: the date, holiday or workday (also 休 or 班), and a note, as in the State "
                    "Council's notice. Days not listed count as ordinary weekdays and weekends."),
    )

    def clean_lines(self) -> list:
        days, errors = parse_calendar_lines(self.cleaned_data["lines"])
        if errors:
            raise forms.ValidationError([
                _("Line %(line)s: %(error)s") % {"line": line, "error": error} for line, error in errors
            ])
        if not days:
            raise forms.ValidationError(_("No day given."))
        return days


@admin.register(CalendarDay)
class CalendarDayAdmin(ImportExport):
    resource_classes = [CalendarDayResource]
    list_display = ["date", "is_workday", "note"]
    list_filter = ["is_workday"]
    date_hierarchy = "date"
    search_fields = ["note"]
    change_list_template = "admin/regions/calendarday/change_list.html"

    def get_resource_kwargs(self, request: HttpRequest, *args: object, **kwargs: object) -> dict:
        return {**super().get_resource_kwargs(request, *args, **kwargs), "user": request.user}

    def get_urls(self) -> list:
        paste = path("paste/", self.admin_site.admin_view(self.paste_view), name="regions_calendarday_paste")
        return [paste, *super().get_urls()]

    def paste_view(self, request: HttpRequest) -> HttpResponse:
        """Paste a year's official list (国务院办公厅 notice) and every estimated due date in it is recomputed."""
        if not self.has_add_permission(request) or not self.has_change_permission(request):
            raise PermissionDenied
        form = CalendarPasteForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            written, moved = calendar_enter(days=form.cleaned_data["lines"], user=request.user)
            self.message_user(request, _("%(days)s days entered; %(cases)s estimated due dates recomputed.")
                              % {"days": written, "cases": moved}, messages.SUCCESS)
            return redirect(reverse("admin:regions_calendarday_changelist"))
        return TemplateResponse(request, "admin/regions/calendarday/paste.html", {
            **self.admin_site.each_context(request), "opts": self.model._meta, "form": form,
            "title": _("Paste a year's holidays and make-up working days"),
        }, status=400 if form.is_bound else 200)

    def save_model(self, request: HttpRequest, obj: CalendarDay, form: object, change: bool) -> None:
        super().save_model(request, obj, form, change)
        due_dates_recompute(years={obj.date.year}, user=request.user)

    def delete_model(self, request: HttpRequest, obj: CalendarDay) -> None:
        super().delete_model(request, obj)
        due_dates_recompute(years={obj.date.year}, user=request.user)


class MembershipInline(admin.StackedInline):
    model = AgencyMembership
    can_delete = True
    autocomplete_fields = ["agency"]
    verbose_name_plural = _("agency membership")


# Django stores a permission's name in English when it creates it ("Can add user"); these say it in the
# reader's language from the permission's action and its model's verbose name.
PERMISSION_ACTIONS = {
    "add": _("Can add %(model)s"),
    "change": _("Can change %(model)s"),
    "delete": _("Can delete %(model)s"),
    "view": _("Can view %(model)s"),
}


def permission_label(permission: Permission) -> str:
    model = permission.content_type.model_class()
    action, _sep, _rest = permission.codename.partition("_")
    if model is None or action not in PERMISSION_ACTIONS:
        return str(permission)
    name = PERMISSION_ACTIONS[action] % {"model": model._meta.verbose_name}
    return f"{model._meta.app_config.verbose_name} | {name}"


class TranslatedPermissionsMixin:
    def formfield_for_manytomany(self, db_field: ManyToManyField, request: HttpRequest, **kwargs: object):
        field = super().formfield_for_manytomany(db_field, request, **kwargs)  # type: ignore[misc]
        if isinstance(field, ModelMultipleChoiceField) and db_field.related_model is Permission:
            field.label_from_instance = permission_label
        return field


admin.site.unregister(Group)


@admin.register(Group)
class TranslatedGroupAdmin(TranslatedPermissionsMixin, GroupAdmin):
    pass


User = get_user_model()
admin.site.unregister(User)


@admin.register(User)
class ClerkUserAdmin(TranslatedPermissionsMixin, UserAdmin):
    inlines = [MembershipInline]
    list_display = [*UserAdmin.list_display, "membership"]
    list_select_related = ["membership__agency"]


admin.site.site_header = _("sstransfer administration")
admin.site.site_title = _("sstransfer")
