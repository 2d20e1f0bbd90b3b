"""Both agencies take a case from intake to completion in Chromium, in the Chinese default UI."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from playwright.sync_api import Page, expect

from cases.models import Actor, TransferCase
from cases.selectors import WORKLIST_TABS
from cases.selectors.funds import case_transfer
from tests.factories import make_id_number


def status(page: Page):
    return page.get_by_test_id("case-status")


def run(page: Page, name: str, note: str = "", confirm: bool = False) -> None:
    """Press a transition's button; open its form first where it asks for a reason or a confirmation."""
    simple = page.locator(f"form[data-transition={name}] button")
    if simple.count():
        simple.click()
        return
    page.locator(f"[data-transition-toggle={name}]").click()
    if note:
        page.fill(f"textarea[name='{name}-note']", note)
    if confirm:
        page.check(f"input[name='{name}-confirm']")
    page.click(f"#submit-{name}")


def test_two_agencies_take_a_case_from_intake_to_completion(sign_in, live_server):
    id_number = make_id_number(county="510104")

    # The origin clerk registers the worker at the counter and opens the case.
    origin = sign_in("origin_clerk")
    origin.get_by_role("link", name="新申请").first.click()
    origin.fill("input[name=id_number]", id_number.lower())
    origin.click("#submit-lookup")
    origin.fill("#register_name", "李雷")
    origin.locator("form:has(#submit-register) input.select-filter").fill("成都")
    expect(origin.locator("#register_hukou_city")).to_have_value("510100")
    origin.fill("#register_email", "lilei@example.org")
    origin.click("#submit-register")
    expect(origin.locator(".alert-success")).to_contain_text("李雷")
    origin.select_option("#id_insurance_type", "pension")
    origin.check("input[name=our_side][value=origin]")
    origin.locator("form:has(#submit-open) input.select-filter").fill("成都")
    origin.click("#submit-open")
    expect(status(origin)).to_have_text("已提交")
    case = TransferCase.objects.get(worker__id_number=id_number)
    case_url = f"{live_server.url}/cases/{case.reference}/"

    # Its contribution history in Shenzhen, by form.
    origin.get_by_role("link", name="缴费记录").click()
    origin.fill("#id_start_month", "2016-01")
    origin.fill("#id_end_month", "2024-06")
    origin.fill("#id_monthly_base", "8000")
    origin.click("#submit-period")
    expect(origin.locator(".contribution-years").first).to_contain_text("2016")
    origin.goto(case_url)
    expect(origin.get_by_test_id("contribution-months")).to_have_text("102")

    # Verification, then a request for information.
    run(origin, "start_verification")
    expect(status(origin)).to_have_text("审核中")
    run(origin, "request_info", note="请补充2019年劳动合同复印件")
    expect(status(origin)).to_have_text("待补充材料")

    # The destination clerk finds it among incoming cases, records the information and a Chengdu period.
    destination = sign_in("dest_clerk")
    destination.locator(".worklist-tabs a", has_text="转入").click()
    destination.get_by_role("link", name=case.reference).click()
    expect(destination.locator("#timeline")).to_contain_text("请补充2019年劳动合同复印件")
    run(destination, "provide_info")
    expect(status(destination)).to_have_text("审核中")
    destination.fill("#id_text", "劳动合同已收到，已转交")
    destination.click("#submit-note")
    expect(destination.locator("#notes")).to_contain_text("劳动合同已收到")
    destination.get_by_role("link", name="缴费记录").click()
    destination.fill("#id_start_month", "2024-01")
    destination.fill("#id_end_month", "2024-03")
    destination.fill("#id_monthly_base", "7000")
    destination.click("#submit-period")
    expect(destination.locator("main")).to_contain_text("四川省成都市")

    # The origin supervisor reads the note and issues the agreement.
    supervisor = sign_in("origin_supervisor")
    supervisor.goto(case_url)
    expect(supervisor.locator("#notes")).to_contain_text("劳动合同已收到")
    expect(supervisor.locator("#duplicates")).to_contain_text("2024-01–2024-03")
    run(supervisor, "issue_agreement")
    expect(status(supervisor)).to_have_text("已出具协议")
    agreement = supervisor.request.get(live_server.url + supervisor.get_by_test_id("agreement-pdf").get_attribute("href"))
    assert agreement.headers["content-type"] == "application/pdf" and agreement.body().startswith(b"%PDF-")

    # The destination registers the agreement and keeps the Chengdu months.
    destination.goto(case_url)
    run(destination, "register_agreement")
    expect(status(destination)).to_have_text("接续办理中")
    destination.locator("#duplicates input[value='510100']").check()
    destination.locator("#duplicates input[type=submit]").click()
    expect(destination.locator("#duplicates")).to_contain_text("已处理")

    # The origin remits what moves (the form comes filled in); the destination records it received, in two parts.
    origin.goto(case_url)
    expect(origin.get_by_test_id("funds-status")).to_have_text("待划转")
    origin.fill("#id_remittance-bank_reference", "ICBC-20261201-0001")
    origin.check("#id_remittance-confirm")
    origin.click("#submit-remittance")
    expect(origin.get_by_test_id("funds-status")).to_have_text("已划转，尚未全额到账")
    total = case_transfer(TransferCase.objects.get(pk=case.pk)).total
    destination.goto(case_url)
    for amount, reference in ((Decimal("100000.00"), "BOC-1"), (total - Decimal("100000.00"), "BOC-2")):
        destination.fill("#id_receipt-amount", str(amount))
        destination.fill("#id_receipt-bank_reference", reference)
        destination.check("#id_receipt-confirm")
        destination.click("#submit-receipt")
    expect(destination.get_by_test_id("funds-status")).to_have_text("已全额到账")
    expect(destination.get_by_test_id("difference")).to_have_text("0.00")

    # The destination supervisor completes the acceptance, confirming it.
    dest_supervisor = sign_in("dest_supervisor")
    dest_supervisor.goto(case_url)
    run(dest_supervisor, "complete", confirm=True)
    expect(status(dest_supervisor)).to_have_text("已完成")
    acceptance = dest_supervisor.request.get(
        live_server.url + dest_supervisor.get_by_test_id("acceptance-pdf").get_attribute("href")
    )
    assert acceptance.body().startswith(b"%PDF-")

    origin.goto(live_server.url + "/?tab=closed")
    expect(origin.get_by_role("link", name=case.reference)).to_be_visible()
    case.refresh_from_db()
    # Each agency's periods, recorded while the case was open, are on its timeline too.
    assert [e.transition for e in case.events.all()] == [
        "open", "contributions_recorded", "start_verification", "request_info", "provide_info",
        "contributions_recorded", "issue_agreement", "register_agreement", "resolve_duplicate", "record_remittance",
        "record_receipt", "record_receipt", "complete",
    ]


def test_a_refused_step_says_why_and_the_reason_is_required(sign_in, live_server, users):
    from tests.factories import open_case

    case = open_case(users, status="verifying")
    page = sign_in("origin_clerk")
    page.goto(f"{live_server.url}/cases/{case.reference}/")
    page.locator("[data-transition-toggle=request_info]").click()
    page.click("#submit-request_info")
    # The browser keeps an empty reason from being sent at all.
    expect(status(page)).to_have_text("审核中")
    # A second tab acts first: the stale page's button is refused with a message, not an error page.
    other = sign_in("origin_clerk")
    other.goto(f"{live_server.url}/cases/{case.reference}/")
    run(other, "request_info", note="缺少身份证复印件")
    page.fill("textarea[name='request_info-note']", "再次请求")
    page.click("#submit-request_info")
    expect(page.locator(".alert-danger")).to_contain_text("待补充材料")


def test_the_language_switcher_and_the_phone_layout(sign_in, live_server, users):
    from tests.factories import open_case

    open_case(users)
    page = sign_in("origin_clerk", width=390)
    expect(page.locator(".worklist-tabs")).to_contain_text("待办")
    page.locator(".navbar-toggler").click()
    # Until Bootstrap's collapse has finished opening, a click inside the menu can miss its button.
    expect(page.locator("#mainnav")).to_have_class(re.compile(r"(^|\s)show(\s|$)"))
    page.get_by_role("button", name="English").click()
    expect(page.locator(".worklist-tabs")).to_contain_text("To act on")
    expect(page.locator(".filters-more").first).to_be_hidden()
    page.get_by_role("button", name=re.compile("Filters")).click()
    expect(page.locator("#id_status")).to_be_visible()
    # No sideways scrolling of the whole page on a phone.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


def test_the_supervisor_dashboard_draws_its_chart(sign_in, live_server, users):
    from tests.factories import open_case

    open_case(users, status="receiving")
    page = sign_in("origin_supervisor")
    page.get_by_role("link", name="统计看板").click()
    expect(page.locator("h1")).to_contain_text("统计看板")
    # Waited on through the DOM: wait_for_function polls a string with eval(), which the page's CSP refuses.
    expect(page.locator("#steps-chart")).to_have_attribute("data-drawn", "true")
    assert page.evaluate("() => Chart.getChart(document.getElementById('steps-chart')).data.labels.length") > 0


def test_at_390_px_every_worklist_tab_is_reachable(sign_in, live_server, users):
    from tests.factories import open_case

    open_case(users, status="completed")
    page = sign_in("origin_clerk", width=390)
    strip = page.locator(".worklist-tabs")
    tabs = strip.locator(".nav-link")
    names = list(WORKLIST_TABS)
    assert names[-1] == "closed"
    expect(tabs).to_have_count(len(names))
    # The strip is wider than the phone: it scrolls, and says so at the edge that hides tabs.
    assert strip.evaluate("s => s.scrollWidth > s.clientWidth")
    end_arrow = page.locator(".tab-scroller-end")
    expect(end_arrow).to_be_visible()
    expect(page.locator(".tab-scroller-start")).to_be_hidden()
    last = tabs.last

    def fully_visible(tab) -> bool:
        box, frame = tab.bounding_box(), strip.bounding_box()
        return box["x"] >= frame["x"] - 1 and box["x"] + box["width"] <= frame["x"] + frame["width"] + 1

    assert not fully_visible(last)
    # The arrow scrolls the strip until the last tab is in sight; then that edge's arrow goes.
    for _ in range(3 * len(names)):
        if fully_visible(last) and not end_arrow.is_visible():
            break
        end_arrow.click()
        page.wait_for_timeout(400)
    assert fully_visible(last)
    expect(end_arrow).to_be_hidden()
    expect(page.locator(".tab-scroller-start")).to_be_visible()
    last.click()
    expect(page).to_have_url(re.compile(r"tab=closed"))
    # The page opens on the open tab in view, even though it is the last one.
    active = page.locator(".worklist-tabs .nav-link.active")
    expect(active).to_contain_text("已办结")
    assert fully_visible(active)
    # Every other tab is reached by swiping (scrolling) the strip, and opens.
    for name in names[:-1]:
        tab = page.locator(f".worklist-tabs .nav-link[href*='tab={name}']")
        tab.evaluate("t => t.parentElement.parentElement.scrollLeft = t.offsetLeft - 40")
        page.wait_for_timeout(100)
        assert fully_visible(tab), name
        tab.click()
        expect(page).to_have_url(re.compile(f"tab={name}"))
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


@pytest.mark.parametrize("width", [390, 1280])
def test_opening_a_step_s_form_moves_no_button(sign_in, live_server, users, width):
    from tests.factories import open_case

    case = open_case(users, status="verifying")
    page = sign_in("origin_supervisor", width=width)
    page.goto(f"{live_server.url}/cases/{case.reference}/")
    buttons = page.locator(".transition-buttons > *")
    expect(buttons).to_have_count(4)

    def places() -> list[tuple[float, float]]:
        return [(box["x"], box["y"]) for box in (buttons.nth(i).bounding_box() for i in range(buttons.count()))]

    before = places()
    for name in ("request_info", "reject", "issue_agreement", "withdraw"):
        toggle = page.locator(f"[data-transition-toggle={name}]")
        toggle.click()
        expect(page.locator(f"#transition-{name}")).to_be_visible()
        expect(toggle).to_have_attribute("aria-expanded", "true")
        assert places() == before, name
    # One form at a time: opening "withdraw" closed the others; pressing it again closes it.
    expect(page.locator(".transition-form.show")).to_have_count(1)
    page.locator("[data-transition-toggle=withdraw]").click()
    expect(page.locator("#transition-withdraw")).to_be_hidden()
    assert places() == before


def test_a_clerk_sees_the_other_agency_s_step_takes_the_case_and_finds_it_under_mine(sign_in, live_server, users):
    from cases import services
    from tests.factories import open_case

    users["dest_clerk"].first_name, users["dest_clerk"].last_name = "晓明", "王"
    users["dest_clerk"].save()
    case = open_case(users, status="agreement_issued")
    page = sign_in("dest_clerk")
    row = page.locator("table.worklist tr", has_text=case.reference)
    # The origin issued the agreement: unread, counted in the navigation, and news from the other agency.
    expect(row.get_by_test_id("unread")).to_be_visible()
    expect(page.get_by_test_id("unread-count")).to_contain_text("1")
    page.locator(".worklist-tabs .nav-link[href*='tab=news']").click()
    expect(page.locator("table.worklist")).to_contain_text(case.reference)
    page.get_by_role("link", name=case.reference).click()
    page.click("#submit-assign-me")
    # By the full name, not the user name.
    expect(page.locator("#assignment").get_by_test_id("assignee")).to_contain_text("晓明")
    page.goto(live_server.url + "/?tab=mine")
    row = page.locator("table.worklist tr", has_text=case.reference)
    expect(row).to_be_visible()
    expect(row.get_by_test_id("assignee")).to_be_visible()
    # Read now: no marker, no count; until the origin writes again.
    expect(row.get_by_test_id("unread")).to_have_count(0)
    expect(page.get_by_test_id("unread-count")).to_have_count(0)
    services.case_add_note(case=case, actor=Actor.for_user(users["origin_clerk"]), user=users["origin_clerk"],
                           text="请尽快登记")
    page.reload()
    expect(page.locator("table.worklist tr", has_text=case.reference).get_by_test_id("unread")).to_be_visible()
    expect(page.get_by_test_id("unread-count")).to_contain_text("1")
