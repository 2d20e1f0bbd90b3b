"""Sign-in throttling (django-axes) for every sign-in that comes with a request."""

from __future__ import annotations

from axes.backends import AxesStandaloneBackend
from django.http import HttpRequest


class SignInThrottleBackend(AxesStandaloneBackend):
    """Axes refuses authenticate() without a request; such a call comes from code (a management command, a test
    client's login), never from a sign-in page, and is left to the next backend."""

    def authenticate(self, request: HttpRequest | None, username: str | None = None, password: str | None = None,
                     **kwargs: object) -> None:
        if request is None:
            return None
        return super().authenticate(request, username, password, **kwargs)
