from __future__ import annotations

from django.http import HttpRequest, HttpResponse

from cases.views import clerk, portal


def home(request: HttpRequest) -> HttpResponse:
    """A signed-in clerk lands on the worklist; everyone else on the public home page."""
    if request.user.is_authenticated:
        return clerk.worklist(request)
    return portal.home(request)
