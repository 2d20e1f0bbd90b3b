from __future__ import annotations

import logging
import time
from collections.abc import Callable

import redis.exceptions
from django.conf import settings
from django.db import DatabaseError, InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _

from cases.ids import mask_in_text

request_log = logging.getLogger("sstransfer.request")

# Everything the pages load is vendored and served from our own origin, so the
# policy can forbid every other source, including inline scripts.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


class RequestLogMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        response = self.get_response(request)
        # Only a user some view already loaded: resolving it here would cost /healthz a session query.
        user = getattr(request, "_cached_user", None)
        request_log.info(
            "request",
            extra={
                "fields": {
                    "method": request.method,
                    # The API's paths carry ID numbers (/api/v1/workers/{id_number}); the log keeps them masked.
                    "path": mask_in_text(request.path),
                    "status": response.status_code,
                    "ms": round((time.perf_counter() - started) * 1000, 1),
                    "user": user.get_username() if user is not None and user.is_authenticated else None,
                }
            },
        )
        return response


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        # The API docs page (Swagger UI) needs inline bootstrapping code; it is the one exception.
        if not request.path.startswith("/api/v1/docs"):
            response.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        return response


class PrivateNoStoreMiddleware:
    """`Cache-Control: no-store` on every private answer: anything for a browser with a session (a signed-in clerk,
    a worker who opened "My case"), answers to a form, and every API answer.

    A shared proxy or the browser's disk cache must keep no copy of a worker's record. Public pages for a visitor
    without a session (the home page, the directory, a verification) stay cacheable; static files never get here.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if self._private(request, response):
            patch_cache_control(response, no_store=True, private=True)
        return response

    @staticmethod
    def _private(request: HttpRequest, response: HttpResponse) -> bool:
        if request.path.startswith("/api/") or request.method not in ("GET", "HEAD"):
            return True
        # The session cookie, not whether the view read the session: a page may show private data it took from
        # elsewhere in the session's name, and a response may be the one that starts a session.
        return settings.SESSION_COOKIE_NAME in request.COOKIES or settings.SESSION_COOKIE_NAME in response.cookies


# A database that is down, unreachable, hung past its timeouts or refusing connections, or the shared cache (the
# limits) likewise: the request cannot be served now and may be later, which is a 503, not a 500
# (docs/deploy.md, "Outages").
UNAVAILABLE = (OperationalError, InterfaceError, redis.exceptions.ConnectionError, redis.exceptions.TimeoutError)
RETRY_AFTER_SECONDS = 30


def database_unavailable(error: BaseException | None) -> bool:
    return isinstance(error, UNAVAILABLE) or (
        isinstance(error, DatabaseError) and isinstance(error.__cause__, UNAVAILABLE)
    )


def unavailable_response(request: HttpRequest) -> HttpResponse:
    """JSON for the API, the translated page for everyone else; rendered without the request, whose context
    processors would ask the database for the signed-in clerk's agency."""
    with translation.override(translation.get_language_from_request(request)):
        if request.path.startswith("/api/"):
            response: HttpResponse = JsonResponse(
                {"detail": _("The service is unavailable for a moment; try again shortly.")}, status=503
            )
        else:
            response = HttpResponse(render_to_string("503.html"), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    patch_cache_control(response, no_store=True)
    return response


class DatabaseUnavailableMiddleware:
    """An unreachable database raised by a view becomes a 503 (handler500 does the same for the rest)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if database_unavailable(exception):
            request_log.warning("database unavailable", extra={"fields": {"error": type(exception).__name__}})
            return unavailable_response(request)
        return None


class RefuseNulMiddleware:
    """A NUL character in the path is a 404 (no page has one) and in the query string a 400, at the door: nothing
    legitimate carries one, and PostgreSQL refuses it in any text, so it would reach a query only to fail as a 500."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        refused = "\x00" in request.path or self._in_query(request)
        if not refused:
            return self.get_response(request)
        # Before LocaleMiddleware: the language is the request's own, not whatever this thread last used.
        with translation.override(translation.get_language_from_request(request)):
            api = request.path.startswith("/api/")
            if "\x00" in request.path:
                if api:
                    return JsonResponse({"detail": _("Not found.")}, status=404)
                return HttpResponse(render_to_string("404.html"), status=404)
            if api:
                return JsonResponse({"detail": _("The address may not contain NUL characters.")}, status=400)
            return HttpResponse(render_to_string("400.html"), status=400)

    @staticmethod
    def _in_query(request: HttpRequest) -> bool:
        return any("\x00" in key or any("\x00" in value for value in values) for key, values in request.GET.lists())
