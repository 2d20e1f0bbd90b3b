"""Staff by their full name (cases/people.py), with the user name beside it in the admin."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth import get_user_model

from cases.models import CaseEvent
from cases.people import person_label, person_name
from tests.factories import open_case


def test_the_full_name_or_else_the_user_name(db):
    user = get_user_model()(username="li.na", first_name="", last_name="")
    assert person_name(user) == person_label(user) == "li.na"
    user.first_name = "李娜"
    assert person_name(user) == "李娜"
    assert person_label(user) == "李娜 (li.na)"
    assert person_name(None) == person_label(None) == ""


def test_the_admin_names_the_actor_with_the_user_name(users):
    case = open_case(users)
    get_user_model().objects.filter(pk=users["origin_clerk"].pk).update(first_name="李娜")
    event = CaseEvent.objects.select_related("actor").get(case=case, transition="open")
    assert admin.site._registry[CaseEvent].actor_name(event) == "李娜 (origin_clerk)"
    assert event.actor_name == "李娜"
