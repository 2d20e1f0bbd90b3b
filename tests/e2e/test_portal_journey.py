"""A worker applies online, the clerks move the case, the worker follows and answers; phone and desktop."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from django.utils import translation
from django.utils.translation import gettext
from playwright.sync_api import Page, expect

from cases import services
from cases.models import CaseStatus, TransferCase
from sstransfer.middleware import CONTENT_SECURITY_POLICY
from tests.factories import advance, latest_agreement, make_id_number, open_case, periods

SCREENSHOTS = Path("test-results/screenshots")
VIEWPORTS = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1280, "height": 900}}
# Recorded in the page before any of its own code runs; the CSP does not apply to init scripts.
CSP_PROBE = (
    "window.__cspViolations = [];"
    "document.addEventListener('securitypolicyviolation',"
    " e => window.__cspViolations.push(e.violatedDirective + ' ' + e.blockedURI));"
)


class Watch:
    """Collects what the browser reports about the pages: CSP violations and script errors."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.problems: list[str] = []
        page.add_init_script(CSP_PROBE)
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.problems.append(f"page error: {error}"))

    def _console(self, message) -> None:
        if "Content Security Policy" in message.text or "Content-Security-Policy" in message.text:
            self.problems.append(f"console: {message.text}")

    def check(self) -> None:
        self.problems += self.page.evaluate("window.__cspViolations || []")
        assert not self.problems, self.problems


def snap(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / f"{name}.png", full_page=True)


def open_menu_if_collapsed(page: Page) -> None:
    toggler = page.locator(".navbar-toggler")
    if toggler.is_visible() and toggler.get_attribute("aria-expanded") != "true":
        toggler.click()
        # Until Bootstrap's collapse has finished opening, a click inside the menu can miss its button.
        expect(page.locator("#mainnav")).to_have_class(re.compile(r"(^|\s)show(\s|$)"))


def choose_language(page: Page, language: str) -> None:
    open_menu_if_collapsed(page)
    page.locator(f'button[name="language"][value="{language}"]').click()
    expect(page.locator("html")).to_have_attribute("lang", language)


def say(language: str, message: str) -> str:
    with translation.override(language):
        return gettext(message)


def test_the_csp_watch_catches_inline_code(live_server, e2e_data, page: Page):
    watch = Watch(page)
    page.route(
        "**/csp-probe",
        lambda route: route.fulfill(
            body="<p style='color:red'>x</p><script>document.title = 'ran'</script>", content_type="text/html",
            headers={"Content-Security-Policy": CONTENT_SECURITY_POLICY},
        ),
    )
    page.goto(live_server.url + "/csp-probe")
    with pytest.raises(AssertionError):
        watch.check()


@pytest.mark.parametrize(("viewport", "language"), [("phone", "zh-hans"), ("desktop", "en")])
def test_a_worker_applies_follows_and_answers(live_server, e2e_data, users, page: Page, viewport, language):
    page.set_viewport_size(VIEWPORTS[viewport])
    watch = Watch(page)
    shot = f"{viewport}-{language}"
    page.goto(live_server.url + "/")
    choose_language(page, language)
    expect(page.locator(".portal-step-number")).to_have_count(4)
    snap(page, f"{shot}-1-home")

    # Apply online.
    page.locator("main").get_by_role("link", name=say(language, "Apply online")).first.click()
    id_number = make_id_number(county="510104", birth=dt.date(1991, 4, 2))
    page.fill('input[name="id_number"]', id_number)
    page.fill('input[name="name"]', "赵小川")
    page.select_option('select[name="hukou_city"]', "510100")
    page.fill('input[name="phone"]', "13800138000")
    page.fill('input[name="email"]', "zhao@example.org")
    page.check('input[name="insurance_type"][value="pension"]')
    page.select_option('select[name="origin_city"]', "440300")
    page.select_option('select[name="destination_city"]', "510100")
    page.check('input[name="consent"]')
    snap(page, f"{shot}-2-apply")
    page.get_by_role("button", name=say(language, "Send the application")).click()
    expect(page.locator("h1")).to_contain_text(say(language, "Your application is lodged"))
    reference = page.locator("#issued-reference").inner_text().strip()
    access_code = page.locator("#issued-access-code").inner_text().strip()
    snap(page, f"{shot}-3-applied")
    case = TransferCase.objects.get(reference=reference)
    assert case.channel == TransferCase.Channel.ONLINE and case.lodged_at.code == "510100"

    # The destination accepts the application (tests/e2e/test_application_journey.py does it in the browser);
    # the origin starts checking and asks for a document.
    advance(case, users, "accept_application", "start_verification")
    advance(case, users, "request_info", note="请补充2019年劳动合同复印件。")

    # The worker checks the progress.
    open_menu_if_collapsed(page)
    page.get_by_role("link", name=say(language, "Check progress")).first.click()
    page.fill('input[name="reference"]', reference)
    page.fill('input[name="id_number"]', id_number)
    page.get_by_role("button", name=say(language, "Show progress")).click()
    with translation.override(language):
        expect(page.locator(".status-badge")).to_have_text(str(CaseStatus.INFO_REQUESTED.label))
    expect(page.locator(".alert-warning")).to_contain_text("请补充2019年劳动合同复印件。")
    expect(page.locator("main")).not_to_contain_text("赵小川")
    expect(page.locator("main")).not_to_contain_text(id_number)
    snap(page, f"{shot}-4-info-requested")

    # The worker answers with a document.
    page.get_by_role("link", name=say(language, "Answer the request")).click()
    page.fill('input[name="reference"]', reference)
    page.fill('input[name="id_number"]', id_number)
    page.fill('input[name="access_code"]', access_code)
    page.get_by_role("button", name=say(language, "Open my case")).click()
    page.fill('textarea[name="note"]', "劳动合同复印件已上传。")
    page.set_input_files(
        'input[name="attachments"]',
        files=[{"name": "contract.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4\n%journey\n"}],
    )
    snap(page, f"{shot}-5-answer")
    page.get_by_role("button", name=say(language, "Send my answer")).click()
    expect(page.locator(".alert-success")).to_be_visible()
    with translation.override(language):
        expect(page.locator(".status-badge")).to_have_text(str(CaseStatus.VERIFYING.label))
    expect(page.locator("main")).to_contain_text(say(language, "You sent the information requested."))
    case.refresh_from_db()
    assert case.status == CaseStatus.VERIFYING
    assert case.attachments.get().uploaded_by_worker

    # The clerks finish the transfer.
    periods(case.worker, ("440300", "2018-01", "2025-06", "7000"))
    advance(case, users, "issue_agreement", "register_agreement", "remit", "receive", "complete")

    page.goto(live_server.url + "/status/")
    page.fill('input[name="reference"]', reference)
    page.fill('input[name="id_number"]', id_number)
    page.get_by_role("button", name=say(language, "Show progress")).click()
    with translation.override(language):
        expect(page.locator(".status-badge")).to_have_text(str(CaseStatus.COMPLETED.label))
    # Every step the worker sees, the funds sent and received among them.
    expect(page.locator(".timeline > li")).to_have_count(10)
    snap(page, f"{shot}-6-completed")

    # Anyone holding the paper agreement can check it.
    case.refresh_from_db()
    page.goto(live_server.url + f"/verify/{latest_agreement(case).verification_code}/")
    expect(page.locator("main")).to_contain_text(latest_agreement(case).number)
    expect(page.locator("main")).to_contain_text(case.worker.masked_id)
    snap(page, f"{shot}-7-verify")

    page.goto(live_server.url + "/agencies/?q=%E6%B7%B1%E5%9C%B3")
    expect(page.locator("main .card")).to_have_count(1)
    snap(page, f"{shot}-8-agencies")
    watch.check()


def test_a_worker_withdraws_after_confirming(live_server, e2e_data, users, page: Page):
    page.set_viewport_size(VIEWPORTS["phone"])
    watch = Watch(page)

    case = open_case(users, status="verifying")
    code = services.case_issue_access_code(case=case)
    page.goto(live_server.url + "/act/")
    choose_language(page, "en")
    page.fill('input[name="reference"]', case.reference)
    page.fill('input[name="id_number"]', case.worker.id_number)
    page.fill('input[name="access_code"]', code)
    page.get_by_role("button", name="Open my case").click()
    page.get_by_role("link", name="Withdraw the application").click()
    snap(page, "phone-en-withdraw-confirm")
    page.get_by_role("button", name="Yes, withdraw it").click()
    expect(page.get_by_test_id("withdrawn")).to_contain_text(case.reference)
    snap(page, "phone-en-withdrawn")
    page.goto(live_server.url + "/act/case/")
    expect(page.locator(".status-badge")).to_have_text("Withdrawn")
    expect(page.get_by_role("link", name="Withdraw the application")).to_have_count(0)
    case.refresh_from_db()
    assert case.status == CaseStatus.WITHDRAWN
    watch.check()


@pytest.mark.parametrize(("viewport", "language"), [("phone", "zh-hans"), ("desktop", "en")])
def test_a_worker_adds_material_unasked_and_sees_it_listed(live_server, e2e_data, users, page: Page, viewport, language):
    page.set_viewport_size(VIEWPORTS[viewport])
    watch = Watch(page)
    # Nobody asked for anything: the agreement is issued and the destination is at work.
    case = open_case(users, status="agreement_issued")
    code = services.case_issue_access_code(case=case)
    page.goto(live_server.url + "/act/")
    choose_language(page, language)
    page.fill('input[name="reference"]', case.reference)
    page.fill('input[name="id_number"]', case.worker.id_number)
    page.fill('input[name="access_code"]', code)
    page.get_by_role("button", name=say(language, "Open my case")).click()
    expect(page.locator("#answer-heading")).to_have_count(0)
    expect(page.locator("#material-heading")).to_have_text(say(language, "Send more documents"))
    nothing_yet = say(language, "Nothing yet. Answers and documents you send online are listed here.")
    expect(page.locator("#sent")).to_contain_text(nothing_yet)
    page.set_input_files(
        'input[name="attachments"]',
        files=[{"name": "户口本首页.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4\n%material\n"}],
    )
    page.fill('textarea[name="note"]', "户口本首页，供核对户籍。")
    page.locator("#submit-material").click()
    expect(page.locator(".alert-success")).to_contain_text(case.destination_agency.name)
    expect(page.get_by_test_id("sent-files")).to_contain_text("户口本首页.pdf")
    expect(page.get_by_test_id("sent-messages")).to_contain_text("户口本首页，供核对户籍。")
    expect(page.locator(".timeline")).to_contain_text(say(language, "You sent more documents."))
    snap(page, f"{viewport}-{language}-material")
    # The worker gets the document back, as a download.
    with page.expect_download() as download:
        page.get_by_test_id("sent-files").get_by_role("link").click()
    assert download.value.suggested_filename == "户口本首页.pdf"
    case.refresh_from_db()
    assert case.status == CaseStatus.AGREEMENT_ISSUED
    assert case.events.last().transition == "add_material"
    assert case.attachments.get().uploaded_by_worker
    watch.check()
