"""API plumbing shared by every endpoint: errors as JSON, never a 500.

DRF's settings name these classes, and DRF reads its settings while defining its own
views, so this module must not import any view; the URL map lives in sstransfer.api.urls.
"""

from __future__ import annotations

import math

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import Resolver404, resolve
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from rest_framework import exceptions, pagination, parsers, status
from rest_framework.response import Response

from cases.errors import BatchInvalid, CaseError, NotPermitted, StateConflict
from cases.services import TooManyAttempts


def _error(detail: str, code: str, status_code: int, headers: dict[str, str] | None = None) -> Response:
    body = {"detail": detail, "code": code} if code else {"detail": detail}
    return Response(body, status=status_code, headers=headers)


def exception_handler(exc: Exception, context: dict) -> Response | None:
    """The services' refusals, mapped once for every endpoint: 403 side or role, 409 state, 400 rule or input."""
    from rest_framework.views import exception_handler as drf_exception_handler

    if isinstance(exc, NotPermitted):
        return _error(exc.message, exc.code, status.HTTP_403_FORBIDDEN)
    if isinstance(exc, StateConflict):
        return _error(exc.message, exc.code, status.HTTP_409_CONFLICT)
    if isinstance(exc, CaseError):  # RuleBlocked: an unmet rule or missing input
        return _error(exc.message, exc.code, status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, BatchInvalid):
        rows = {str(index): errors for index, errors in sorted(exc.row_errors.items())}
        return Response({"records": rows}, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, TooManyAttempts):
        wait = max(1, math.ceil((exc.retry_at - timezone.now()).total_seconds()))
        detail = _("Too many failed attempts from your address; try again after %(time)s.") % {
            "time": f"{timezone.localtime(exc.retry_at):%H:%M}",
        }
        return _error(detail, "too_many_attempts", status.HTTP_429_TOO_MANY_REQUESTS, {"Retry-After": str(wait)})
    if isinstance(exc, DjangoValidationError):
        if hasattr(exc, "error_dict"):
            return Response(exc.message_dict, status=status.HTTP_400_BAD_REQUEST)
        return _error(" ".join(exc.messages), "invalid", status.HTTP_400_BAD_REQUEST)
    return drf_exception_handler(exc, context)


def _has_unstorable_text(data: object) -> bool:
    """NUL characters and lone surrogates: no database column can store them, so refuse them at the door."""
    stack = [data]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, str) and ("\x00" in item or any("\ud800" <= ch <= "\udfff" for ch in item)):
            return True
    return False


class StrictJSONParser(parsers.JSONParser):
    def parse(self, stream: object, media_type: str | None = None, parser_context: dict | None = None) -> object:
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            # json gives up on deep nesting with RecursionError, which is no ValueError, so DRF would not catch it.
            raise exceptions.ParseError(_("JSON parse error - the document is nested too deeply.")) from None
        if _has_unstorable_text(data):
            raise exceptions.ParseError(_("JSON parse error - text may not contain NUL characters or lone surrogates."))
        return data


class StrictFormParser(parsers.FormParser):
    """Flat bodies may also come form-encoded (an HTML form, a test client's default), under the same guard."""

    def parse(self, stream: object, media_type: str | None = None, parser_context: dict | None = None) -> object:
        data = super().parse(stream, media_type, parser_context)
        if _has_unstorable_text(dict(data.lists())):
            raise exceptions.ParseError(_("Form parse error - text may not contain NUL characters or lone surrogates."))
        return data


class StrictMultiPartParser(parsers.MultiPartParser):
    def parse(self, stream: object, media_type: str | None = None, parser_context: dict | None = None) -> object:
        parsed = super().parse(stream, media_type, parser_context)
        if _has_unstorable_text(dict(parsed.data.lists())):
            raise exceptions.ParseError(_("Form parse error - text may not contain NUL characters or lone surrogates."))
        return parsed


# The contribution batch is nested (a list of records): JSON only.
JSON_ONLY = (StrictJSONParser,)


class Pagination(pagination.PageNumberPagination):
    """50 per page; a page number that is no number is bad input (400), one past the end is not found (404)."""

    def get_page_number(self, request: object, paginator: object) -> object:
        raw = request.query_params.get(self.page_query_param)
        if raw is not None and raw not in self.last_page_strings and not (raw.isascii() and raw.isdigit() and len(raw) < 10):
            raise exceptions.ValidationError({self.page_query_param: [_("Give the page as a whole number, e.g. 2.")]})
        return super().get_page_number(request, paginator)


@csrf_exempt
def not_found(request: HttpRequest) -> JsonResponse:
    """Unknown paths under /api/v1/ answer in JSON like every other error, whatever the method."""
    return JsonResponse({"detail": _("Not found.")}, status=404)


@csrf_exempt
def without_trailing_slash(request: HttpRequest, path: str) -> HttpResponse:
    """docs/api.md writes every path without a trailing slash; the same path with one is served alike, not a 404.

    Not a redirect: a client would re-send a POST as a GET after a 301 or 302, and lose its body.
    """
    try:
        match = resolve(request.path_info[:-1])
    except Resolver404:
        return not_found(request)
    if match.func in (not_found, without_trailing_slash):
        return not_found(request)
    return match.func(request, *match.args, **match.kwargs)
