"""Sign-in throttling (django-axes) for every sign-in that comes with a request."""

from __future__ import annotations

from axes.backends import AxesStandaloneBackend
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication
from rest_framework.authtoken.models import Token

from sstransfer.compiled import compiled


class SignInThrottleBackend(AxesStandaloneBackend):
    """Axes refuses authenticate() without a request; such a call comes from code (a management command, a test
    client's login), never from a sign-in page, and is left to the next backend."""

    def authenticate(self, request: HttpRequest | None, username: str | None = None, password: str | None = None,
                     **kwargs: object) -> None:
        if request is None:
            return None
        return super().authenticate(request, username, password, **kwargs)


class MemberModelBackend(ModelBackend):
    """Django's model backend, loading a signed-in user with their agency membership: every clerk page and API call
    reads the membership (cases.models.Actor.for_user), which was a query of its own on each request."""

    def get_user(self, user_id: object) -> AbstractBaseUser | None:
        try:
            pk = get_user_model()._meta.pk.to_python(user_id)
        except ValidationError:
            return None
        found = _user_with_membership(pk) if pk is not None else []
        return found[0] if found and self.user_can_authenticate(found[0]) else None


# Both run on every signed-in request, always in this shape: compiled once per connection (sstransfer/compiled.py).
@compiled
def _user_with_membership(user_id: int) -> QuerySet:
    return get_user_model()._default_manager.select_related("membership").filter(pk=user_id)


@compiled
def _token_with_member(key: str) -> QuerySet[Token]:
    return Token.objects.select_related("user__membership").filter(key=key)


class MemberTokenAuthentication(TokenAuthentication):
    """The API's token sign-in, with the membership loaded beside the user (as MemberModelBackend does)."""

    def authenticate_credentials(self, key: str) -> tuple[AbstractBaseUser, Token]:
        found = _token_with_member(key)
        if not found:
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        token = found[0]
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        return token.user, token
