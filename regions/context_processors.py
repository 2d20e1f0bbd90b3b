from __future__ import annotations

from django.http import HttpRequest

from regions.models import AgencyMembership


def membership(request: HttpRequest) -> dict[str, object]:
    """The signed-in clerk's agency and role, for the navigation bar."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"membership": None}
    try:
        return {"membership": user.membership}
    except AgencyMembership.DoesNotExist:
        return {"membership": None}
