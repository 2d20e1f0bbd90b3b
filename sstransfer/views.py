from __future__ import annotations

import logging
import sys

from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from sstransfer.middleware import database_unavailable, unavailable_response

logger = logging.getLogger(__name__)


@never_cache
@require_GET
def healthz(request: HttpRequest) -> HttpResponse:
    """Liveness: answers without touching the database, for load balancers and benchmarks."""
    return HttpResponse("ok", content_type="text/plain")


@never_cache
@require_GET
def readyz(request: HttpRequest) -> HttpResponse:
    """Readiness: the database and the shared cache (the limits, the broker) both answer, within their timeouts
    (DATABASE_CONNECT_TIMEOUT, DATABASE_STATEMENT_TIMEOUT_MS, REDIS_TIMEOUT)."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception:
        logger.warning("readyz: database unavailable", exc_info=True)
        return HttpResponse("database unavailable", status=503, content_type="text/plain")
    try:
        cache.set("readyz", 1, 10)
    except Exception:
        logger.warning("readyz: cache unavailable", exc_info=True)
        return HttpResponse("cache unavailable", status=503, content_type="text/plain")
    return HttpResponse("ok", content_type="text/plain")


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500: a database outage met outside a view (in a middleware, while rendering) is a 503 too; any other
    error keeps the 500 page, and JSON under /api/."""
    if database_unavailable(sys.exc_info()[1]):
        return unavailable_response(request)
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": _("Server error.")}, status=500)
    return HttpResponse(render_to_string("500.html"), status=500)
