"""Labels in the reader's language where Django or a library would show a code or English."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission
from django.test import RequestFactory
from django.utils import translation
from django.views import defaults
from django.views.csrf import csrf_failure

from cases.models import CaseEvent, event_label
from regions.admin import permission_label
from tests.cases.portal_support import in_language
from tests.factories import open_case

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("language", "ascending", "descending"), [
    ("en", "Due date", "Due date, latest first"), ("zh-hans", "办理时限", "办理时限（由晚到早）"),
])
def test_the_sort_choices_follow_the_reader_s_language(client, users, language, ascending, descending):
    client.force_login(users["origin_clerk"])
    html = in_language(client, language).get("/?o=-due_date").content.decode()
    assert f'<option value="-due_date" selected>{descending}</option>' in html
    assert f'<option value="due_date">{ascending}</option>' in html
    assert "(descending)" not in html


def test_permissions_are_named_in_the_reader_s_language(admin_client, reference_data):
    permission = Permission.objects.select_related("content_type").get(codename="add_transfercase")
    with translation.override("zh-hans"):
        assert permission_label(permission) == "转移案件 | 可以增加转移案件"
    with translation.override("en"):
        assert permission_label(permission).endswith("| Can add transfer case")
    html = admin_client.get("/admin/auth/group/add/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "可以查看参保人" in html and "Can view" not in html


def test_events_are_named_not_coded_in_the_admin(admin_client, users):
    case = open_case(users, status="verifying")
    html = admin_client.get("/admin/cases/caseevent/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "开始审核" in html and ">start_verification<" not in html
    event = CaseEvent.objects.filter(case=case).first()
    with translation.override("zh-hans"):
        assert str(event).split(" ")[1] == event_label("open")
        assert event_label("add_material") == "参保人补充了材料"
        assert event_label("no_such_event") == "no_such_event"


@pytest.mark.parametrize(("render", "status", "words"), [
    (lambda request: defaults.server_error(request), 500, "出错了"),
    (lambda request: defaults.bad_request(request, Exception()), 400, "无法识别的请求"),
    (lambda request: csrf_failure(request), 403, "表单已失效"),
])
def test_the_error_pages_are_ours_and_in_chinese(reference_data, render, status, words):
    with translation.override("zh-hans"):
        response = render(RequestFactory().get("/"))
    assert response.status_code == status
    assert words in response.content.decode()
