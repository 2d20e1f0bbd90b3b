from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegionsConfig(AppConfig):
    name = "regions"
    verbose_name = _("Regions and agencies")

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from regions.models import CalendarDay
        from regions.workdays import calendar_changed

        # Working days are counted from a calendar kept per process (regions/workdays.py).
        post_save.connect(calendar_changed, sender=CalendarDay, dispatch_uid="calendar-changed-save")
        post_delete.connect(calendar_changed, sender=CalendarDay, dispatch_uid="calendar-changed-delete")
