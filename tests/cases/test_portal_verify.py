"""Verifying an agreement from its QR code at /verify/<code>/."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone

from tests.cases.portal_support import assert_no_personal_data, in_language
from tests.factories import latest_agreement, open_case


def test_a_genuine_agreement_shows_its_facts_and_the_masked_id_only(client, users):
    case = open_case(users, status="agreement_issued")
    response = in_language(client, "en").get(reverse("cases:verify", args=[latest_agreement(case).verification_code]))
    assert response.status_code == 200
    html = response.content.decode()
    assert latest_agreement(case).number in html
    assert f"{timezone.localtime(latest_agreement(case).issued_at):%Y-%m-%d}" in html
    assert case.origin_agency.name in html
    assert "Basic old-age pension" in html
    assert case.worker.masked_id in html
    assert_no_personal_data(html, case.worker, case)


def test_the_code_may_be_typed_in_lower_case(client, users):
    case = open_case(users, status="completed")
    assert client.get(reverse("cases:verify", args=[latest_agreement(case).verification_code.lower()])).status_code == 200


def test_an_unknown_code_is_404(client, users):
    open_case(users, status="agreement_issued")
    assert client.get(reverse("cases:verify", args=["ZZZZZZZZZZZZ"])).status_code == 404


def test_a_case_without_an_agreement_is_not_found_by_an_empty_code(client, users):
    open_case(users, status="verifying")
    assert client.get("/verify/%20/").status_code == 404


def test_the_form_sends_the_visitor_to_the_code_page(client, users):
    case = open_case(users, status="agreement_issued")
    assert client.get(reverse("cases:verify_form")).status_code == 200
    response = client.get(reverse("cases:verify_form"), {"code": f" {latest_agreement(case).verification_code.lower()} "})
    assert response["Location"] == reverse("cases:verify", args=[latest_agreement(case).verification_code])


def test_an_unknown_code_says_so_plainly_and_offers_the_form_again(client, users):
    response = in_language(client, "en").get(reverse("cases:verify", args=["ZZZZZZZZZZZZ"]))
    assert response.status_code == 404
    html = response.content.decode()
    assert "No agreement has this verification code" in html
    assert "ZZZZZZZZZZZZ" in html and 'name="code"' in html
