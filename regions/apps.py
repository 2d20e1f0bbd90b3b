from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegionsConfig(AppConfig):
    name = "regions"
    verbose_name = _("Regions and agencies")

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from regions.directory import AGENCY_DIRECTORY
        from regions.models import Agency, CalendarDay, City, Province
        from regions.workdays import calendar_changed

        # Working days are counted from a calendar kept per process (regions/workdays.py).
        post_save.connect(calendar_changed, sender=CalendarDay, dispatch_uid="calendar-changed-save")
        post_delete.connect(calendar_changed, sender=CalendarDay, dispatch_uid="calendar-changed-delete")
        # The agencies with their cities and provinces, likewise (regions/directory.py).
        for model in (Agency, City, Province):
            post_save.connect(AGENCY_DIRECTORY.changed, sender=model, dispatch_uid=f"directory-{model.__name__}-save")
            post_delete.connect(AGENCY_DIRECTORY.changed, sender=model, dispatch_uid=f"directory-{model.__name__}-delete")
