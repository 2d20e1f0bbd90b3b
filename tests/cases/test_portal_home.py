"""The public home page at /."""

from __future__ import annotations

from django.urls import reverse

from tests.cases.portal_support import in_language
from tests.conftest import PASSWORD


def test_a_visitor_sees_the_four_steps_and_every_public_page(client, reference_data):
    response = in_language(client, "en").get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count('class="portal-step-number"') == 4
    for name in ("status", "apply", "act", "verify_form", "agencies"):
        assert f'href="{reverse(f"cases:{name}")}"' in html


def test_the_time_limits_on_the_home_page_are_the_rules_own(client, reference_data):
    html = " ".join(in_language(client, "en").get("/").content.decode().split())
    assert "within 15 working days (10 for medical insurance)" in html
    assert "within 15 working days (5 for medical insurance)" in html
    assert "时限为15个工作日（医疗保险10个工作日）" in in_language(client, "zh-hans").get("/").content.decode()


def test_the_home_page_is_chinese_by_default(client, reference_data):
    html = client.get("/").content.decode()
    assert '<html lang="zh-hans">' in html
    assert "转移" in html


def test_a_signed_in_clerk_gets_the_worklist(client, users):
    client.login(username="origin_clerk", password=PASSWORD)
    response = client.get("/")
    assert response.status_code == 200
    assert "cases/worklist.html" in [t.name for t in response.templates]
    assert "portal-step-number" not in response.content.decode()


def test_every_public_page_carries_the_content_security_policy(client, reference_data):
    for url in ("/", "/status/", "/apply/", "/act/", "/verify/", "/agencies/"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert "script-src 'self'" in response["Content-Security-Policy"]
        assert "<script>" not in response.content.decode()
        assert " style=" not in response.content.decode()
