from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group, Permission
from django.db.models import ManyToManyField
from django.forms import ModelMultipleChoiceField
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from regions.models import Agency, AgencyMembership, CalendarDay, City, CreditRate, Province, RegionPolicy


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
class AgencyAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "city", "phone", "is_active"]
    list_filter = ["is_active", "city__province"]
    search_fields = ["code", "name", "city__name"]
    list_select_related = ["city__province"]
    autocomplete_fields = ["city"]


@admin.register(AgencyMembership)
class AgencyMembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "agency", "role"]
    list_filter = ["role"]
    search_fields = ["user__username", "agency__name", "agency__code"]
    list_select_related = ["user", "agency"]
    autocomplete_fields = ["user", "agency"]


@admin.register(RegionPolicy)
class RegionPolicyAdmin(admin.ModelAdmin):
    list_display = [
        "province", "year", "medical_pooling", "unemployment_pooling", "base_floor", "base_ceiling",
        "min_months_before_transfer_in", "nonhukou_medical_personal_account",
    ]
    list_filter = ["medical_pooling", "unemployment_pooling", "year"]
    search_fields = ["province__name", "province__code"]
    list_select_related = ["province"]


@admin.register(CreditRate)
class CreditRateAdmin(admin.ModelAdmin):
    list_display = ["year", "percent", "is_placeholder", "source"]
    list_filter = ["is_placeholder"]


@admin.register(CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin):
    list_display = ["date", "is_workday", "note"]
    list_filter = ["is_workday"]
    date_hierarchy = "date"
    search_fields = ["note"]


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
