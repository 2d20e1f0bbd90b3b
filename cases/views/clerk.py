"""Pages for agency clerks; every page requires a signed-in clerk."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def worklist(request: HttpRequest) -> HttpResponse:
    return render(request, "cases/home.html")
