"""The password reset, throttled: each request sends an e-mail, so an address may not send a thousand."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import PasswordResetForm
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.utils.translation import gettext as _

from cases.views.portal import client_address
from outbox.services import email_enqueue
from sstransfer import limits

HOUR = 3600


def locked_out(request: HttpRequest, original_response: HttpResponse | None, credentials: dict | None) -> HttpResponse:
    """django-axes' answer to a locked sign-in (AXES_LOCKOUT_CALLABLE): JSON under /api/, the page elsewhere."""
    if request.path.startswith("/api/"):
        detail = _("Too many wrong passwords for this user name or from this address; try again in an hour.")
        response: HttpResponse = JsonResponse({"detail": detail, "code": "locked_out"}, status=429)
    else:
        response = render(request, "registration/locked_out.html", status=429)
    response["Retry-After"] = str(int(settings.AXES_COOLOFF_TIME * HOUR))
    return response


class OutboxPasswordResetForm(PasswordResetForm):
    """The reset link leaves through the outbox like every other e-mail (docs/deploy.md, "Outbox")."""

    def send_mail(
        self, subject_template_name: str, email_template_name: str, context: dict, from_email: str | None,
        to_email: str, html_email_template_name: str | None = None,
    ) -> None:
        subject = "".join(loader.render_to_string(subject_template_name, context).splitlines())
        body = loader.render_to_string(email_template_name, context)
        email_enqueue(subject=subject, body=body, to=[to_email], about="password reset")


class ThrottledPasswordResetView(auth_views.PasswordResetView):
    form_class = OutboxPasswordResetForm

    def form_valid(self, form: object) -> HttpResponse:
        email = form.cleaned_data["email"].strip().lower()  # type: ignore[attr-defined]
        try:
            for scope, value in [("reset-address", client_address(self.request)), ("reset-email", email)]:
                limits.take(scope, value, limit=settings.PASSWORD_RESETS_PER_HOUR, window=HOUR)
        except limits.TooManyAttempts as refused:
            return render(self.request, "registration/password_reset_refused.html", {"retry_at": refused.retry_at},
                          status=429)
        return super().form_valid(form)
