"""Browser journeys in Debian's Chromium (no browser download works here)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from tests.conftest import PASSWORD, ensure_reference_data

# Playwright's sync API runs an event loop in this thread; the ORM calls the tests make
# between page actions are still plain synchronous code.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    missing = not shutil.which(CHROMIUM) and not Path(CHROMIUM).exists()
    for item in items:
        if Path(str(item.fspath)).parent == here:
            item.add_marker(pytest.mark.e2e)
            if missing and os.environ.get("CI") != "true":
                item.add_marker(pytest.mark.skip(reason=f"Chromium not found at {CHROMIUM}: apt-get install -y chromium"))


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict) -> dict:
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync",
        ],
    }


@pytest.fixture
def e2e_data(transactional_db):
    ensure_reference_data()


@pytest.fixture
def open_browser(new_context):
    """A fresh browser per person, each with its own session; console errors (a CSP refusal) fail the test."""
    problems: list[str] = []

    def open_page(locale: str = "zh-CN", width: int = 1280) -> Page:
        context: BrowserContext = new_context(viewport={"width": width, "height": 900}, locale=locale)
        context.set_default_timeout(10_000)
        page = context.new_page()
        page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
        page.on("pageerror", lambda error: problems.append(str(error)))
        return page

    yield open_page
    assert problems == []


@pytest.fixture
def sign_in(live_server, e2e_data, users, open_browser):
    """A clerk signed in on a browser of their own, in the Chinese default UI."""

    def open_as(username: str, width: int = 1280) -> Page:
        page = open_browser(width=width)
        page.goto(live_server.url + "/accounts/login/")
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", PASSWORD)
        page.click("#main button[type=submit]")
        expect(page.locator("h1")).to_contain_text("工作台")
        return page

    return open_as
