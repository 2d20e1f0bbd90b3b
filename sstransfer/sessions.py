"""Django's database sessions, read with a statement compiled once per connection (sstransfer/compiled.py).

Every signed-in request reads its session first; compiling that query was a fixed share of every clerk page's
CPU. The session is read by its key alone and its expiry checked here, which gives what Django's own store
gives: an expired session is no session. Writing, cycling and flushing are Django's, unchanged.
"""

from __future__ import annotations

from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.contrib.sessions.models import Session
from django.db.models import QuerySet
from django.utils import timezone

from sstransfer.compiled import compiled


@compiled
def _session_by_key(session_key: str) -> QuerySet[Session]:
    return Session.objects.filter(session_key=session_key)


class SessionStore(DatabaseSessionStore):
    def _get_session_from_db(self) -> Session | None:
        found = _session_by_key(self.session_key)
        if found and found[0].expire_date > timezone.now():
            return found[0]
        self._session_key = None
        return None
