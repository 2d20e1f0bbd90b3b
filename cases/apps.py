from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "cases"
    verbose_name = _("Transfer cases")

    def ready(self) -> None:
        from cases.models import TransferCase
        from cases.selectors.freshness import case_written

        # Every write of a case, from a service or the admin, makes its agencies' cached tab counts stale.
        post_save.connect(case_written, sender=TransferCase, dispatch_uid="cases.freshness.saved")
        post_delete.connect(case_written, sender=TransferCase, dispatch_uid="cases.freshness.deleted")
