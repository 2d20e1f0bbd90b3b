from axes.apps import AppConfig as AxesAppConfig
from django.utils.translation import gettext_lazy as _


class SignInThrottleConfig(AxesAppConfig):
    """django-axes under a translated name (its own has none; the permission lists show it)."""

    verbose_name = _("Sign-in throttling")
