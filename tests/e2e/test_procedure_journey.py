"""The real procedure (66号 Art. 8) in Chromium, in the Chinese default UI: the worker applies online at the
destination, the origin verifies, issues and remits, the destination registers, receives the funds in two parts
and completes, while the worker follows each step on /status/; and an agreement returned to the origin verifies
as void, then as superseded, whichever way its code is typed (docs/domain.md §3, §5, §7)."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.utils import timezone, translation
from django.utils.translation import gettext
from playwright.sync_api import Page, expect

from cases.models import TransferCase
from cases.services import common
from tests.factories import make_id_number, open_case


def zh(message: str, **names: str) -> str:
    """A message as the Chinese page words it (multi-line msgids are easier read from the catalogue)."""
    with translation.override("zh-hans"):
        return gettext(message) % names if names else gettext(message)


def money_text(page: Page, test_id: str) -> Decimal:
    return Decimal(page.get_by_test_id(test_id).inner_text().replace(",", "").strip())


def act(page: Page, label: str, reason: str = "", confirm: bool = False, ticks: tuple[str, ...] = ()) -> None:
    """Press a step's button on the case page; where it opens a form, fill that form (`ticks`: the labels of
    the boxes to tick) and send it."""
    actions = page.locator("#actions")
    # Not exact: a toggle's name ends in its icon font's glyph.
    button = actions.get_by_role("button", name=label)
    opens_form = button.get_attribute("aria-expanded") is not None
    button.click()
    if not opens_form:
        return
    panel = actions.locator(".transition-form").filter(has=page.get_by_role("heading", name=label, exact=True))
    expect(panel).to_be_visible()
    if reason:
        panel.get_by_label(zh("Reason (sent to the other party)")).fill(reason)
    if confirm:
        panel.get_by_label(zh("I understand that this closes the case for good.")).check()
    for tick in ticks:
        panel.get_by_label(tick).check()
    panel.get_by_role("button", name=label, exact=True).click()


def record_receipt(page: Page, amount: Decimal, bank_reference: str) -> None:
    """The destination clerk records one arrival of money on the case page's ledger card."""
    receipt = page.get_by_test_id("receipt-form")
    receipt.get_by_label(zh("Amount received")).fill(str(amount))
    receipt.get_by_label(zh("Bank reference")).fill(bank_reference)
    receipt.get_by_role("checkbox").check()
    receipt.get_by_role("button", name=zh("Record the receipt")).click()
    expect(page.get_by_test_id("receipts")).to_contain_text(bank_reference)


def status(page: Page):
    return page.get_by_test_id("case-status")


class Worker:
    """The worker on the public pages: applies once, then checks /status/ with the reference and ID number."""

    def __init__(self, page: Page, base_url: str, id_number: str) -> None:
        self.page, self.base_url, self.id_number = page, base_url, id_number
        self.reference = ""

    def apply(self, name: str) -> str:
        page = self.page
        page.goto(self.base_url + "/apply/")
        page.fill('input[name="id_number"]', self.id_number)
        page.fill('input[name="name"]', name)
        page.select_option('select[name="hukou_city"]', "510100")
        page.fill('input[name="phone"]', "13800138000")
        page.fill('input[name="email"]', "worker@example.org")
        page.check('input[name="insurance_type"][value="pension"]')
        page.select_option('select[name="origin_city"]', "440300")
        page.select_option('select[name="destination_city"]', "510100")
        page.check('input[name="consent"]')
        page.get_by_role("button", name=zh("Send the application")).click()
        expect(page.locator("h1")).to_contain_text(zh("Your application is lodged"))
        self.reference = page.locator("#issued-reference").inner_text().strip()
        return self.reference

    def sees(self, status_label: str, summary: str, latest_step: str) -> None:
        """/status/ shows the case in `status_label`, says `summary`, and lists `latest_step` last."""
        page = self.page
        page.goto(self.base_url + "/status/")
        page.get_by_label(zh("Case reference")).fill(self.reference)
        page.get_by_label(zh("ID number")).fill(self.id_number)
        page.get_by_role("button", name=zh("Show progress")).click()
        expect(page.locator(".status-badge")).to_have_text(status_label)
        where = page.get_by_role("region", name=zh("Where it stands"))
        expect(where).to_contain_text(summary)
        expect(page.locator(".timeline > li").last).to_contain_text(latest_step)
        # Never the worker's name or full ID number on a page anyone with the reference can open.
        expect(page.locator("main")).not_to_contain_text(self.id_number)


def verify(page: Page, base_url: str, typed: str) -> None:
    """Type a code into /verify/ as a person would, and send it."""
    page.goto(base_url + "/verify/")
    page.get_by_label(zh("Verification code")).fill(typed)
    page.get_by_role("button", name=zh("Verify"), exact=True).click()


def code_of(document) -> str:
    """The verification code printed in a document's line of the case page's Documents card."""
    return document.locator(".font-monospace").last.inner_text().strip()


def as_typed(code: str) -> str:
    """The code as someone copies it off paper: lower case, O for 0, l for 1, grouped by a space and a hyphen."""
    sloppy = code.replace("0", "O").replace("1", "l").lower()
    return f"{sloppy[:4]} {sloppy[4:8]}-{sloppy[8:]}"


@pytest.fixture
def codes_with_0_and_1(monkeypatch):
    """Verification codes that start 01, so that typing O for 0 and l for 1 is always put to the test."""
    drawn = common.random_code

    def random_code(length: int) -> str:
        return "01" + drawn(length - 2) if length == 12 else drawn(length)

    monkeypatch.setattr("cases.services.transitions.random_code", random_code)


def test_the_real_procedure_from_the_online_application_to_the_funds_received(
    sign_in, open_browser, live_server, codes_with_0_and_1
):
    id_number = make_id_number(county="510104", birth=dt.date(1988, 9, 14))
    worker = Worker(open_browser(), live_server.url, id_number)

    # The worker applies online: the application waits at the destination, Chengdu, for a clerk there.
    reference = worker.apply("钱小川")
    case = TransferCase.objects.get(reference=reference)
    assert case.lodged_at == case.destination_agency
    origin_name, destination_name = case.origin_agency.name, case.destination_agency.name
    names = {"origin": origin_name, "destination": destination_name}
    case_url = f"{live_server.url}/cases/{reference}/"
    worker.sees(
        "网上申请待受理",
        zh("Your application has reached %(destination)s, which checks your identity and accepts it.", **names),
        zh("You applied online; the application was lodged with %(agency)s.", agency=destination_name),
    )

    # The destination clerk finds it among the applications to accept, checks the identity document against
    # what was applied (tests/e2e/test_application_journey.py: when the names differ) and accepts it; the
    # contact letter to the origin is on the case.
    destination = sign_in("dest_clerk")
    destination.locator(".worklist-tabs").get_by_role("link", name=zh("Applications to accept")).click()
    destination.get_by_role("link", name=reference).click()
    expect(status(destination)).to_have_text("网上申请待受理")
    expect(destination.get_by_test_id("applicant-name")).to_have_text("钱小川")
    act(destination, "受理申请",
        ticks=(zh("I have checked the applicant's identity document against the application."),))
    expect(status(destination)).to_have_text("已提交")
    letter = destination.get_by_test_id("contact-letter-pdf")
    expect(letter).to_contain_text(zh("Contact letter"))
    pdf = destination.request.get(live_server.url + letter.get_attribute("href"))
    assert pdf.headers["content-type"] == "application/pdf" and pdf.body().startswith(b"%PDF-")
    worker.sees(
        "已提交", zh("Your application has been lodged. %(origin)s checks it first.", **names),
        zh("%(destination)s accepted the application and wrote to %(origin)s.", **names),
    )

    # The origin clerk records the worker's years in Shenzhen and starts verifying.
    origin = sign_in("origin_clerk")
    origin.goto(case_url)
    origin.get_by_role("link", name="缴费记录").click()
    origin.get_by_label(zh("First month")).fill("2016-01")
    origin.get_by_label(zh("Last month")).fill("2024-06")
    origin.get_by_label(zh("Monthly base")).fill("9000")
    origin.click("#submit-period")
    expect(origin.locator(".contribution-years").first).to_contain_text("2016")
    origin.goto(case_url)
    act(origin, "开始审核")
    expect(status(origin)).to_have_text("审核中")
    worker.sees(
        "审核中",
        zh("%(origin)s is checking your contribution history, any arrears and whether the transfer applies.", **names),
        zh("%(origin)s started checking your contribution history.", **names),
    )

    # The origin supervisor issues the agreement (the information form), which freezes what moves.
    supervisor = sign_in("origin_supervisor")
    supervisor.goto(case_url)
    act(supervisor, "出具转移协议")
    expect(status(supervisor)).to_have_text("已出具协议")
    worker.sees(
        "已出具协议",
        zh("%(origin)s has issued the transfer agreement and sent it to %(destination)s.", **names),
        zh("%(origin)s issued the transfer agreement.", **names),
    )

    # The origin clerk remits what moves: the ledger card's form comes filled in with the frozen figures.
    origin.goto(case_url)
    ledger = origin.get_by_test_id("ledger")
    expect(origin.get_by_test_id("funds-status")).to_have_text("待划转")
    to_remit = money_text(origin, "to-remit")
    assert to_remit > Decimal("100000")
    remittance = origin.get_by_test_id("remittance-form")
    expect(remittance.get_by_label(zh("Value date"))).to_have_value(timezone.localdate().isoformat())
    remittance.get_by_label(zh("Bank reference")).fill("ICBC-4403-20261201-07")
    remittance.get_by_role("checkbox").check()
    remittance.get_by_role("button", name=zh("Record the remittance")).click()
    expect(origin.get_by_test_id("funds-status")).to_have_text("已划转，尚未全额到账")
    expect(ledger).to_contain_text("ICBC-4403-20261201-07")
    assert money_text(origin, "remitted") == to_remit
    expect(origin.get_by_test_id("remittance-form")).to_have_count(0)
    # The worker hears the money is on its way (not how much); the destination's turn is still to come.
    worker.sees(
        "已出具协议",
        zh("%(origin)s has issued the transfer agreement and sent it to %(destination)s.", **names),
        zh("%(origin)s transferred the funds of your insurance to %(destination)s.", **names),
    )

    # The destination clerk registers the agreement.
    destination.goto(case_url)
    act(destination, "登记转移协议")
    expect(status(destination)).to_have_text("接续办理中")
    expect(destination.get_by_test_id("difference")).to_have_text(f"{-to_remit:+,.2f}")
    worker.sees(
        "接续办理中",
        zh("%(destination)s has registered the agreement and is taking over your insurance relationship.", **names),
        zh("%(destination)s registered the transfer agreement.", **names),
    )

    # The money arrives in two parts: the difference shrinks, then reaches 0.00.
    receiving = (
        "接续办理中",
        zh("%(destination)s has registered the agreement and is taking over your insurance relationship.", **names),
        zh("%(destination)s received funds of your transfer.", **names),
    )
    first = Decimal("100000.00")
    record_receipt(destination, first, "BOC-5101-1")
    expect(destination.get_by_test_id("difference")).to_have_text(f"{first - to_remit:+,.2f}")
    expect(destination.get_by_test_id("funds-status")).to_have_text("已划转，尚未全额到账")
    # Until the receipts add up, the supervisor cannot complete, and is told by how much they fall short.
    dest_supervisor = sign_in("dest_supervisor")
    dest_supervisor.goto(case_url)
    expect(dest_supervisor.locator("#actions")).to_contain_text(f"{first - to_remit:+.2f}")
    expect(dest_supervisor.locator("#actions").get_by_role("button", name="完成接续")).to_have_count(0)
    worker.sees(*receiving)

    record_receipt(destination, to_remit - first, "BOC-5101-2")
    expect(destination.get_by_test_id("difference")).to_have_text("0.00")
    expect(destination.get_by_test_id("funds-status")).to_have_text("已全额到账")
    assert money_text(destination, "received") == to_remit
    worker.sees(*receiving)

    # The destination supervisor completes the acceptance, confirming it.
    dest_supervisor.reload()
    act(dest_supervisor, "完成接续", confirm=True)
    expect(status(dest_supervisor)).to_have_text("已完成")
    worker.sees(
        "已完成",
        zh("The transfer is complete: your insurance relationship continues at %(destination)s.", **names),
        zh("%(destination)s confirmed the acceptance: the transfer is complete.", **names),
    )
    # Every step, from the application to the acceptance, each receipt a line.
    expect(worker.page.locator(".timeline > li")).to_have_count(9)

    # The acceptance confirmation has a verification code of its own, printed on the case page: it verifies as
    # valid, and so does the agreement it completed, each typed as from paper.
    documents = dest_supervisor.get_by_test_id("agreements").locator(".list-group-item")
    agreement_code = code_of(documents.filter(has_text=zh("Transfer agreement")))
    acceptance_code = code_of(documents.filter(has_text=zh("Acceptance confirmation")))
    assert acceptance_code != agreement_code
    public = worker.page
    verify(public, live_server.url, as_typed(acceptance_code))
    expect(public).to_have_url(re.compile(f"/verify/{acceptance_code}/$"))
    expect(public.get_by_test_id("verify-status")).to_have_text(zh("This acceptance confirmation is genuine and valid"))
    expect(public.get_by_test_id("transfer-total")).to_have_text(f"{to_remit:,.2f}")
    verify(public, live_server.url, as_typed(agreement_code))
    expect(public.get_by_test_id("verify-status")).to_have_text(zh("This agreement is genuine and valid"))
    expect(public.get_by_test_id("transfer-total")).to_have_text(f"{to_remit:,.2f}")
    # The printed link, typed into the address bar the same way, answers the same.
    public.goto(f"{live_server.url}/verify/{as_typed(agreement_code).replace(' ', '-')}/")
    expect(public.get_by_test_id("verify-status")).to_have_text(zh("This agreement is genuine and valid"))


def test_an_agreement_returned_to_the_origin_verifies_as_void_then_as_superseded(
    sign_in, open_browser, live_server, users, codes_with_0_and_1
):
    case = open_case(users, status="receiving")
    case_url = f"{live_server.url}/cases/{case.reference}/"
    destination = sign_in("dest_clerk")
    destination.goto(case_url)
    first = destination.get_by_test_id("agreements").locator(".list-group-item").filter(has_text=zh("Transfer agreement"))
    first_number = first.locator(".font-monospace").first.inner_text().strip()
    first_code = code_of(first)
    public = open_browser()
    worker = Worker(public, live_server.url, case.worker.id_number)
    worker.reference = case.reference
    names = {"origin": case.origin_agency.name, "destination": case.destination_agency.name}
    verify(public, live_server.url, as_typed(first_code))
    expect(public.get_by_test_id("verify-status")).to_have_text(zh("This agreement is genuine and valid"))

    # The destination finds a period missing and sends the case back: the agreement it held is void at once.
    act(destination, "退回转出地", reason="缺少2019年深圳缴费记录，请核实后重新出具")
    expect(status(destination)).to_have_text("审核中")
    expect(first).to_contain_text("已作废")
    verify(public, live_server.url, as_typed(first_code))
    expect(public.get_by_test_id("verify-status")).to_have_text(zh("This agreement was issued here but is void"))
    expect(public.get_by_role("alert")).to_contain_text(
        zh("The receiving agency returned it to the origin; a new agreement has not been issued yet.")
    )
    worker.sees(
        "审核中",
        zh("%(origin)s is checking your contribution history, any arrears and whether the transfer applies.", **names),
        zh("%(destination)s sent the case back to %(origin)s for another check.", **names),
    )

    # The origin re-issues: the old code still answers, as void and superseded by the new agreement's number.
    supervisor = sign_in("origin_supervisor")
    supervisor.goto(case_url)
    act(supervisor, "出具转移协议")
    expect(status(supervisor)).to_have_text("已出具协议")
    agreements = supervisor.get_by_test_id("agreements").locator(".list-group-item").filter(
        has_text=zh("Transfer agreement")
    )
    expect(agreements).to_have_count(2)
    second_number = agreements.last.locator(".font-monospace").first.inner_text().strip()
    second_code = code_of(agreements.last)
    assert second_number != first_number and second_code != first_code
    expect(agreements.first).to_contain_text(second_number)
    verify(public, live_server.url, as_typed(first_code))
    expect(public.get_by_test_id("verify-status")).to_have_text(zh("This agreement was issued here but is void"))
    expect(public.get_by_role("alert")).to_contain_text(second_number)
    expect(public.locator("main")).to_contain_text(first_number)
    verify(public, live_server.url, as_typed(second_code))
    expect(public.get_by_test_id("verify-status")).to_have_text(zh("This agreement is genuine and valid"))
    expect(public.locator("main")).to_contain_text(second_number)
