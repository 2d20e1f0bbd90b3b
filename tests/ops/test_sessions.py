"""The session store (sstransfer/sessions.py): Django's database sessions, read with one compiled statement."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from sstransfer.sessions import SessionStore

pytestmark = pytest.mark.django_db


def test_the_site_uses_it():
    assert settings.SESSION_ENGINE == "sstransfer.sessions"


def test_a_saved_session_reads_back_in_one_statement():
    store = SessionStore()
    store["reference"] = "TR-2026-ABCDEF"
    store.save()
    again = SessionStore(store.session_key)
    with CaptureQueriesContext(connection) as queries:
        assert again["reference"] == "TR-2026-ABCDEF"
    assert len(queries) == 1


def test_an_expired_or_unknown_session_is_no_session_and_loses_its_key():
    store = SessionStore()
    store["x"] = 1
    store.save()
    Session.objects.filter(session_key=store.session_key).update(expire_date=timezone.now() - dt.timedelta(seconds=1))
    for key in (store.session_key, "unknown-session-key-0123456789"):
        reading = SessionStore(key)
        assert reading.load() == {} and reading.session_key is None
