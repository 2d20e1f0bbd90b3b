"""case_tags.case_form: a case page's unbound forms drawn once per shape and language, then filled in with the
case's reference and the request's CSRF token; what the page shows is what {% crispy %} draws."""

from __future__ import annotations

import re

import pytest
from crispy_forms.utils import render_crispy_form
from django.conf import settings
from django.core.cache import caches
from django.template import Context, Template
from django.utils import translation

from cases.forms import AttachmentForm, NoteForm, TransitionForm
from tests.factories import open_case

pytestmark = pytest.mark.django_db

CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]*)"')


@pytest.fixture(autouse=True)
def empty_fragments():
    caches["fragments"].clear()
    yield
    caches["fragments"].clear()


def drawn(form, csrf: str = "token-1") -> str:
    return Template("{% load case_tags %}{% case_form form %}").render(Context({"form": form, "csrf_token": csrf}))


def by_crispy(form, token: str) -> str:
    return render_crispy_form(form, context={"csrf_token": token})


def forms_of(case) -> list:
    return [
        TransitionForm(case=case, name="reject"), TransitionForm(case=case, name="request_info"),
        NoteForm(case=case), AttachmentForm(case=case, max_megabytes=settings.ATTACHMENT_MAX_BYTES // 2**20),
    ]


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_a_second_case_gets_its_own_reference_and_token_from_the_drawn_form(users, language):
    first, second = open_case(users), open_case(users)
    with translation.override(language):
        for one, other in zip(forms_of(first), forms_of(second), strict=True):
            assert drawn(one, "token-1") == by_crispy(one, "token-1")
            again = drawn(other, "token-2")
            assert again == by_crispy(other, "token-2")
            assert second.reference in again and first.reference not in again
            assert CSRF.findall(again) == ["token-2"]


def test_each_language_is_drawn_in_its_own_words(users):
    case = open_case(users)
    with translation.override("en"):
        english = drawn(NoteForm(case=case))
    with translation.override("zh-hans"):
        chinese = drawn(NoteForm(case=case))
    assert english != chinese
    with translation.override("zh-hans"):
        assert chinese == by_crispy(NoteForm(case=case), "token-1")


def test_a_form_with_errors_and_the_applicant_check_are_drawn_afresh(users):
    case = open_case(users)
    bound = TransitionForm({"reject-note": ""}, case=case, name="reject")
    assert not bound.is_valid()
    assert drawn(bound) == by_crispy(bound, "token-1") and "invalid-feedback" in drawn(bound)
    application = open_case(users, status="applied")
    assert TransitionForm(case=application, name="accept_application").unbound_shape is None
    drawn(TransitionForm(case=case, name="reject"))
    assert drawn(bound) == by_crispy(bound, "token-1")


def test_a_page_without_a_token_is_drawn_afresh_and_shares_nothing(users):
    case = open_case(users)
    without = Template("{% load case_tags %}{% case_form form %}").render(Context({"form": NoteForm(case=case)}))
    assert "csrfmiddlewaretoken" not in without
    assert CSRF.findall(drawn(NoteForm(case=case), "token-3")) == ["token-3"]
    assert CSRF.findall(drawn(NoteForm(case=case), "token-4")) == ["token-4"]
