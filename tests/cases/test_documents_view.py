from __future__ import annotations

from tests.factories import latest_agreement, open_case


def test_anonymous_and_outsiders_get_no_document(client, users):
    case = open_case(users, status="completed")
    for suffix in ("agreement.pdf", "acceptance.pdf"):
        assert client.get(f"/cases/{case.reference}/{suffix}").url.startswith("/accounts/login/")
    client.force_login(users["outsider_clerk"])
    for suffix in ("agreement.pdf", "acceptance.pdf"):
        assert client.get(f"/cases/{case.reference}/{suffix}").status_code == 404


def test_no_document_before_its_step(client, users):
    case = open_case(users, status="verifying")
    client.force_login(users["origin_clerk"])
    assert client.get(f"/cases/{case.reference}/agreement.pdf").status_code == 404
    assert client.get(f"/cases/{case.reference}/acceptance.pdf").status_code == 404
    assert b"agreement.pdf" not in client.get(f"/cases/{case.reference}/").content


def test_both_ends_download_the_agreement_and_the_confirmation(client, users, django_assert_max_num_queries):
    case = open_case(users, status="completed")
    for user in ("origin_clerk", "dest_supervisor"):
        client.force_login(users[user])
        page = client.get(f"/cases/{case.reference}/").content.decode()
        assert "agreement.pdf" in page and "acceptance.pdf" in page
        # Session, user, membership, the case, its agreements, the names of the cities the frozen periods name,
        # and the access record the download leaves.
        with django_assert_max_num_queries(7):
            agreement = client.get(f"/cases/{case.reference}/agreement.pdf")
        assert agreement["Content-Type"] == "application/pdf"
        assert agreement.content.startswith(b"%PDF-")
        assert latest_agreement(case).number in agreement["Content-Disposition"]
        acceptance = client.get(f"/cases/{case.reference}/acceptance.pdf")
        assert acceptance.content.startswith(b"%PDF-")


def test_the_qr_code_points_to_the_public_verification_page(client, users, monkeypatch):
    case = open_case(users, status="agreement_issued")
    seen = {}

    def fake_pdf(case, verify_url, language="zh-hans"):
        seen["url"], seen["language"] = verify_url, language
        return b"%PDF-1.4"

    monkeypatch.setattr("cases.documents.agreement_pdf", fake_pdf)
    client.force_login(users["dest_clerk"])
    client.get(f"/cases/{case.reference}/agreement.pdf")
    assert seen == {"url": f"http://testserver/verify/{latest_agreement(case).verification_code}/", "language": "zh-hans"}
