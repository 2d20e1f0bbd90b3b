from playwright.sync_api import Page, expect


def test_the_sign_in_page_opens(live_server, e2e_data, page: Page):
    page.goto(live_server.url + "/accounts/login/")
    expect(page.locator("h1")).to_be_visible()
