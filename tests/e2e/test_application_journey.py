"""A worker applies online; the destination clerk checks the identity and accepts; the worker follows it."""

from __future__ import annotations

import datetime as dt

from playwright.sync_api import expect

from cases.models import CaseStatus, TransferCase, Worker
from tests.factories import WorkerFactory, make_id_number


def test_an_online_application_is_checked_and_accepted_by_the_destination(live_server, sign_in, open_browser):
    # The register knows this ID number under a slightly different name (a typing error at some counter).
    id_number = make_id_number(county="510104", birth=dt.date(1993, 6, 9))
    WorkerFactory(id_number=id_number, name="周晓云")

    # The worker applies online, in English.
    worker = open_browser("en-GB")
    worker.goto(live_server.url + "/apply/")
    worker.locator('button[name="language"][value="en"]').first.click()
    worker.fill('input[name="id_number"]', id_number)
    worker.fill('input[name="name"]', "周小云")
    worker.select_option('select[name="hukou_city"]', "510100")
    worker.fill('input[name="phone"]', "13800138000")
    worker.fill('input[name="email"]', "zhou@example.org")
    worker.check('input[name="insurance_type"][value="pension"]')
    worker.select_option('select[name="origin_city"]', "440300")
    worker.select_option('select[name="destination_city"]', "510100")
    worker.check('input[name="consent"]')
    worker.get_by_role("button", name="Send the application").click()
    reference = worker.locator("#issued-reference").inner_text().strip()
    case = TransferCase.objects.get(reference=reference)
    assert case.status == CaseStatus.APPLIED and case.worker is None

    worker.goto(live_server.url + "/status/")
    worker.fill('input[name="reference"]', reference)
    worker.fill('input[name="id_number"]', id_number)
    worker.get_by_role("button", name="Show progress").click()
    expect(worker.locator(".status-badge")).to_have_text("Applied online")
    expect(worker.locator("main")).to_contain_text("which checks your identity and accepts it")

    # The destination clerk finds it among the applications to accept, in the Chinese default UI.
    clerk = sign_in("dest_clerk")
    clerk.locator(".worklist-tabs .nav-link[href*='tab=applications']").click()
    clerk.get_by_role("link", name=reference).click()
    expect(clerk.get_by_test_id("case-status")).to_have_text("网上申请待受理")

    # Side by side: the name as applied and as registered.
    expect(clerk.get_by_test_id("applicant-name")).to_have_text("周小云")
    expect(clerk.get_by_test_id("registered-name")).to_have_text("周晓云")

    # Accepting without confirming the identity check goes nowhere: the checkbox is required.
    clerk.locator("[data-transition-toggle=accept_application]").click()
    clerk.check("input[name='accept_application-confirmed_name'][value='周小云']")
    clerk.click("#submit-accept_application")
    checkbox = clerk.locator("input[name='accept_application-identity_checked']")
    assert not checkbox.evaluate("box => box.checkValidity()")
    case.refresh_from_db()
    assert case.status == CaseStatus.APPLIED

    # The identity document shows 周小云: the clerk says so, and the register is corrected.
    clerk.check("input[name='accept_application-identity_checked']")
    clerk.check("input[name='accept_application-confirmed_name'][value='周小云']")
    clerk.click("#submit-accept_application")
    expect(clerk.get_by_test_id("case-status")).to_have_text("已提交")
    expect(clerk.get_by_test_id("contact-letter-pdf")).to_be_visible()
    case.refresh_from_db()
    assert case.status == CaseStatus.SUBMITTED
    assert Worker.objects.get(id_number=id_number).name == "周小云"
    assert "周晓云" in case.events.get(transition="accept_application").note

    # The worker sees it accepted, the origin's turn next.
    worker.goto(live_server.url + "/status/")
    worker.fill('input[name="reference"]', reference)
    worker.fill('input[name="id_number"]', id_number)
    worker.get_by_role("button", name="Show progress").click()
    expect(worker.locator(".status-badge")).to_have_text("Submitted")
    expect(worker.locator(".timeline")).to_contain_text("accepted the application and wrote to")
